import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DownloadGrant, ServerFrameOf, StreamGrant, Track, WaveformPeaksDto } from '@veza/shared';
import { createLogger } from '../../infra/logger.js';
import { bearer, createTestApp, signUp, type TestApp } from '../../test-support/app.js';
import { AUDIO_FORMATS, ffprobeJson, makeTone, type TestAudioFormat } from '../../test-support/audio-files.js';
import { connect, isType } from '../../test-support/chat.js';
import { baseUrl, listFiles, localize, uploadTrack, waitForState } from '../../test-support/media.js';
import { UrlSigner } from './url-signer.js';

/*
 * The whole path with the real ffmpeg: upload → durable job → HLS ladder, waveform, downloads →
 * signed URLs that ffprobe (as a player would) reads over HTTP.
 */

let t: TestApp;
let dir: string;
let artist: Awaited<ReturnType<typeof signUp>>;
let listener: Awaited<ReturnType<typeof signUp>>;
let track: Track;
let grant: StreamGrant;
const SOURCE_SECONDS = 14;

const get = (url: string, headers: Record<string, string> = {}): Promise<Response> => fetch(url, { headers });
const apiGet = (url: string, token: string): Promise<Response> =>
  fetch(`${baseUrl(t)}/api/v1${url}`, { headers: bearer(token) });

beforeAll(async () => {
  t = await createTestApp();
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  dir = await mkdtemp(path.join(tmpdir(), 'veza-pipeline-'));
  artist = await signUp(t, 'artist');
  listener = await signUp(t, 'listener');
  const file = await makeTone(dir, {
    seconds: SOURCE_SECONDS,
    format: 'mp3',
    tags: { title: 'Tagged Title', artist: 'Tagged Artist', album: 'Tagged Album', genre: 'Ambient' },
    withCover: true,
  });
  const socket = await connect(`ws://127.0.0.1:${new URL(baseUrl(t)).port}/api/v1/ws`, artist.accessToken, {});
  track = await uploadTrack(t, artist.accessToken, file, { genre: 'Drone' });
  const ready = await socket.next(
    (frame) => frame.type === 'track' && frame.trackId === track.id && frame.state === 'ready',
    'the ready frame',
    60_000,
  );
  const progress = socket.frames.filter(isType('track')).filter((f) => f.state === 'processing');
  expect(progress.length).toBeGreaterThan(1);
  const percents = progress.map((f: ServerFrameOf<'track'>) => f.percent);
  expect(percents).toEqual([...percents].sort((a, b) => a - b));
  expect(ready).toMatchObject({ percent: 100 });
  socket.close();
  grant = (await (await apiGet(`/tracks/${track.id}/stream`, listener.accessToken)).json()) as StreamGrant;
  grant = { ...grant, url: localize(t, grant.url) };
}, 120_000);

