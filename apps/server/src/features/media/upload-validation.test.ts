import { readFile, mkdtemp, rm, truncate, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, signUp, type TestApp } from '../../test-support/app.js';
import { averageColor, makeTextFile, makeTone, makeVideo } from '../../test-support/audio-files.js';
import { DEFAULT_MEDIA_LIMITS } from './service.js';
import { baseUrl, listFiles, uploadFile, waitForState } from '../../test-support/media.js';

/*
 * Hostile and broken uploads: each is refused with a clear, coded error, and nothing is left in
 * the store, in scratch or in the database.
 */

const LIMIT = 512 * 1024;
let t: TestApp;
let dir: string;
let artist: Awaited<ReturnType<typeof signUp>>;
let good: string;

beforeAll(async () => {
  t = await createTestApp({
    limits: { media: { uploadMaxBytes: LIMIT, maxDurationMs: 60_000, inspectTimeoutMs: 30_000 } },
  });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  dir = await mkdtemp(path.join(tmpdir(), 'veza-hostile-'));
  artist = await signUp(t, 'artist');
  good = await makeTone(dir, { seconds: 3, format: 'mp3' });
});

afterAll(async () => {
  await t?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function expectNothingLeft(): Promise<void> {
  expect(await listFiles(t.blobs.root)).toEqual([]);
  const { rows } = await t.database.db.query<{ n: string }>(
    `SELECT (SELECT count(*) FROM tracks) + (SELECT count(*) FROM jobs WHERE state <> 'done') AS n`,
  );
  expect(rows[0]!.n).toBe('0');
}

async function expectRefused(response: Response, status: number, code: string, message: RegExp): Promise<void> {
  const body = (await response.json()) as { error: { code: string; message: string } };
  expect({ status: response.status, ...body.error }).toEqual({ status, code, message: expect.stringMatching(message) });
  await expectNothingLeft();
}

describe('hostile and broken files', () => {
  it('refuses a text file named .mp3', async () => {
    const file = await makeTextFile(dir, 'notes.mp3', 'just some words, not audio at all\n'.repeat(50));
    await expectRefused(await uploadFile(t, artist.accessToken, file), 422, 'INVALID_AUDIO', /not a supported audio/i);
  });

  it('refuses a PNG named .mp3', async () => {
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
      'base64',
    );
    const file = await makeTextFile(dir, 'picture.mp3', png);
    await expectRefused(await uploadFile(t, artist.accessToken, file), 422, 'INVALID_AUDIO', /audio/i);
  });

  it('refuses a zero-byte file', async () => {
    const file = await makeTextFile(dir, 'empty.mp3', '');
    await expectRefused(await uploadFile(t, artist.accessToken, file), 422, 'INVALID_AUDIO', /empty/i);
  });

  it.each([
    ['a WAV whose header promises more audio than the file holds', 'wav'],
    ['a FLAC cut short', 'flac'],
  ] as const)('refuses %s', async (_what, format) => {
    const full = await makeTone(dir, { seconds: 4, format, name: `${format}-to-cut` });
    const cut = path.join(dir, `truncated.${format}`);
    await writeFile(cut, (await readFile(full)).subarray(0, Math.floor((await stat(full)).size / 3)));
    await expectRefused(
      await uploadFile(t, artist.accessToken, cut),
      422,
      'INVALID_AUDIO',
      /truncated|incomplete|damaged/i,
    );
  });

  it('refuses an M4A cut before its index', async () => {
    const full = await makeTone(dir, { seconds: 4, format: 'm4a', name: 'm4a-to-cut' });
    await truncate(full, Math.floor((await stat(full)).size / 2));
    await expectRefused(await uploadFile(t, artist.accessToken, full), 422, 'INVALID_AUDIO', /./);
  });

  it('never follows an HLS playlist disguised as audio (it points at a real local file)', async () => {
    const file = await makeTextFile(
      dir,
      'playlist.mp3',
      `#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:3.0,\nfile://${good}\n#EXTINF:3.0,\n${good}\n#EXT-X-ENDLIST\n`,
    );
    await expectRefused(await uploadFile(t, artist.accessToken, file), 422, 'INVALID_AUDIO', /not a supported audio/i);
  });

  it('never follows an ffconcat list disguised as audio', async () => {
    const file = await makeTextFile(dir, 'list.mp3', `ffconcat version 1.0\nfile '${good}'\nfile '${good}'\n`);
    await expectRefused(await uploadFile(t, artist.accessToken, file), 422, 'INVALID_AUDIO', /not a supported audio/i);
  });

  it('treats a concat: or URL file name as a name, never as an input', async () => {
    const response = await uploadFile(t, artist.accessToken, good, {}, `concat:${good}|${good}`);
    expect(response.status).toBe(202);
    const track = (await response.json()) as { id: string; title: string; durationMs: number };
    // Three seconds, once: the file itself was read, not the list in its name.
    expect(Math.abs(track.durationMs - 3000)).toBeLessThan(100);
    await waitForState(t, track.id, 'ready');
    await t.app.inject({ method: 'DELETE', url: `/api/v1/tracks/${track.id}`, headers: bearer(artist.accessToken) });
    await expectNothingLeft();
  });

  it('takes the audio of a file whose embedded picture is huge, with a placeholder cover instead', async () => {
    const file = await makeTone(dir, {
      seconds: 2,
      format: 'mp3',
      withCover: true,
      coverSize: '6000x6000',
      name: 'huge-art',
    });
    const response = await uploadFile(t, artist.accessToken, file);
    expect(response.status).toBe(202);
    const track = (await response.json()) as { id: string; coverUrl: string };
    const cover = await fetch(`${baseUrl(t)}${track.coverUrl}`);
    expect(cover.status).toBe(200);
    // The 6000 px art (solid #3366cc) was not decoded: the cover is the generated placeholder.
    const [r, g, b] = await averageColor(Buffer.from(await cover.arrayBuffer()));
    expect(Math.abs(r - 0x33) + Math.abs(g - 0x66) + Math.abs(b - 0xcc)).toBeGreaterThan(30);
    await waitForState(t, track.id, 'ready');
    await t.app.inject({ method: 'DELETE', url: `/api/v1/tracks/${track.id}`, headers: bearer(artist.accessToken) });
    await expectNothingLeft();
  });

  it('refuses a video', async () => {
    const file = await makeVideo(dir);
    await expectRefused(
      await uploadFile(t, artist.accessToken, file),
      422,
      'INVALID_AUDIO',
      /audio only|video|picture/i,
    );
  });
});

describe('limits and form', () => {
  it('stops reading an upload as soon as it passes the size limit: 413, nothing stored', async () => {
    const big = await makeTone(dir, { seconds: 12, format: 'wav', name: 'big' });
    expect((await stat(big)).size).toBeGreaterThan(LIMIT * 2);
    const response = await uploadFile(t, artist.accessToken, big);
    await expectRefused(response, 413, 'PAYLOAD_TOO_LARGE', /512 KB upload limit/);
  });

  it('refuses a chunked upload over the limit while it streams (no Content-Length to trust)', async () => {
    const big = await readFile(await makeTone(dir, { seconds: 12, format: 'wav', name: 'big-chunked' }));
    const boundary = 'vezaboundary';
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.wav"\r\nContent-Type: audio/wav\r\n\r\n`,
    );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(head);
        for (let i = 0; i < big.length; i += 64 * 1024) controller.enqueue(big.subarray(i, i + 64 * 1024));
        controller.enqueue(tail);
        controller.close();
      },
    });
    const response = await fetch(`${baseUrl(t)}/api/v1/tracks`, {
      method: 'POST',
      headers: { ...bearer(artist.accessToken), 'content-type': `multipart/form-data; boundary=${boundary}` },
      body,
      duplex: 'half',
    } as RequestInit);
    await expectRefused(response, 413, 'PAYLOAD_TOO_LARGE', /upload limit/);
  });

  it('requires the file part', async () => {
    const form = new FormData();
    form.append('title', 'No file');
    const response = await fetch(`${baseUrl(t)}/api/v1/tracks`, {
      method: 'POST',
      headers: bearer(artist.accessToken),
      body: form,
    });
    await expectRefused(response, 400, 'VALIDATION_FAILED', /body\.file is required/);
  });

  it('refuses unknown fields, over-long fields and NUL characters', async () => {
    await expectRefused(
      await uploadFile(t, artist.accessToken, good, { mood: 'happy' }),
      400,
      'VALIDATION_FAILED',
      /body\.mood is not allowed/,
    );
    await expectRefused(
      await uploadFile(t, artist.accessToken, good, { title: 'x'.repeat(201) }),
      400,
      'VALIDATION_FAILED',
      /body\.title/,
    );
    await expectRefused(
      await uploadFile(t, artist.accessToken, good, { title: 'bad\u0000title' }),
      400,
      'VALIDATION_FAILED',
      /body\.title/,
    );
    await expectRefused(
      await uploadFile(t, artist.accessToken, good, { artist: '   ' }),
      400,
      'VALIDATION_FAILED',
      /body\.artist/,
    );
  });

  it('refuses two files in one upload', async () => {
    const form = new FormData();
    const blob = new Blob([await readFile(good)]);
    form.append('file', blob, 'a.wav');
    form.append('file', blob, 'b.wav');
    const response = await fetch(`${baseUrl(t)}/api/v1/tracks`, {
      method: 'POST',
      headers: bearer(artist.accessToken),
      body: form,
    });
    expect(response.status).toBe(413);
    // The first file may have been read completely: it must still not be kept.
    await expectNothingLeft();
  });

  it('refuses a JSON body with 415', async () => {
    const response = await fetch(`${baseUrl(t)}/api/v1/tracks`, {
      method: 'POST',
      headers: { ...bearer(artist.accessToken), 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'x' }),
    });
    await expectRefused(response, 415, 'UNSUPPORTED_MEDIA_TYPE', /multipart/);
  });
});

