import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRendition } from './download.js';
import { AudioCancelledError } from './errors.js';
import { transcodeLadder, type LadderResult } from './ladder.js';
import { measureLoudness } from './loudness.js';
import { parseMediaPlaylist } from './playlist.js';
import { probe } from './probe.js';
import { type AudioProbe } from './probe-result.js';
import { ffmpeg, ffprobeJson, noiseInput, tempDir, toneInput, tools } from './test-support/fixtures.js';

const SOURCE_MS = 14_000;
let dir: string;
let remove: () => Promise<void>;
let source: string;
let probed: AudioProbe;
let result: LadderResult;
const progress: number[] = [];
const outDir = () => path.join(dir, 'hls');

interface ProbedStream {
  codec_name: string;
  profile: string;
  sample_rate: string;
  channels: number;
}

beforeAll(async () => {
  ({ dir, remove } = await tempDir('ladder'));
  // Mono at 44.1 kHz, so the output's 48 kHz stereo is the ladder's doing.
  source = path.join(dir, 'source.flac');
  await ffmpeg([...noiseInput(SOURCE_MS / 1000, 1), source]);
  probed = await probe(source, { tools });
  result = await transcodeLadder({ file: source, probed }, outDir(), undefined, {
    tools,
    onProgress: (percent) => progress.push(percent),
  });
});
afterAll(() => remove());

