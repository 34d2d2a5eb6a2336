import { execFile } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { copyFile, open, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AudioInputError, type AudioInputProblem } from './errors.js';
import { probe, verifyDecodes } from './probe.js';
import { runProcess } from './runner.js';
import { ffmpeg, tagArgs, tempDir, toneInput, tools } from './test-support/fixtures.js';

let dir: string;
let remove: () => Promise<void>;
let wav: string;
const at = (name: string) => path.join(dir, name);

beforeAll(async () => {
  ({ dir, remove } = await tempDir('hostile'));
  wav = at('real.wav');
  await ffmpeg([...toneInput({ seconds: 10 }), wav]);
});
afterAll(() => remove());

/** Rejects with an AudioInputError: resolves to its problem and message. */
async function rejection(promise: Promise<unknown>): Promise<{ problem: AudioInputProblem; message: string }> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof AudioInputError)) throw new Error(`Expected an AudioInputError, got ${String(error)}`);
  return { problem: error.problem, message: error.message };
}

const probeRejection = (file: string, maxDurationMs?: number) => rejection(probe(file, { tools, maxDurationMs }));

async function probeAndDecodeRejection(file: string) {
  const probed = await probe(file, { tools });
  return rejection(verifyDecodes(file, probed, { tools }));
}

/**
 * A named pipe standing in for a local file that a hostile playlist points at. Opening a FIFO for
 * writing blocks until someone opens it for reading, so `opened()` tells whether ffmpeg ever did.
 */
async function tripwire(name: string) {
  const fifo = at(name);
  await promisify(execFile)('mkfifo', [fifo]);
  let opened = false;
  const writer = open(fifo, 'w').then((handle) => {
    opened = true;
    return handle;
  });
  return {
    path: fifo,
    opened: () => opened,
    release: async () => {
      const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
      await (await writer).close();
      closeSync(reader);
    },
  };
}

