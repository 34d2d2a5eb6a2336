import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PlayEvent, PlayStats } from '@veza/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LibraryTrack } from '../../common/contract.js';
import { startTestServer, type TestServer } from '../../test-support/test-server.js';
import { createLibraryFixture, until, uploadTone, type LibraryFixture } from './testing/library-fixture.js';

let server: TestServer;
let artist: LibraryFixture;
let fan: LibraryFixture;
let work: string;
let beyonce: LibraryTrack;
let other: LibraryTrack;
let third: LibraryTrack;

beforeAll(async () => {
  server = await startTestServer();
  artist = await createLibraryFixture(server, 'artist');
  fan = await createLibraryFixture(server, 'listener');
  work = await mkdtemp(path.join(tmpdir(), 'veza-library-test-'));
  beyonce = await uploadTone(artist, work, { title: 'Halo', artist: 'Beyoncé', album: 'I Am', seconds: 3 });
  other = await uploadTone(artist, work, { title: 'Zebra Song', artist: 'Álvaro', album: 'Animals', seconds: 5 });
  third = await uploadTone(artist, work, { title: 'Ant March', artist: 'Álvaro', album: 'Animals', seconds: 2 });
}, 120_000);
afterAll(async () => {
  await artist?.close();
  await fan?.close();
  await server?.close();
  await rm(work, { recursive: true, force: true });
});

/** Runs `body` with the server down, as the app sees it: requests refused, socket offline. */
async function whileServerDown(fixture: LibraryFixture, body: () => Promise<void>, socketKnows = true): Promise<void> {
  await server.stop();
  fixture.online.value = !socketKnows;
  try {
    await body();
  } finally {
    await server.restart();
    fixture.online.value = true;
  }
}

const titles = (tracks: { title: string }[]) => tracks.map((track) => track.title);

