import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { DownloadGrant } from '@veza/shared';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LibraryTrack } from '../../common/contract.js';
import { startTestServer, type TestServer } from '../../test-support/test-server.js';
import { createLocalFileResponse, resolveLocalMediaPath } from '../media/local-media.js';
import { verifyDownload } from './downloads/download-file.js';
import { LibraryService } from './library-service.js';
import {
  createLibraryFixture,
  LOCAL_MEDIA_BASE,
  until,
  uploadTone,
  type LibraryFixture,
} from './testing/library-fixture.js';

const run = promisify(execFile);

let server: TestServer;
let artist: LibraryFixture;
let fan: LibraryFixture;
let work: string;
let track: LibraryTrack;
let longTrack: LibraryTrack;

beforeAll(async () => {
  server = await startTestServer();
  artist = await createLibraryFixture(server, 'artist');
  fan = await createLibraryFixture(server, 'listener');
  work = await mkdtemp(path.join(tmpdir(), 'veza-downloads-'));
  track = await uploadTone(artist, work, { title: 'Offline Tone', artist: 'Downloader', seconds: 4 });
  longTrack = await uploadTone(artist, work, { title: 'Long Tone', artist: 'Downloader', seconds: 40, frequency: 220 });
}, 120_000);
afterAll(async () => {
  await artist?.close();
  await fan?.close();
  await server?.close();
  await rm(work, { recursive: true, force: true });
});

const downloadsDir = (fixture: LibraryFixture) => fixture.service.localMediaRoots().downloads!;
const entryOf = async (fixture: LibraryFixture, trackId: string) =>
  (await fixture.service.listDownloads()).entries.find((entry) => entry.trackId === trackId);

beforeEach(async () => {
  // Every test starts with nothing downloaded and the default quota.
  for (const entry of (await fan.service.listDownloads()).entries) {
    await fan.service.removeDownload({ trackId: entry.trackId });
  }
  fan.settings.downloadQuotaBytes = 10 * 1024 ** 3;
  fan.online.value = true;
});