describe('hostile and broken uploads', () => {
  it('zero bytes: EMPTY', async () => {
    await writeFile(at('empty.mp3'), '');
    expect(await probeRejection(at('empty.mp3'))).toEqual({ problem: 'EMPTY', message: 'This file is empty.' });
  });

  it('a text file named .mp3: UNSUPPORTED_FORMAT, with the list of formats in the message', async () => {
    await writeFile(at('text.mp3'), 'These are my lyrics, not audio.\nSecond verse.\n');
    expect(await probeRejection(at('text.mp3'))).toEqual({
      problem: 'UNSUPPORTED_FORMAT',
      message: 'This file is not a supported audio format (MP3, AAC/M4A, FLAC, WAV, Ogg Vorbis/Opus, AIFF).',
    });
  });

  it('a PNG named .mp3: UNSUPPORTED_FORMAT', async () => {
    await ffmpeg([
      '-f',
      'lavfi',
      '-i',
      'testsrc=s=64x64',
      '-frames:v',
      '1',
      '-f',
      'image2',
      '-c:v',
      'png',
      at('png.mp3'),
    ]);
    expect((await probeRejection(at('png.mp3'))).problem).toBe('UNSUPPORTED_FORMAT');
  });

  it('an HLS playlist named .mp3 is refused without opening the file it points at', async () => {
    const target = await tripwire('hls-target.wav');
    await writeFile(
      at('playlist.mp3'),
      `#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\n${target.path}\n#EXTINF:10,\n${wav}\n#EXT-X-ENDLIST\n`,
    );
    try {
      expect((await probeRejection(at('playlist.mp3'))).problem).toBe('UNSUPPORTED_FORMAT');
      expect(target.opened()).toBe(false);
    } finally {
      await target.release();
    }
  });

  it('(control) the tripwire does notice when the HLS demuxer follows the playlist', async () => {
    const target = await tripwire('control-target.wav');
    await writeFile(
      at('control.m3u8'),
      `#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\n${target.path}\n#EXT-X-ENDLIST\n`,
    );
    const unguarded = runProcess({
      command: tools.ffprobe,
      args: ['-hide_banner', '-protocol_whitelist', 'file', '-f', 'hls', '-i', at('control.m3u8')],
      timeoutMs: 10_000,
    }).catch(() => undefined);
    await expect.poll(() => target.opened(), { timeout: 5000 }).toBe(true);
    await target.release();
    await unguarded;
  });

  it('an ffconcat list named .mp3 is refused without opening the file it points at', async () => {
    const target = await tripwire('concat-target.wav');
    await writeFile(at('concat.mp3'), `ffconcat version 1.0\nfile ${target.path}\nfile ${wav}\n`);
    try {
      expect((await probeRejection(at('concat.mp3'))).problem).toBe('UNSUPPORTED_FORMAT');
      expect(target.opened()).toBe(false);
    } finally {
      await target.release();
    }
  });

  it('a file named like a protocol URL is still just a file', async () => {
    const tricky = at('concat:x|y.wav');
    await copyFile(wav, tricky);
    expect((await probe(tricky, { tools })).format).toBe('wav');
  });

  it('a video: NOT_AUDIO_ONLY', async () => {
    await ffmpeg([
      '-f',
      'lavfi',
      '-i',
      'testsrc=s=64x64:d=2',
      ...toneInput({ seconds: 2 }),
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-c:a',
      'aac',
      at('video.mp4'),
    ]);
    expect(await probeRejection(at('video.mp4'))).toEqual({
      problem: 'NOT_AUDIO_ONLY',
      message: 'This file contains video. Upload an audio-only file (embedded cover art is fine).',
    });
  });

  it('an MP4 with only a subtitle track: NO_AUDIO', async () => {
    await writeFile(at('words.srt'), '1\n00:00:00,000 --> 00:00:02,000\nHello\n');
    await ffmpeg(['-i', at('words.srt'), '-c:s', 'mov_text', '-f', 'mp4', at('subtitles.m4a')]);
    expect((await probeRejection(at('subtitles.m4a'))).problem).toBe('NO_AUDIO');
  });

  it('longer than allowed: TOO_LONG, saying by how much', async () => {
    expect(await probeRejection(wav, 4000)).toEqual({
      problem: 'TOO_LONG',
      message: 'This recording is 10 s long; the limit is 4 s.',
    });
  });

  it('a WAV whose header claims more than the data: TRUNCATED', async () => {
    await copyFile(wav, at('cut.wav'));
    await truncate(at('cut.wav'), Math.floor((await stat(wav)).size * 0.3));
    const rejected = await probeAndDecodeRejection(at('cut.wav'));
    expect(rejected.problem).toBe('TRUNCATED');
    expect(rejected.message).toMatch(/stops after 3 s of its stated 10 s/);
  });

  it('a FLAC cut short: TRUNCATED', async () => {
    await ffmpeg([...toneInput({ seconds: 10 }), ...tagArgs(), at('whole.flac')]);
    const bytes = await readFile(at('whole.flac'));
    await writeFile(at('cut.flac'), bytes.subarray(0, Math.floor(bytes.length * 0.4)));
    expect((await probeAndDecodeRejection(at('cut.flac'))).problem).toBe('TRUNCATED');
  });

  it('an MP3 cut short: TRUNCATED', async () => {
    await ffmpeg([...toneInput({ seconds: 10 }), '-c:a', 'libmp3lame', at('whole.mp3')]);
    const bytes = await readFile(at('whole.mp3'));
    await writeFile(at('cut.mp3'), bytes.subarray(0, Math.floor(bytes.length * 0.5)));
    expect((await probeAndDecodeRejection(at('cut.mp3'))).problem).toBe('TRUNCATED');
  });

  it('an M4A cut before its moov: UNREADABLE', async () => {
    await ffmpeg([...toneInput({ seconds: 10 }), '-c:a', 'aac', at('whole.m4a')]);
    const bytes = await readFile(at('whole.m4a'));
    const moov = bytes.indexOf('moov');
    expect(moov).toBeGreaterThan(bytes.length / 2);
    await writeFile(at('cut.m4a'), bytes.subarray(0, moov - 100));
    expect(await probeRejection(at('cut.m4a'))).toEqual({
      problem: 'UNREADABLE',
      message: 'This audio file is damaged and could not be read.',
    });
  });

  it('an M4A with its index first but its data cut: TRUNCATED', async () => {
    await ffmpeg([...toneInput({ seconds: 10 }), '-c:a', 'aac', '-movflags', '+faststart', at('faststart.m4a')]);
    const bytes = await readFile(at('faststart.m4a'));
    await writeFile(at('cut-data.m4a'), bytes.subarray(0, Math.floor(bytes.length * 0.4)));
    expect((await probeAndDecodeRejection(at('cut-data.m4a'))).problem).toBe('TRUNCATED');
  });

  it('garbage in the middle of an MP3: UNREADABLE', async () => {
    const bytes = Buffer.from(await readFile(at('whole.mp3')));
    for (let offset = 20_000; offset < bytes.length - 20_000; offset += 4_000) bytes.fill(0x55, offset, offset + 600);
    await writeFile(at('corrupt.mp3'), bytes);
    expect((await probeAndDecodeRejection(at('corrupt.mp3'))).problem).toBe('UNREADABLE');
  });

  it('a missing file: UNREADABLE', async () => {
    expect((await probeRejection(at('nope.mp3'))).problem).toBe('UNREADABLE');
  });
});