describe('library reads', () => {
  it('lists from the server, then from the cache when it cannot be reached', async () => {
    const online = await fan.service.listTracks({ sort: 'title' });
    expect(online.fromCache).toBe(false);
    expect(titles(online.tracks)).toEqual(['Ant March', 'Halo', 'Zebra Song']);
    expect(online.tracks[0]).toMatchObject({ downloaded: false, coverSrc: expect.stringContaining('/cover') });

    for (const socketKnows of [true, false]) {
      await whileServerDown(
        fan,
        async () => {
          const page = await fan.service.listTracks({ sort: 'title' });
          expect(page.fromCache).toBe(true);
          expect(titles(page.tracks)).toEqual(['Ant March', 'Halo', 'Zebra Song']);
          expect(page.tracks.map((t) => t.id)).toEqual(online.tracks.map((t) => t.id));
        },
        socketKnows,
      );
    }
  });

  it('filters, sorts and pages offline in SQL like the server does', async () => {
    const sorts = ['newest', 'oldest', 'title', 'artist', 'popular', 'duration'] as const;
    const online = new Map<string, string[]>();
    for (const sort of sorts) online.set(sort, titles((await fan.service.listTracks({ sort })).tracks));
    expect(online.get('newest')).toEqual(['Ant March', 'Zebra Song', 'Halo']);
    expect(online.get('duration')).toEqual(['Ant March', 'Halo', 'Zebra Song']);
    await whileServerDown(fan, async () => {
      // The same order as the server's, for every sort (ties and case folding included).
      for (const sort of sorts)
        expect(titles((await fan.service.listTracks({ sort })).tracks)).toEqual(online.get(sort));
      expect(titles((await fan.service.listTracks({ artist: 'álvaro', sort: 'title' })).tracks)).toEqual([]);
      expect(titles((await fan.service.listTracks({ album: 'animals', sort: 'title' })).tracks)).toEqual([
        'Ant March',
        'Zebra Song',
      ]);
      const first = await fan.service.listTracks({ sort: 'title', limit: 2 });
      expect(titles(first.tracks)).toEqual(['Ant March', 'Halo']);
      expect(first.nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
      const second = await fan.service.listTracks({ sort: 'title', limit: 2, cursor: first.nextCursor! });
      expect(titles(second.tracks)).toEqual(['Zebra Song']);
      expect(second.nextCursor).toBeNull();
      expect((await fan.service.listTracks({ liked: true })).tracks).toEqual([]);
    });
  });

  it('searches offline with FTS5, ignoring accents and case, prefix included', async () => {
    const online = await fan.service.searchLibrary({ q: 'beyonce' });
    expect(online.fromCache).toBe(false);
    expect(titles(online.tracks)).toEqual(['Halo']);
    await whileServerDown(fan, async () => {
      const result = await fan.service.searchLibrary({ q: 'beyonce' });
      expect(result.fromCache).toBe(true);
      expect(titles(result.tracks)).toEqual(['Halo']);
      expect(result.artists).toEqual([{ name: 'Beyoncé', trackCount: 1 }]);
      expect(titles((await fan.service.searchLibrary({ q: 'BEYONCÉ ha' })).tracks)).toEqual(['Halo']);
      expect(titles((await fan.service.searchLibrary({ q: 'alv' })).tracks).sort()).toEqual([
        'Ant March',
        'Zebra Song',
      ]);
      const albums = (await fan.service.searchLibrary({ q: 'anim' })).albums;
      expect(albums).toEqual([{ name: 'Animals', artist: 'Álvaro', trackCount: 2, coverUrl: expect.any(String) }]);
      expect((await fan.service.searchLibrary({ q: 'nothing-like-this' })).tracks).toEqual([]);
    });
  });

  it('never throws on hostile search text, online or offline', async () => {
    const hostile = [
      '"',
      '""',
      '*',
      '-',
      'NOT',
      'a AND',
      'OR OR',
      'NEAR(a b)',
      'title:halo',
      '{title}: x',
      '^halo',
      '(((',
      "'; DROP TABLE tracks; --",
      'halo"*',
      '\u0000',
      '🎵🎶',
      'x'.repeat(200),
      'a b c d e f g h i j k l m n',
    ];
    for (const q of hostile) await expect(fan.service.searchLibrary({ q })).resolves.toBeDefined();
    await whileServerDown(fan, async () => {
      for (const q of hostile) {
        const result = await fan.service.searchLibrary({ q });
        expect(result.fromCache).toBe(true);
      }
      // Operators are plain words; every word must match.
      expect(titles((await fan.service.searchLibrary({ q: '(halo"*' })).tracks)).toEqual(['Halo']);
      expect(titles((await fan.service.searchLibrary({ q: 'title:halo' })).tracks)).toEqual([]);
    });
  });

  it('derives artists and albums from the cached tracks, with covers', async () => {
    expect(await fan.service.listArtists()).toEqual(
      [
        { name: 'Álvaro', trackCount: 2 },
        { name: 'Beyoncé', trackCount: 1 },
      ].sort((a, b) => (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : 1)),
    );
    const albums = await fan.service.listAlbums();
    expect(albums.map(({ name, artist, trackCount }) => ({ name, artist, trackCount }))).toEqual([
      { name: 'Animals', artist: 'Álvaro', trackCount: 2 },
      { name: 'I Am', artist: 'Beyoncé', trackCount: 1 },
    ]);
    await whileServerDown(fan, async () => {
      expect((await fan.service.listAlbums()).map((album) => album.name)).toEqual(['Animals', 'I Am']);
      expect((await fan.service.listArtists()).length).toBe(2);
    });
  });

  it('caches covers in the background and then serves them locally', async () => {
    await fan.service.listTracks({});
    await fan.service.idle();
    const covers = await readdir(fan.service.localMediaRoots().covers!);
    expect(covers.length).toBe(3);
    const page = await fan.service.listTracks({});
    for (const track of page.tracks)
      expect(track.coverSrc).toMatch(/^http:\/\/127\.0\.0\.1:9\/local-media\/covers\/.+\.jpg$/);
  });

  it('gets a track from the cache offline, and says so clearly when it has never been seen', async () => {
    await whileServerDown(fan, async () => {
      expect((await fan.service.getTrack({ trackId: beyonce.id })).title).toBe('Halo');
      await expect(fan.service.getTrack({ trackId: randomUUID() })).rejects.toMatchObject({
        code: 'NOT_AVAILABLE_OFFLINE',
      });
    });
  });
});

describe('likes and playlists', () => {
  it('likes online and refuses clearly offline', async () => {
    const liked = await fan.service.setLiked({ trackId: other.id, liked: true });
    expect(liked).toMatchObject({ likedByMe: true, likeCount: 1 });
    expect(titles((await fan.service.listTracks({ liked: true })).tracks)).toEqual(['Zebra Song']);
    await whileServerDown(fan, async () => {
      expect(titles((await fan.service.listTracks({ liked: true })).tracks)).toEqual(['Zebra Song']);
      const error = await fan.service.setLiked({ trackId: other.id, liked: false }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'OFFLINE', message: expect.stringMatching(/needs a connection/) });
    });
    expect(await fan.service.setLiked({ trackId: other.id, liked: false })).toMatchObject({ likedByMe: false });
  });

  it('manages playlists online and reads them from the cache offline', async () => {
    const playlist = await fan.service.createPlaylist({ name: 'Road trip', description: 'long drives' });
    let detail = await fan.service.addToPlaylist({ playlistId: playlist.id, trackIds: [other.id, beyonce.id] });
    expect(titles(detail.tracks)).toEqual(['Zebra Song', 'Halo']);
    detail = await fan.service.removeFromPlaylist({ playlistId: playlist.id, trackId: other.id });
    expect(titles(detail.tracks)).toEqual(['Halo']);
    const doomed = await fan.service.createPlaylist({ name: 'Doomed' });
    await fan.service.deletePlaylist({ playlistId: doomed.id });
    expect((await fan.service.listPlaylists()).map((p) => p.name)).toEqual(['Road trip']);

    await whileServerDown(fan, async () => {
      expect((await fan.service.listPlaylists()).map((p) => p.name)).toEqual(['Road trip']);
      const cached = await fan.service.getPlaylist({ playlistId: playlist.id });
      expect(cached.fromCache).toBe(true);
      expect(titles(cached.tracks)).toEqual(['Halo']);
      await expect(fan.service.createPlaylist({ name: 'x' })).rejects.toMatchObject({ code: 'OFFLINE' });
      await expect(fan.service.addToPlaylist({ playlistId: playlist.id, trackIds: [third.id] })).rejects.toMatchObject({
        code: 'OFFLINE',
      });
    });
  });
});