describe('downloads', () => {
  it('downloads a verified copy that plays from the file, online or not', async () => {
    fan.events.length = 0;
    const queued = await fan.service.downloadTracks({ trackIds: [track.id] });
    expect(queued.entries).toEqual([
      expect.objectContaining({ trackId: track.id, title: 'Offline Tone', artist: 'Downloader', quality: '128k' }),
    ]);
    await fan.service.idle();

    const view = await fan.service.listDownloads();
    const entry = view.entries[0]!;
    expect(entry).toMatchObject({ state: 'done', error: null, quality: '128k' });
    expect(entry.completedAt).not.toBeNull();
    expect(entry.receivedBytes).toBe(entry.totalBytes);
    expect(view.usedBytes).toBe(entry.totalBytes);

    // The file is exactly what the server announced.
    const grant = await fan.api.request<DownloadGrant>('GET', `/api/v1/tracks/${track.id}/download`, {
      query: { quality: '128k' },
    });
    const file = path.join(downloadsDir(fan), `${track.id}-128k.m4a`);
    const bytes = await readFile(file);
    expect(bytes.length).toBe(grant.sizeBytes);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(grant.sha256);
    expect(await readdir(downloadsDir(fan))).toEqual([`${track.id}-128k.m4a`]);

    // Playable: ffprobe reads an AAC stream of the track's duration.
    const { stdout } = await run('ffprobe', [
      '-v',
      'error',
      '-show_entries',
      'format=duration:stream=codec_name',
      '-of',
      'json',
      file,
    ]);
    const probe = JSON.parse(stdout) as { format: { duration: string }; streams: { codec_name: string }[] };
    expect(probe.streams[0]!.codec_name).toBe('aac');
    expect(Math.abs(Number(probe.format.duration) * 1000 - track.durationMs)).toBeLessThan(100);

    // Progress and state changes were announced.
    const changes = fan.events.flatMap((event) => (event.type === 'downloads.changed' ? [event.downloads] : []));
    expect(changes.some((d) => d.entries[0]?.state === 'downloading')).toBe(true);
    expect(changes.at(-1)!.entries[0]!.state).toBe('done');

    // resolvePlayback prefers the file, even online, and the URL maps back to it.
    const online = await fan.service.resolvePlayback({ trackId: track.id, quality: 'auto' });
    expect(online).toMatchObject({ kind: 'offline', mimeType: 'audio/mp4' });
    // The waveform came with the download, so the offline copy has it from its first play.
    expect(online.peaks?.length).toBeGreaterThan(0);
    expect(online.url).toBe(`${LOCAL_MEDIA_BASE}downloads/${track.id}-128k.m4a`);
    expect(online.track.downloaded).toBe(true);
    const urlPath = new URL(online.url).pathname.replace(/^\/local-media/, '');
    const resolved = resolveLocalMediaPath(fan.service.localMediaRoots(), urlPath);
    expect(resolved).toBe(file);

    // Served to the renderer with Range, as the <audio> element seeks.
    const response = await createLocalFileResponse(resolved!, { method: 'GET', range: 'bytes=100-1099' });
    expect(response.status).toBe(206);
    expect(response.headers.get('content-type')).toBe('audio/mp4');
    expect(response.headers.get('content-range')).toBe(`bytes 100-1099/${bytes.length}`);
    expect(Buffer.from(await response.arrayBuffer()).equals(bytes.subarray(100, 1100))).toBe(true);

    // With the server gone: still the file (how fast is scripts/bench/desktop-first-audio.mjs's job).
    await server.stop();
    try {
      fan.online.value = false;
      const offline = await fan.service.resolvePlayback({ trackId: track.id, quality: 'auto' });
      expect(offline).toMatchObject({ kind: 'offline', url: online.url, gainDb: track.gainDb ?? 0 });
      expect(offline.peaks).toEqual(online.peaks);
    } finally {
      await server.restart();
    }
  });

  it('rejects a copy whose checksum does not match and leaves nothing behind', async () => {
    // The server announces a wrong digest for this rendition, as a corrupted mirror would.
    const { rows } = await server.database.db.query<{ renditions: { quality: string; downloadSha256: string }[] }>(
      'SELECT renditions FROM tracks WHERE id = $1',
      [track.id],
    );
    const original = rows[0]!.renditions;
    const tampered = original.map((r) => ({ ...r, downloadSha256: 'f'.repeat(64) }));
    await server.database.db.query('UPDATE tracks SET renditions = $2 WHERE id = $1', [
      track.id,
      JSON.stringify(tampered),
    ]);
    try {
      await fan.service.downloadTracks({ trackIds: [track.id] });
      await fan.service.idle();
      const entry = await entryOf(fan, track.id);
      expect(entry).toMatchObject({ state: 'failed' });
      expect(entry!.error).toMatch(/checksum/i);
      expect(await readdir(downloadsDir(fan))).toEqual([]);
      expect((await fan.service.resolvePlayback({ trackId: track.id, quality: 'auto' })).kind).toBe('stream');
    } finally {
      await server.database.db.query('UPDATE tracks SET renditions = $2 WHERE id = $1', [
        track.id,
        JSON.stringify(original),
      ]);
    }

    // A failed entry is retried by asking again.
    await fan.service.downloadTracks({ trackIds: [track.id] });
    await fan.service.idle();
    expect(await entryOf(fan, track.id)).toMatchObject({ state: 'done', error: null });
  });

  it('verifyDownload deletes a file modified in the middle', async () => {
    const file = path.join(work, 'verify.m4a');
    const good = Buffer.alloc(200_000, 7);
    const expected = { sizeBytes: good.length, sha256: createHash('sha256').update(good).digest('hex') };
    await writeFile(file, good);
    await expect(verifyDownload(file, expected)).resolves.toBeUndefined();
    const bad = Buffer.from(good);
    bad[100_000] = 8;
    await writeFile(file, bad);
    await expect(verifyDownload(file, expected)).rejects.toMatchObject({ code: 'CHECKSUM_MISMATCH' });
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
    await writeFile(file, good.subarray(1));
    await expect(verifyDownload(file, expected)).rejects.toMatchObject({ code: 'CHECKSUM_MISMATCH' });
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('detects a partial file tampered with before the download resumes', async () => {
    const part = path.join(downloadsDir(fan), `${track.id}-128k.m4a.part`);
    await writeFile(part, Buffer.alloc(5000, 0x55)); // not the first 5000 bytes of the real file
    await fan.service.downloadTracks({ trackIds: [track.id] });
    await fan.service.idle();
    const entry = await entryOf(fan, track.id);
    expect(entry).toMatchObject({ state: 'failed' });
    expect(entry!.error).toMatch(/checksum/i);
    expect(await readdir(downloadsDir(fan))).toEqual([]);
  });

  it('resumes a genuine partial file with a Range request', async () => {
    const grant = await fan.api.request<DownloadGrant>('GET', `/api/v1/tracks/${track.id}/download`, {
      query: { quality: '128k' },
    });
    const whole = Buffer.from(await (await fetch(grant.url)).arrayBuffer());
    const part = path.join(downloadsDir(fan), `${track.id}-128k.m4a.part`);
    await writeFile(part, whole.subarray(0, Math.floor(whole.length / 2)));
    await fan.service.downloadTracks({ trackIds: [track.id] });
    await fan.service.idle();
    expect(await entryOf(fan, track.id)).toMatchObject({ state: 'done' });
    expect((await readFile(path.join(downloadsDir(fan), `${track.id}-128k.m4a`))).equals(whole)).toBe(true);
  });

  it('refuses a download beyond the quota', async () => {
    fan.settings.downloadQuotaBytes = 1000;
    await fan.service.downloadTracks({ trackIds: [track.id] });
    await fan.service.idle();
    const entry = await entryOf(fan, track.id);
    expect(entry).toMatchObject({
      state: 'failed',
      error: 'Not enough room in your download quota (0 bytes of 1000 bytes used).',
    });
    expect(await readdir(downloadsDir(fan)).catch(() => [])).toEqual([]);
    expect((await fan.service.listDownloads()).quotaBytes).toBe(1000);
  });

  it('counts finished downloads against the quota', async () => {
    await fan.service.downloadTracks({ trackIds: [track.id] });
    await fan.service.idle();
    const used = (await fan.service.listDownloads()).usedBytes;
    fan.settings.downloadQuotaBytes = used + 1000;
    await fan.service.downloadTracks({ trackIds: [longTrack.id] });
    await fan.service.idle();
    const entry = await entryOf(fan, longTrack.id);
    expect(entry?.state).toBe('failed');
    expect(entry?.error).toMatch(/^Not enough room in your download quota \(.+ of .+ used\)\.$/);
  });

  it('cancels a running download and removes its partial file', async () => {
    await fan.service.downloadTracks({ trackIds: [longTrack.id], quality: '256k' });
    await until(async () => (await entryOf(fan, longTrack.id))?.state === 'downloading');
    const view = await fan.service.cancelDownload({ trackId: longTrack.id });
    expect(view.entries.find((entry) => entry.trackId === longTrack.id)).toBeUndefined();
    await fan.service.idle();
    expect(await readdir(downloadsDir(fan)).catch(() => [])).toEqual([]);
  });

  it('removes a finished download: file and entry', async () => {
    await fan.service.downloadTracks({ trackIds: [track.id], quality: '64k' });
    await fan.service.idle();
    expect(await readdir(downloadsDir(fan))).toEqual([`${track.id}-64k.m4a`]);
    const view = await fan.service.removeDownload({ trackId: track.id });
    expect(view.entries).toEqual([]);
    expect(view.usedBytes).toBe(0);
    expect(await readdir(downloadsDir(fan))).toEqual([]);
    expect((await fan.service.getTrack({ trackId: track.id })).downloaded).toBe(false);
  });

  it('waits for the connection, then downloads what was queued offline', async () => {
    fan.online.value = false;
    await fan.service.downloadTracks({ trackIds: [track.id] });
    expect((await entryOf(fan, track.id))?.state).toBe('queued');
    fan.online.value = true;
    fan.service.onConnectionChange({ status: 'online', nextRetryAt: null, lastError: null });
    await until(async () => (await entryOf(fan, track.id))?.state === 'done');
  });

  it('finishes in the next session a download the app quit in the middle of', async () => {
    // What a quit mid-download leaves: the row still "downloading" and half the file in .part.
    await fan.service.stop();
    const grant = await fan.api.request<DownloadGrant>('GET', `/api/v1/tracks/${longTrack.id}/download`, {
      query: { quality: '256k' },
    });
    const whole = Buffer.from(await (await fetch(grant.url)).arrayBuffer());
    await mkdir(downloadsDir(fan), { recursive: true });
    await writeFile(path.join(downloadsDir(fan), `${longTrack.id}-256k.m4a.part`), whole.subarray(0, 100_000));
    fan.db
      .prepare(
        `INSERT INTO downloads (track_id, quality, state, received_bytes, file_name, queued_at)
         VALUES (?, '256k', 'downloading', 100000, ?, ?)`,
      )
      .run(longTrack.id, `${longTrack.id}-256k.m4a`, new Date().toISOString());

    // The app starts again on the same cache.
    fan.service = new LibraryService({
      db: fan.db,
      api: fan.api,
      tokens: fan.session,
      me: fan.user,
      accountDir: fan.accountDir,
      settings: () => fan.settings,
      localMediaBase: LOCAL_MEDIA_BASE,
      emit: (event) => fan.events.push(event),
      isOnline: () => fan.online.value,
    });
    fan.service.start();
    await until(async () => (await entryOf(fan, longTrack.id))?.state === 'done');
    expect(await readdir(downloadsDir(fan))).toEqual([`${longTrack.id}-256k.m4a`]);
    expect((await readFile(path.join(downloadsDir(fan), `${longTrack.id}-256k.m4a`))).equals(whole)).toBe(true);
  });

  it('downloads a whole playlist', async () => {
    const playlist = await fan.service.createPlaylist({ name: 'For the train' });
    await fan.service.addToPlaylist({ playlistId: playlist.id, trackIds: [track.id, longTrack.id] });
    const view = await fan.service.downloadPlaylist({ playlistId: playlist.id, quality: '64k' });
    expect(view.entries.map((entry) => entry.trackId).sort()).toEqual([track.id, longTrack.id].sort());
    await fan.service.idle();
    expect((await fan.service.listDownloads()).entries.map((entry) => entry.state)).toEqual(['done', 'done']);
  });
});