describe('uploads in flight', () => {
  it('allows two at once per user, refuses a third with 429, and frees the slots (and the scratch) when clients hang up', async () => {
    const boundary = 'vezaslow';
    const pending: AbortController[] = [];
    const started: Promise<unknown>[] = [];
    let sent = 0;
    const arrived = new Promise<void>((resolve) => {
      const check = setInterval(async () => {
        if ((await listFiles(t.blobs.scratchDir)).length >= 2) {
          clearInterval(check);
          resolve();
        }
      }, 20);
    });
    for (let i = 0; i < 2; i++) {
      const abort = new AbortController();
      pending.push(abort);
      // A body that starts and then stalls: the upload stays in flight until the client gives up.
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(
            Buffer.from(
              `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="slow.mp3"\r\n\r\n` +
                'x'.repeat(1000),
            ),
          );
          sent += 1;
        },
      });
      started.push(
        fetch(`${baseUrl(t)}/api/v1/tracks`, {
          method: 'POST',
          headers: { ...bearer(artist.accessToken), 'content-type': `multipart/form-data; boundary=${boundary}` },
          body,
          duplex: 'half',
          signal: abort.signal,
        } as RequestInit).catch(() => undefined),
      );
    }
    await arrived;
    expect(sent).toBe(2);

    const third = await uploadFile(t, artist.accessToken, good);
    expect(third.status).toBe(429);
    expect(((await third.json()) as { error: { message: string } }).error.message).toMatch(/2 uploads in progress/);

    for (const abort of pending) abort.abort();
    await Promise.all(started);
    // The server notices the hang-ups, removes the partial files and gives the slots back.
    const deadline = Date.now() + 5_000;
    while ((await listFiles(t.blobs.scratchDir)).length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await expectNothingLeft();
    const fourth = await uploadFile(t, artist.accessToken, good);
    expect(fourth.status).toBe(202);
    const track = (await fourth.json()) as { id: string };
    await waitForState(t, track.id, 'ready');
    await t.app.inject({ method: 'DELETE', url: `/api/v1/tracks/${track.id}`, headers: bearer(artist.accessToken) });
    await expectNothingLeft();
  });
});