describe('playback', () => {
  it('resolves a stream URL that answers with an HLS master playlist, with peaks', async () => {
    const source = await fan.service.resolvePlayback({ trackId: beyonce.id, quality: 'auto' });
    expect(source).toMatchObject({ kind: 'stream', mimeType: 'application/vnd.apple.mpegurl' });
    expect(source.gainDb).toBe(beyonce.gainDb ?? 0);
    expect(source.peaks?.data.length).toBeGreaterThan(0);
    const response = await fetch(source.url);
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/^#EXTM3U[\s\S]*#EXT-X-STREAM-INF/);
  });

  it('refuses a track that is not downloaded when offline', async () => {
    await whileServerDown(fan, async () => {
      const error = await fan.service
        .resolvePlayback({ trackId: beyonce.id, quality: 'auto' })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: 'NOT_AVAILABLE_OFFLINE',
        message: '“Halo” is not downloaded. Download it to listen offline.',
      });
    });
    // The socket still thinks it is online, but the server is gone.
    await whileServerDown(
      fan,
      async () => {
        await expect(fan.service.resolvePlayback({ trackId: beyonce.id, quality: 'auto' })).rejects.toMatchObject({
          code: 'NOT_AVAILABLE_OFFLINE',
        });
      },
      false,
    );
  });
});

describe('play reports', () => {
  const stats = (trackId: string) => fan.api.request<PlayStats>('GET', `/api/v1/tracks/${trackId}/stats`);
  const event = (type: PlayEvent['type'], playId: string, listenedMs: number): PlayEvent => ({
    type,
    playId,
    trackId: third.id,
    positionMs: listenedMs,
    listenedMs,
    occurredAt: new Date().toISOString(),
    source: 'offline',
  });

  it('queues plays made while the server is down and reports them once after it returns', async () => {
    const before = await stats(third.id);
    const playId = randomUUID();
    await whileServerDown(fan, async () => {
      await fan.service.reportPlay({ event: event('play.started', playId, 0) });
      await fan.service.reportPlay({ event: event('play.progress', playId, 1000) });
      await fan.service.reportPlay({ event: event('play.progress', playId, 1500) });
      await fan.service.reportPlay({ event: event('play.ended', playId, 2000) });
      // Twice the same: idempotent.
      await fan.service.reportPlay({ event: event('play.ended', playId, 2000) });
      fan.online.value = true; // the socket has not noticed yet: the flush fails and keeps the queue
      await fan.service.flushPlays();
      expect(queued()).toBe(3);
    });
    fan.service.onConnectionChange({ status: 'online', nextRetryAt: null, lastError: null });
    await until(() => queued() === 0);
    const after = await stats(third.id);
    expect(after.myPlayCount).toBe(before.myPlayCount + 1);
    expect(after.myListenedMs).toBe(before.myListenedMs + 2000);

    // Reporting again and flushing again changes nothing.
    await fan.service.reportPlay({ event: event('play.ended', playId, 2000) });
    await fan.service.flushPlays();
    await fan.service.flushPlays();
    expect(queued()).toBe(0);
    expect(await stats(third.id)).toEqual(after);
    const { rows } = await server.database.db.query<{ n: string }>('SELECT count(*) AS n FROM plays WHERE id = $1', [
      playId,
    ]);
    expect(Number(rows[0]!.n)).toBe(1);
  });

  it('sends a long queue in batches and drops an event the server calls invalid', async () => {
    const before = await stats(third.id);
    for (let i = 0; i < 450; i += 1) {
      await fan.service.reportPlay({ event: event('play.started', randomUUID(), 0) });
    }
    // A row the command layer would never let through (the server answers 400 for it).
    fan.db
      .prepare('INSERT INTO queued_plays (play_id, type, event, revision, queued_at) VALUES (?, ?, ?, 0, ?)')
      .run(
        randomUUID(),
        'play.started',
        JSON.stringify({ ...event('play.started', randomUUID(), 0), positionMs: -5 }),
        '0',
      );
    expect(queued()).toBe(451);
    await fan.service.flushPlays();
    expect(queued()).toBe(0);
    expect((await stats(third.id)).myPlayCount).toBe(before.myPlayCount);
  });

  function queued(): number {
    return (fan.db.prepare('SELECT COUNT(*) AS n FROM queued_plays').get() as { n: number }).n;
  }
});