describe('transcodeLadder', () => {
  it('lays out one folder per rung with init.mp4, numbered segments and a media playlist', async () => {
    expect(result.masterPlaylist).toBe('master.m3u8');
    expect(result.variants.map(({ id, bitrate, playlist }) => ({ id, bitrate, playlist }))).toEqual([
      { id: '64k', bitrate: 64_000, playlist: '64k/index.m3u8' },
      { id: '128k', bitrate: 128_000, playlist: '128k/index.m3u8' },
      { id: '256k', bitrate: 256_000, playlist: '256k/index.m3u8' },
    ]);
    expect((await readdir(outDir())).sort()).toEqual(['128k', '256k', '64k', 'master.m3u8']);
    expect((await readdir(path.join(outDir(), '128k'))).sort()).toEqual([
      'index.m3u8',
      'init.mp4',
      'seg_00000.m4s',
      'seg_00001.m4s',
      'seg_00002.m4s',
    ]);
  });

  it('writes a master playlist with measured bandwidths, AAC-LC codecs and relative URIs', async () => {
    const lines = (await readFile(path.join(outDir(), 'master.m3u8'), 'utf8')).trim().split('\n');
    expect(lines.slice(0, 3)).toEqual(['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-INDEPENDENT-SEGMENTS']);
    const entries = lines.slice(3);
    expect(entries).toHaveLength(2 * result.variants.length);
    result.variants.forEach((variant, i) => {
      const match = /^#EXT-X-STREAM-INF:BANDWIDTH=(\d+),AVERAGE-BANDWIDTH=(\d+),CODECS="mp4a\.40\.2"$/.exec(
        entries[2 * i] ?? '',
      );
      expect(match, entries[2 * i]).not.toBeNull();
      const [peak, average] = [Number(match?.[1]), Number(match?.[2])];
      expect(peak).toBe(variant.bandwidth);
      expect(average).toBe(variant.averageBandwidth);
      expect(average).toBeLessThanOrEqual(peak);
      // Real sizes: near the target bit rate, plus container overhead.
      expect(average).toBeGreaterThan(variant.bitrate * 0.6);
      expect(peak).toBeLessThan(variant.bitrate * 1.6);
      expect(entries[2 * i + 1]).toBe(variant.playlist);
    });
  });

  it('cuts ~6 s segments and keeps every playlist URI relative', async () => {
    for (const variant of result.variants) {
      const playlist = parseMediaPlaylist(await readFile(path.join(outDir(), variant.playlist), 'utf8'));
      expect(playlist.ended).toBe(true);
      expect(playlist.targetDurationSec).toBe(6);
      expect(playlist.mapUri).toBe('init.mp4');
      const durations = playlist.segments.map((segment) => segment.durationSec);
      expect(durations).toHaveLength(3);
      for (const duration of durations.slice(0, -1)) expect(Math.abs(duration - 6)).toBeLessThan(0.1);
      expect(playlist.segments.map((segment) => segment.uri)).toEqual([
        'seg_00000.m4s',
        'seg_00001.m4s',
        'seg_00002.m4s',
      ]);
      expect(variant.segmentCount).toBe(3);
    }
  });

  it('every rung plays: 48 kHz stereo AAC-LC lasting as long as the source', async () => {
    for (const variant of result.variants) {
      const info = (await ffprobeJson([
        '-protocol_whitelist',
        'file',
        '-show_format',
        '-show_streams',
        path.join(outDir(), variant.playlist),
      ])) as { format: { duration: string }; streams: ProbedStream[] };
      expect(info.streams).toHaveLength(1);
      expect(info.streams[0]).toMatchObject({ codec_name: 'aac', profile: 'LC', sample_rate: '48000', channels: 2 });
      expect(Math.abs(Number(info.format.duration) * 1000 - SOURCE_MS)).toBeLessThanOrEqual(100);
      expect(Math.abs(variant.durationMs - SOURCE_MS)).toBeLessThanOrEqual(100);
    }
    expect(Math.abs(result.durationMs - SOURCE_MS)).toBeLessThanOrEqual(100);
  });

  it('reports progress that only rises and ends at 100', () => {
    expect(progress.at(-1)).toBe(100);
    expect(progress.every((percent, i) => i === 0 || percent > (progress[i - 1] ?? -1))).toBe(true);
  });

  it('measures loudness in the same pass', async () => {
    const standalone = await measureLoudness({ file: source, probed }, { tools });
    expect(result.loudness).toEqual(standalone);
    expect(result.loudness.integratedLufs).toBeGreaterThan(-40);
    expect(result.loudness.integratedLufs).toBeLessThan(-5);
    expect(result.loudness.truePeakDbtp).toBeLessThan(0);
  });

  it('can be cancelled part-way', async () => {
    const long = path.join(dir, 'long.flac');
    await ffmpeg([...toneInput({ seconds: 240 }), long]);
    const longProbe = await probe(long, { tools });
    const controller = new AbortController();
    const running = transcodeLadder({ file: long, probed: longProbe }, path.join(dir, 'cancelled'), undefined, {
      tools,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    await expect(running).rejects.toBeInstanceOf(AudioCancelledError);
  });
});

describe('packageRendition', () => {
  it('remuxes a rung into a progressive M4A with the index first', async () => {
    const out = path.join(dir, 'download.m4a');
    const { sizeBytes } = await packageRendition(path.join(outDir(), '128k'), out, { tools });
    expect(sizeBytes).toBeGreaterThan(100_000);
    const info = (await ffprobeJson(['-show_format', '-show_streams', out])) as {
      format: { format_name: string; duration: string };
      streams: ProbedStream[];
    };
    expect(info.format.format_name).toContain('mp4');
    expect(info.streams).toHaveLength(1);
    expect(info.streams[0]).toMatchObject({ codec_name: 'aac', sample_rate: '48000', channels: 2 });
    expect(Math.abs(Number(info.format.duration) * 1000 - SOURCE_MS)).toBeLessThanOrEqual(100);
    const bytes = await readFile(out);
    expect(bytes.indexOf('moov')).toBeLessThan(bytes.indexOf('mdat'));
  });

  it('refuses a folder whose playlist points elsewhere', async () => {
    const rogue = path.join(dir, 'rogue');
    await ffmpeg(['-f', 'lavfi', '-i', 'anullsrc', '-t', '1', path.join(dir, 'unused.wav')]);
    await mkdir(rogue, { recursive: true });
    await writeFile(
      path.join(rogue, 'index.m3u8'),
      '#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXT-X-MAP:URI="init.mp4"\n#EXTINF:1,\n../unused.wav\n#EXT-X-ENDLIST\n',
    );
    await expect(packageRendition(rogue, path.join(dir, 'rogue.m4a'), { tools })).rejects.toThrow(
      /not a complete rendition/,
    );
  });
});