describe('who may upload', () => {
  it('refuses listeners and anonymous callers', async () => {
    const listener = await signUp(t, 'listener');
    expect((await uploadFile(t, listener.accessToken, good)).status).toBe(403);
    const anonymous = await fetch(`${baseUrl(t)}/api/v1/tracks`, { method: 'POST', body: new FormData() });
    expect(anonymous.status).toBe(401);
    await expectNothingLeft();
  });
});

describe('length limit', () => {
  it('refuses a track longer than the limit with a sentence naming it', async () => {
    const strict = await createTestApp({ limits: { media: { ...DEFAULT_MEDIA_LIMITS, maxDurationMs: 2_000 } } });
    try {
      await strict.app.listen({ host: '127.0.0.1', port: 0 });
      const user = await signUp(strict, 'artist');
      const response = await uploadFile(strict, user.accessToken, good);
      expect(response.status).toBe(422);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error).toEqual({ code: 'INVALID_AUDIO', message: expect.stringMatching(/limit is 2 s/) });
      expect(await listFiles(strict.blobs.root)).toEqual([]);
    } finally {
      await strict.close();
    }
  });
});

describe('a server without ffmpeg', () => {
  it('answers uploads with 503 and says what to install, before reading the file', async () => {
    const bare = await createTestApp({ audioTools: null });
    try {
      await bare.app.listen({ host: '127.0.0.1', port: 0 });
      const user = await signUp(bare, 'artist');
      const response = await uploadFile(bare, user.accessToken, good);
      expect(response.status).toBe(503);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error).toEqual({
        code: 'SERVICE_UNAVAILABLE',
        message: expect.stringMatching(/ffmpeg was not found/),
      });
      expect(await listFiles(bare.blobs.root)).toEqual([]);
    } finally {
      await bare.close();
    }
  });
});
