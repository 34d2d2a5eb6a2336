import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ANALYTICS_METRICS, type PlayEvent } from '@veza/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateCommand } from '../../common/commands.js';
import { MAX_EXPORT_CHARS, type LibraryTrack } from '../../common/contract.js';
import { startTestServer, type TestServer } from '../../test-support/test-server.js';
import { createLibraryFixture, uploadTone, type LibraryFixture } from '../library/testing/library-fixture.js';
import { SNAPSHOTS_PER_KIND } from './analytics-cache.js';
import { AnalyticsService } from './analytics-service.js';

interface Account {
  fixture: LibraryFixture;
  service: AnalyticsService;
  exportsDir: string;
}

let server: TestServer;
let artist: Account;
let moderator: Account;
let listener: Account;
let work: string;
let track: LibraryTrack;
const today = new Date().toISOString().slice(0, 10);
const range = { from: today, to: today };

async function account(role: 'artist' | 'moderator' | 'listener'): Promise<Account> {
  const fixture = await createLibraryFixture(server, role);
  const exportsDir = path.join(fixture.dataDir, 'exports');
  const service = new AnalyticsService({
    db: fixture.db,
    api: fixture.api,
    exportsDir: () => exportsDir,
    isOnline: () => fixture.online.value,
  });
  return { fixture, service, exportsDir };
}

/** A listener plays the whole track: one counted play, its seconds of listening. */
async function playWholeTrack(token: string, trackId: string, durationMs: number): Promise<void> {
  const playId = randomUUID();
  const at = new Date().toISOString();
  const events: PlayEvent[] = [
    { type: 'play.started', playId, trackId, positionMs: 0, listenedMs: 0, occurredAt: at },
    { type: 'play.ended', playId, trackId, positionMs: durationMs, listenedMs: durationMs, occurredAt: at },
  ];
  const response = await fetch(`${server.url}/api/v1/plays`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
  });
  if (!response.ok) throw new Error(`plays: ${response.status} ${await response.text()}`);
}

/** The server down, as the app sees it: requests refused and, with `socketKnows`, the socket offline. */
async function whileServerDown(who: Account, body: () => Promise<void>, socketKnows = true): Promise<void> {
  await server.stop();
  who.fixture.online.value = !socketKnows;
  try {
    await body();
  } finally {
    await server.restart();
    who.fixture.online.value = true;
  }
}

beforeAll(async () => {
  server = await startTestServer();
  [artist, moderator, listener] = await Promise.all([account('artist'), account('moderator'), account('listener')]);
  work = await mkdtemp(path.join(tmpdir(), 'veza-analytics-test-'));
  track = await uploadTone(artist.fixture, work, { title: 'Counting Song', artist: 'Tester', seconds: 3 });
  const token = await listener.fixture.session.accessToken();
  await playWholeTrack(token, track.id, track.durationMs);
}, 120_000);

afterAll(async () => {
  for (const who of [artist, moderator, listener]) await who?.fixture.close();
  await server?.close();
  await rm(work, { recursive: true, force: true });
});