afterAll(async () => {
  await t?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('upload', () => {
  it('answers 202 with the track processing, fields over tags, tags over defaults', () => {
    expect(track).toMatchObject({
      state: 'processing',
      title: 'Tagged Title',
      artist: 'Tagged Artist',
      album: 'Tagged Album',
      genre: 'Drone',
      ownerId: artist.user.id,
      qualities: [],
    });
    expect(Math.abs(track.durationMs - SOURCE_SECONDS * 1000)).toBeLessThan(100);
  });

  it('records loudness, gain and the renditions once ready', async () => {
    const { rows } = await t.database.db.query<{ gain_db: number; loudness_lufs: number; renditions: unknown[] }>(
      'SELECT gain_db, loudness_lufs, renditions FROM tracks WHERE id = $1',
      [track.id],
    );
    expect(rows[0]!.renditions).toHaveLength(3);
    expect(rows[0]!.loudness_lufs).toBeLessThan(0);
    expect(Number.isFinite(rows[0]!.gain_db)).toBe(true);
  });

  it('leaves no scratch files once the job is done', async () => {
    expect(await listFiles(t.blobs.scratchDir)).toEqual([]);
  });
});

describe('HLS', () => {
  it('signs a master playlist URL that expires in the future', () => {
    expect(grant.url).toMatch(/\/media\/hls\/.+\/master\.m3u8$/);
    expect(Date.parse(grant.expiresAt)).toBeGreaterThan(Date.now() + 60 * 60 * 1000);
  });

  it('serves a master playlist with BANDWIDTH, AVERAGE-BANDWIDTH and CODECS for each rung, by relative URI', async () => {
    const response = await get(grant.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    const text = await response.text();
    const variants = [...text.matchAll(/#EXT-X-STREAM-INF:([^\n]+)\n([^\n]+)/g)];
    expect(variants.map((v) => v[2])).toEqual(['64k/index.m3u8', '128k/index.m3u8', '256k/index.m3u8']);
    for (const [, attributes] of variants) {
      const bandwidth = Number(/(?:^|,)BANDWIDTH=(\d+)/.exec(attributes!)?.[1]);
      const average = Number(/AVERAGE-BANDWIDTH=(\d+)/.exec(attributes!)?.[1]);
      expect(attributes).toContain('CODECS="mp4a.40.2"');
      expect(average).toBeGreaterThan(0);
      expect(average).toBeLessThanOrEqual(bandwidth);
    }
  });

  it('every rung plays: ffprobe reads each variant over HTTP as 48 kHz stereo AAC-LC, within 100 ms of the source', async () => {
    const base = grant.url.replace(/master\.m3u8$/, '');
    for (const rung of ['64k', '128k', '256k']) {
      const info = await ffprobeJson(`${base}${rung}/index.m3u8`);
      const audio = info.streams.find((s) => s.codec_type === 'audio')!;
      expect(audio).toMatchObject({ codec_name: 'aac', profile: 'LC', sample_rate: '48000', channels: 2 });
      expect(Math.abs(Number(info.format.duration) - SOURCE_SECONDS)).toBeLessThan(0.1);
    }
  });

  it('serves init segments as audio/mp4 and media segments as video/iso.segment, immutable, with ETags', async () => {
    const base = grant.url.replace(/master\.m3u8$/, '');
    const playlist = await (await get(`${base}128k/index.m3u8`)).text();
    expect(playlist).toContain('#EXT-X-PLAYLIST-TYPE:VOD');
    expect(playlist).toMatch(/#EXT-X-MAP:URI="init\.mp4"/);
    const segments = playlist.split('\n').filter((line) => line.endsWith('.m4s'));
    expect(segments.length).toBeGreaterThanOrEqual(2);
    for (const name of segments) expect(name).not.toMatch(/[/:]/);

    const init = await get(`${base}128k/init.mp4`);
    expect(init.headers.get('content-type')).toBe('audio/mp4');
    const segment = await get(`${base}128k/${segments[0]}`);
    expect(segment.status).toBe(200);
    expect(segment.headers.get('content-type')).toBe('video/iso.segment');
    expect(segment.headers.get('cache-control')).toMatch(/^public, max-age=\d+, immutable$/);
    expect(segment.headers.get('access-control-allow-origin')).toBe('*');
    const etag = segment.headers.get('etag')!;
    expect(etag).toMatch(/^".+"$/);
    const body = Buffer.from(await segment.arrayBuffer());
    expect(Number(segment.headers.get('content-length'))).toBe(body.length);

    const head = await fetch(`${base}128k/${segments[0]}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBe(body.length);
    expect((await head.arrayBuffer()).byteLength).toBe(0);
    // The same answer through Fastify's route (inject() does not go through the server's fast path).
    const injected = await t.app.inject({ method: 'GET', url: new URL(`${base}128k/${segments[0]}`).pathname });
    expect(injected.statusCode).toBe(200);
    expect(injected.rawPayload).toEqual(body);
    expect(injected.headers['content-type']).toBe('video/iso.segment');

    const again = await get(`${base}128k/${segments[0]}`, { 'if-none-match': etag });
    expect(again.status).toBe(304);

    const ranged = await get(`${base}128k/${segments[0]}`, { range: 'bytes=10-109' });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get('content-range')).toBe(`bytes 10-109/${body.length}`);
    expect(Buffer.from(await ranged.arrayBuffer())).toEqual(body.subarray(10, 110));

    const suffix = await get(`${base}128k/${segments[0]}`, { range: 'bytes=-20' });
    expect(Buffer.from(await suffix.arrayBuffer())).toEqual(body.subarray(body.length - 20));

    const beyond = await get(`${base}128k/${segments[0]}`, { range: `bytes=${body.length}-` });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe(`bytes */${body.length}`);
  });
});

describe('signed URLs', () => {
  const parts = () => {
    const url = new URL(grant.url);
    const [, , , trackId, version, userId, expires, signature] = url.pathname.split('/');
    return {
      origin: url.origin,
      trackId: trackId!,
      version: version!,
      userId: userId!,
      expires: expires!,
      signature: signature!,
    };
  };
  const build = (p: ReturnType<typeof parts>, file = 'master.m3u8') =>
    `${p.origin}/media/hls/${p.trackId}/${p.version}/${p.userId}/${p.expires}/${p.signature}/${file}`;

  it('refuses a forged signature with 403 and a reason', async () => {
    const p = parts();
    const flipped = p.signature.slice(0, -1) + (p.signature.endsWith('A') ? 'B' : 'A');
    const response = await get(build({ ...p, signature: flipped }));
    expect(response.status).toBe(403);
    expect(response.headers.get('cache-control')).toBe('no-store');
    // Readable by a player on another origin, so it can tell an expired link from a network error.
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(await response.json()).toEqual({
      error: { code: 'FORBIDDEN', message: expect.stringMatching(/not valid/) },
    });
  });

  it("refuses another user's or another track's path under the same signature", async () => {
    const p = parts();
    expect((await get(build({ ...p, userId: artist.user.id }))).status).toBe(403);
    expect((await get(build({ ...p, trackId: '00000000-0000-4000-8000-000000000000' }))).status).toBe(403);
    expect((await get(build({ ...p, expires: String(Number(p.expires) + 3600) }))).status).toBe(403);
    expect((await get(build({ ...p, version: String(Number(p.version) + 1) }))).status).toBe(403);
  });

  it('refuses an expired link with 403 (validly signed, with an expiry in the past)', async () => {
    // The server's own signer (same secret), so only the expiry is wrong.
    const signer = new UrlSigner(t.jwtSecret, { ttlSeconds: 60, bucketSeconds: 60 });
    const p = parts();
    const past = Math.floor(Date.now() / 1000) - 3600;
    const grant = { scope: 'hls' as const, trackId: p.trackId, mediaVersion: Number(p.version), userId: p.userId };
    const signature = signer.sign({ ...grant, expiresAt: past });
    const response = await get(build({ ...p, expires: String(past), signature }));
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/expired/);
    // The same signer's fresh signature for the same path works: the test checks expiry, not the key.
    const fresh = Math.floor(Date.now() / 1000) + 3600;
    const ok = await get(
      build({ ...p, expires: String(fresh), signature: signer.sign({ ...grant, expiresAt: fresh }) }),
    );
    expect(ok.status).toBe(200);
  });

  it('keeps signed media paths (the credential) out of the request log', async () => {
    const lines: string[] = [];
    const logged = await createTestApp({
      jwtSecret: t.jwtSecret,
      logger: createLogger('info', { write: (line: string) => void lines.push(line) }),
    });
    try {
      const path = new URL(grant.url).pathname;
      const response = await logged.app.inject({ method: 'GET', url: path });
      // Same secret, so the signature is valid here; this app has no files, hence the 404.
      expect(response.statusCode).toBe(404);
      expect(lines.join('\n')).not.toContain(parts().signature);
      // The log does carry request lines (a successful probe would be at debug only).
      await logged.app.inject({ method: 'GET', url: '/api/v1/me' });
      expect(lines.join('\n')).toContain('/api/v1/me');
    } finally {
      await logged.close();
    }
  });

  it('answers 404 to path traversal and to names a ladder does not have', async () => {
    const p = parts();
    const base = build(p, '');
    for (const attempt of [
      '../../../../etc/passwd',
      '128k/../../../../source',
      '%2e%2e/%2e%2e/source',
      '128k%2f..%2f..%2fsource',
      '..%5c..%5csource',
      '128k/seg_00000.m4s/../../peaks.json',
      'peaks.json',
      'source',
      '128k/index.m3u8%00.m4s',
      '512k/index.m3u8',
    ]) {
      const response = await fetch(`${base}${attempt}`);
      expect([404], attempt).toContain(response.status);
    }
  });
});

describe('download for offline use', () => {
  it('gives a signed M4A of one rendition with Content-Length, Range and a matching checksum', async () => {
    const response = await apiGet(`/tracks/${track.id}/download?quality=128k`, listener.accessToken);
    expect(response.status).toBe(200);
    const signed = (await response.json()) as DownloadGrant;
    const download = { ...signed, url: localize(t, signed.url) };
    expect(download).toMatchObject({ quality: '128k', contentType: 'audio/mp4' });

    const file = await get(download.url);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('audio/mp4');
    expect(file.headers.get('content-disposition')).toMatch(/^attachment; filename=".+\.m4a"$/);
    const body = Buffer.from(await file.arrayBuffer());
    expect(Number(file.headers.get('content-length'))).toBe(download.sizeBytes);
    expect(body.length).toBe(download.sizeBytes);
    expect(createHash('sha256').update(body).digest('hex')).toBe(download.sha256);

    const ranged = await get(download.url, { range: 'bytes=100-' });
    expect(ranged.status).toBe(206);
    expect(Buffer.from(await ranged.arrayBuffer())).toEqual(body.subarray(100));

    const info = await ffprobeJson(download.url);
    expect(info.streams[0]).toMatchObject({ codec_name: 'aac' });
    expect(Math.abs(Number(info.format.duration) - SOURCE_SECONDS)).toBeLessThan(0.1);
  });

  it('refuses an unknown quality with 400', async () => {
    expect((await apiGet(`/tracks/${track.id}/download?quality=999k`, listener.accessToken)).status).toBe(400);
  });
});

describe('waveform and cover', () => {
  it('serves peaks: about 8 points per second, min/max pairs within [-1, 1], with an ETag', async () => {
    const response = await apiGet(`/tracks/${track.id}/peaks`, listener.accessToken);
    expect(response.status).toBe(200);
    const peaks = (await response.json()) as WaveformPeaksDto;
    expect(peaks.samplesPerSecond).toBe(8);
    expect(Math.abs(peaks.length - SOURCE_SECONDS * 8)).toBeLessThanOrEqual(2);
    expect(peaks.data).toHaveLength(peaks.length * 2);
    for (const value of peaks.data) expect(Math.abs(value)).toBeLessThanOrEqual(1);
    // A steady sine normalised by its own maximum: the loudest point reaches 1.
    expect(Math.max(...peaks.data)).toBeCloseTo(1, 1);
    const etag = response.headers.get('etag')!;
    const again = await fetch(`${baseUrl(t)}/api/v1/tracks/${track.id}/peaks`, {
      headers: { ...bearer(listener.accessToken), 'if-none-match': etag },
    });
    expect(again.status).toBe(304);
  });

  it('serves the embedded cover art as a JPEG without a session', async () => {
    const response = await fetch(`${baseUrl(t)}${track.coverUrl}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/jpeg');
    const body = Buffer.from(await response.arrayBuffer());
    expect(body.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
  });
});

describe('each accepted format', () => {
  const formats = Object.keys(AUDIO_FORMATS) as TestAudioFormat[];
  it.each(formats)(
    '%s uploads and becomes ready, its duration kept',
    async (format) => {
      const file = await makeTone(dir, { seconds: 4, format, frequency: 220 + formats.indexOf(format) * 50 });
      const uploaded = await uploadTrack(t, artist.accessToken, file);
      expect(Math.abs(uploaded.durationMs - 4000)).toBeLessThan(100);
      await waitForState(t, uploaded.id, 'ready');
      const stream = (await (await apiGet(`/tracks/${uploaded.id}/stream`, artist.accessToken)).json()) as StreamGrant;
      const info = await ffprobeJson(localize(t, stream.url).replace(/master\.m3u8$/, '64k/index.m3u8'));
      expect(Math.abs(Number(info.format.duration) - 4)).toBeLessThan(0.1);
    },
    60_000,
  );
});

describe('delete', () => {
  it('only the uploader or an admin deletes; deleting removes the rows and every file, and the links stop working', async () => {
    const other = await signUp(t, 'artist');
    const del = (token: string) =>
      fetch(`${baseUrl(t)}/api/v1/tracks/${track.id}`, { method: 'DELETE', headers: bearer(token) });
    expect((await del(other.accessToken)).status).toBe(403);
    expect((await del(listener.accessToken)).status).toBe(403);
    // The uploader's own key, scoped to listening only, cannot delete either.
    const keyResponse = await fetch(`${baseUrl(t)}/api/v1/api-keys`, {
      method: 'POST',
      headers: { ...bearer(artist.accessToken), 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'player', scopes: ['tracks:play'] }),
    });
    expect((await del(((await keyResponse.json()) as { key: string }).key)).status).toBe(403);

    const base = grant.url.replace(/master\.m3u8$/, '');
    // Warm the memory cache, so the test also shows that deletion evicts it.
    expect((await get(`${base}128k/init.mp4`)).status).toBe(200);
    expect(await listFiles(path.join(t.blobs.root, 'tracks', track.id))).not.toEqual([]);

    expect((await del(artist.accessToken)).status).toBe(204);
    expect(await listFiles(path.join(t.blobs.root, 'tracks', track.id))).toEqual([]);
    const { rows } = await t.database.db.query('SELECT 1 FROM tracks WHERE id = $1', [track.id]);
    expect(rows).toEqual([]);
    expect((await get(grant.url)).status).toBe(404);
    expect((await get(`${base}128k/init.mp4`)).status).toBe(404);
    expect((await apiGet(`/tracks/${track.id}/stream`, listener.accessToken)).status).toBe(404);
    expect((await del(artist.accessToken)).status).toBe(404);
  });
});