describe('artist stats', () => {
  it("reads the artist's own plays, listeners and listening time, per track and per day", async () => {
    const view = await artist.service.getArtistStats(range);
    expect(view.fromCache).toBe(false);
    expect(view.range).toEqual(range);
    expect(view.stats.totals).toMatchObject({ plays: 1, listeners: 1 });
    expect(view.stats.totals.listeningSeconds).toBe(Math.floor(track.durationMs / 1000));
    expect(view.stats.perTrack).toEqual([
      expect.objectContaining({ trackId: track.id, title: 'Counting Song', plays: 1, listeners: 1 }),
    ]);
    expect(view.stats.perDay).toEqual([expect.objectContaining({ day: today, plays: 1 })]);
  });

  it('answers from the cache offline, with the time the figures were fetched', async () => {
    const online = await artist.service.getArtistStats(range);
    for (const socketKnows of [true, false]) {
      await whileServerDown(
        artist,
        async () => {
          const cached = await artist.service.getArtistStats(range);
          expect(cached).toEqual({ ...online, fromCache: true });
          // Another range offline: the newest cached figures, saying which range they cover.
          const other = await artist.service.getArtistStats({ from: '2026-01-01', to: '2026-01-31' });
          expect(other.fromCache).toBe(true);
          expect(other.range).toEqual(range);
        },
        socketKnows,
      );
    }
  });

  it("never serves another artist's cached figures for mine, and says when nothing is cached", async () => {
    const someoneElse = await moderator.service.getArtistStats({ ...range, artistId: artist.fixture.user.id });
    expect(someoneElse.stats.totals.plays).toBe(1);
    await whileServerDown(moderator, async () => {
      await expect(moderator.service.getArtistStats(range)).rejects.toMatchObject({ code: 'NOT_AVAILABLE_OFFLINE' });
      const cached = await moderator.service.getArtistStats({ ...range, artistId: artist.fixture.user.id });
      expect(cached.fromCache).toBe(true);
    });
  });

  it("refuses a listener, and a listener reading someone else's, with the server's code", async () => {
    await expect(listener.service.getArtistStats(range)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(listener.service.getArtistStats({ ...range, artistId: artist.fixture.user.id })).rejects.toMatchObject(
      { code: 'FORBIDDEN' },
    );
  });
});

describe('dashboard', () => {
  it('gives every history metric in order, the top tracks and rooms, and the live tiles', async () => {
    const view = await moderator.service.getAnalyticsDashboard({ ...range, bucket: 'day' });
    expect(view.fromCache).toBe(false);
    expect(view.history.map((h) => h.metric)).toEqual(ANALYTICS_METRICS);
    expect(view.history.every((h) => h.bucket === 'day' && h.points.length === 1)).toBe(true);
    const plays = view.history.find((h) => h.metric === 'plays');
    expect(plays?.points).toEqual([{ start: today, value: 1 }]);
    expect(view.history.find((h) => h.metric === 'new_accounts')?.points[0]?.value).toBeGreaterThanOrEqual(3);
    expect(view.topTracks.items).toEqual([{ id: track.id, name: 'Counting Song', value: 1 }]);
    expect(view.topRooms.kind).toBe('rooms');

    const live = await moderator.service.getLiveTiles();
    expect(live.fromCache).toBe(false);
    expect(live.tiles.tracksPlaying).toBeGreaterThanOrEqual(0);
    expect(Date.parse(live.asOf)).not.toBeNaN();
  });

  it('keeps the dashboard and the tiles for offline, marked as cached', async () => {
    const view = await moderator.service.getAnalyticsDashboard({ ...range, bucket: 'week' });
    const live = await moderator.service.getLiveTiles();
    await whileServerDown(moderator, async () => {
      expect(await moderator.service.getAnalyticsDashboard({ ...range, bucket: 'week' })).toEqual({
        ...view,
        fromCache: true,
      });
      expect(await moderator.service.getLiveTiles()).toEqual({ ...live, fromCache: true });
    });
  });

  it('passes refusals through instead of hiding them behind cached figures', async () => {
    await expect(
      moderator.service.getAnalyticsDashboard({ from: '2020-01-01', to: today, bucket: 'day' }),
    ).rejects.toMatchObject({ code: 'RANGE_TOO_LARGE' });
    await expect(listener.service.getLiveTiles()).rejects.toMatchObject({ code: 'FORBIDDEN' });
    // A moderator demoted since: the cache has their dashboard, the server says no, and no wins.
    const demoted = await account('moderator');
    await demoted.service.getAnalyticsDashboard({ ...range, bucket: 'day' });
    await server.database.db.query(`UPDATE users SET role = 'listener' WHERE id = $1`, [demoted.fixture.user.id]);
    await expect(demoted.service.getAnalyticsDashboard({ ...range, bucket: 'day' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await demoted.fixture.close();
  });

  it('keeps a bounded number of cached answers per view', async () => {
    for (let day = 1; day <= SNAPSHOTS_PER_KIND + 3; day += 1) {
      const d = `2026-01-${String(day).padStart(2, '0')}`;
      await moderator.service.getAnalyticsDashboard({ from: d, to: d, bucket: 'day', topLimit: 3 });
    }
    const { n } = moderator.fixture.db
      .prepare<[], { n: number }>(`SELECT count(*) AS n FROM analytics_snapshots WHERE kind = 'dashboard'`)
      .get()!;
    expect(n).toBe(SNAPSHOTS_PER_KIND);
  });
});

describe('commands and exports', () => {
  it('refuses reversed ranges, unknown fields and oversized or escaping exports before any work', () => {
    expect(validateCommand('getArtistStats', { from: '2026-12-02', to: '2026-12-01' })).toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: 'The range ends before it starts.',
    });
    expect(validateCommand('getAnalyticsDashboard', { ...range, bucket: 'year' })?.code).toBe('INVALID_ARGUMENT');
    expect(validateCommand('getAnalyticsDashboard', { ...range, bucket: 'day', topLimit: 1000 })?.code).toBe(
      'INVALID_ARGUMENT',
    );
    expect(validateCommand('getArtistStats', { from: '2026-02-31x', to: today })?.code).toBe('INVALID_ARGUMENT');
    for (const fileName of [
      '../evil.csv',
      '/etc/passwd.csv',
      'a/b.csv',
      'report.exe',
      '.hidden.csv',
      'x'.repeat(120) + '.csv',
    ]) {
      expect(validateCommand('saveCsvExport', { fileName, csv: 'a' }), fileName).toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
    }
    expect(validateCommand('saveCsvExport', { fileName: 'ok.csv', csv: 'a'.repeat(MAX_EXPORT_CHARS + 1) })?.code).toBe(
      'INVALID_ARGUMENT',
    );
    expect(validateCommand('saveCsvExport', { fileName: 'veza plays 2026-12-07.csv', csv: 'a' })).toBeNull();
  });

  it('writes exports with a byte-order mark and never overwrites an earlier one', async () => {
    const first = await artist.service.saveCsvExport({ fileName: 'plays.csv', csv: 'day,plays\r\n2026-12-07,1\r\n' });
    const second = await artist.service.saveCsvExport({ fileName: 'plays.csv', csv: 'day,plays\r\n' });
    expect(first.path).toBe(path.join(artist.exportsDir, 'plays.csv'));
    expect(second.path).toBe(path.join(artist.exportsDir, 'plays (2).csv'));
    expect(await readFile(first.path, 'utf8')).toBe('\uFEFFday,plays\r\n2026-12-07,1\r\n');
    expect(first.bytes).toBe(Buffer.byteLength('\uFEFFday,plays\r\n2026-12-07,1\r\n'));
    expect((await readdir(artist.exportsDir)).sort()).toEqual(['plays (2).csv', 'plays.csv']);
  });
});
