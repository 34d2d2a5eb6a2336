import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLAY_REPORT_MAX_EVENTS, type PlayEvent, type PlayStats } from '@veza/shared';
import { ManualClock } from '../../infra/clock.js';
import { createTestApp, signUp, type TestApp } from '../../test-support/app.js';
import { call, errorOf, insertTrack } from '../../test-support/tracks.js';
import type { PlayReportSummary } from './plays.js';

/*
 * Play reports: a play counts once, when it has lasted 30 s (half a shorter track), and not again
 * for another play of the same listener and track started within half its duration; listening
 * time only grows, and nothing can inflate another's counts.
 */

const clock = new ManualClock(new Date('2026-03-01T12:00:00Z'));
let t: TestApp;
let artistId: string;
beforeAll(async () => {
  t = await createTestApp({ clock });
  artistId = (await signUp(t, 'artist')).user.id;
});
afterAll(async () => {
  await t.close();
});

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

function event(
  playId: string,
  trackId: string,
  type: PlayEvent['type'],
  listenedMs: number,
  options: { agoMs?: number; positionMs?: number; source?: 'stream' | 'offline' } = {},
): PlayEvent {
  return {
    type,
    playId,
    trackId,
    positionMs: options.positionMs ?? listenedMs,
    listenedMs,
    occurredAt: new Date(clock.now().getTime() - (options.agoMs ?? 0)).toISOString(),
    ...(options.source ? { source: options.source } : {}),
  };
}

async function report(token: string, events: PlayEvent[]): Promise<PlayReportSummary> {
  const response = await call(t, token, 'POST', '/plays', { events });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<PlayReportSummary>();
}

async function stats(token: string, trackId: string): Promise<PlayStats> {
  const response = await call(t, token, 'GET', `/tracks/${trackId}/stats`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json<PlayStats>();
}

async function playRow(playId: string) {
  const { rows } = await t.database.db.query(
    'SELECT user_id, track_id, listened_ms, position_ms, ended, counted, source, started_at FROM plays WHERE id = $1',
    [playId],
  );
  return rows[0];
}

describe('play reports', () => {
  it('count a play once, with its listening time, for the track and the listener', async () => {
    const listener = await signUp(t);
    const track = await insertTrack(t, { ownerId: artistId, durationMs: 200_000 });
    const play = randomUUID();
    const summary = await report(listener.accessToken, [
      event(play, track, 'play.started', 0, { agoMs: 3 * MINUTE }),
      event(play, track, 'play.progress', 30_000, { agoMs: 2 * MINUTE }),
      event(play, track, 'play.ended', 180_000, { positionMs: 200_000 }),
    ]);
    expect(summary).toEqual({ accepted: 3, ignored: 0 });
    expect(await stats(listener.accessToken, track)).toEqual({
      trackId: track,
      playCount: 1,
      listenedMs: 180_000,
      myPlayCount: 1,
      myListenedMs: 180_000,
    });
    expect(await playRow(play)).toMatchObject({
      user_id: listener.user.id,
      track_id: track,
      listened_ms: 180_000,
      position_ms: 200_000,
      ended: true,
      counted: true,
      source: 'stream',
      started_at: new Date(clock.now().getTime() - 3 * MINUTE),
    });
    const other = await signUp(t);
    expect(await stats(other.accessToken, track)).toMatchObject({ playCount: 1, myPlayCount: 0, myListenedMs: 0 });
  });

  it('count a batch sent twice once', async () => {
    const listener = await signUp(t);
    const track = await insertTrack(t, { ownerId: artistId });
    const a = randomUUID();
    const b = randomUUID();
    const batch = [
      event(a, track, 'play.started', 0, { agoMs: 10 * MINUTE }),
      event(a, track, 'play.ended', 60_000, { agoMs: 9 * MINUTE }),
      event(b, track, 'play.started', 0, { agoMs: MINUTE }),
      event(b, track, 'play.progress', 40_000),
    ];
    expect(await report(listener.accessToken, batch)).toEqual({ accepted: 4, ignored: 0 });
    expect(await report(listener.accessToken, batch)).toEqual({ accepted: 4, ignored: 0 });
    expect(await stats(listener.accessToken, track)).toMatchObject({
      playCount: 2,
      listenedMs: 100_000,
      myPlayCount: 2,
      myListenedMs: 100_000,
    });
  });

  it('add only increases of the listening time, whatever order reports arrive in', async () => {
    const listener = await signUp(t);
    const track = await insertTrack(t, { ownerId: artistId });
    const play = randomUUID();
    await report(listener.accessToken, [event(play, track, 'play.progress', 60_000, { positionMs: 61_000 })]);
    await report(listener.accessToken, [event(play, track, 'play.progress', 30_000, { positionMs: 31_000 })]);
    expect(await stats(listener.accessToken, track)).toMatchObject({ playCount: 1, listenedMs: 60_000 });
    expect(await playRow(play)).toMatchObject({ listened_ms: 60_000, position_ms: 61_000 });
    await report(listener.accessToken, [
      event(play, track, 'play.progress', 90_000, { positionMs: 91_000 }),
      event(play, track, 'play.progress', 45_000, { positionMs: 46_000 }),
    ]);
    expect(await stats(listener.accessToken, track)).toMatchObject({ playCount: 1, listenedMs: 90_000 });
    expect(await playRow(play)).toMatchObject({ listened_ms: 90_000, position_ms: 91_000, ended: false });
  });

  it('count a play first seen without its start, as an offline queue may report it', async () => {
    const listener = await signUp(t);
    const track = await insertTrack(t, { ownerId: artistId });
    const play = randomUUID();
    const queue = [
      event(play, track, 'play.progress', 20_000, { agoMs: 2 * DAY, source: 'offline' }),
      event(play, track, 'play.ended', 150_000, { agoMs: 2 * DAY - 3 * MINUTE, source: 'offline' }),
    ];
    expect(await report(listener.accessToken, queue)).toEqual({ accepted: 2, ignored: 0 });
    // The queue is replayed after a lost response, then the lost start turns up.
    await report(listener.accessToken, queue);
    await report(listener.accessToken, [event(play, track, 'play.started', 0, { agoMs: 2 * DAY + MINUTE })]);
    expect(await stats(listener.accessToken, track)).toMatchObject({ playCount: 1, listenedMs: 150_000 });
    expect(await playRow(play)).toMatchObject({
      source: 'offline',
      ended: true,
      counted: true,
      started_at: new Date(clock.now().getTime() - 2 * DAY - MINUTE),
    });
  });

  it('ignore events for unknown or hidden tracks without failing the rest of the batch', async () => {
    const listener = await signUp(t);
    const track = await insertTrack(t, { ownerId: artistId });
    const hidden = await insertTrack(t, { ownerId: artistId, state: 'processing' });
    const summary = await report(listener.accessToken, [
      event(randomUUID(), randomUUID(), 'play.started', 0),
      event(randomUUID(), hidden, 'play.ended', 30_000),
      event(randomUUID(), track, 'play.ended', 30_000),
    ]);
    expect(summary).toEqual({ accepted: 1, ignored: 2 });
    expect(await stats(listener.accessToken, track)).toMatchObject({ playCount: 1, listenedMs: 30_000 });
    const { rows } = await t.database.db.query('SELECT play_count FROM tracks WHERE id = $1', [hidden]);
    expect(Number(rows[0]!.play_count)).toBe(0);
    // A track deleted while its plays sat in an offline queue.
    const deleted = await insertTrack(t, { ownerId: artistId });
    await t.database.db.query('DELETE FROM tracks WHERE id = $1', [deleted]);
    expect(await report(listener.accessToken, [event(randomUUID(), deleted, 'play.ended', 30_000)])).toEqual({
      accepted: 0,
      ignored: 1,
    });
  });

  it("never add to someone else's play, or move a play to another track", async () => {
    const [ada, eve] = await Promise.all([signUp(t), signUp(t)]);
    const track = await insertTrack(t, { ownerId: artistId });
    const other = await insertTrack(t, { ownerId: artistId });
    const play = randomUUID();
    await report(ada.accessToken, [event(play, track, 'play.progress', 10_000)]);

    // Eve cannot push Ada's play over the threshold, nor move it to another track.
    expect(await report(eve.accessToken, [event(play, track, 'play.ended', 170_000)])).toEqual({
      accepted: 0,
      ignored: 1,
    });
    expect(await report(ada.accessToken, [event(play, other, 'play.ended', 170_000)])).toEqual({
      accepted: 0,
      ignored: 1,
    });
    // Within one batch, the first event decides the play's track.
    const fresh = randomUUID();
    expect(
      await report(ada.accessToken, [
        event(fresh, other, 'play.progress', 30_000),
        event(fresh, track, 'play.ended', 90_000),
      ]),
    ).toEqual({ accepted: 1, ignored: 1 });

    expect(await playRow(play)).toMatchObject({
      user_id: ada.user.id,
      track_id: track,
      listened_ms: 10_000,
      counted: false,
    });
    expect(await stats(eve.accessToken, track)).toMatchObject({
      playCount: 0,
      listenedMs: 10_000,
      myPlayCount: 0,
      myListenedMs: 0,
    });
    expect(await stats(ada.accessToken, other)).toMatchObject({ playCount: 1, listenedMs: 30_000 });
    // A play id differing only in case is the same play.
    expect(
      await report(ada.accessToken, [event(play.toUpperCase(), track.toUpperCase(), 'play.ended', 40_000)]),
    ).toEqual({ accepted: 1, ignored: 0 });
    expect(await stats(ada.accessToken, track)).toMatchObject({ playCount: 1, listenedMs: 40_000, myPlayCount: 1 });
  });

  it('ignore events from the future or older than 30 days', async () => {
    const listener = await signUp(t);
    const track = await insertTrack(t, { ownerId: artistId });
    const at = (offsetMs: number) => event(randomUUID(), track, 'play.ended', 30_000, { agoMs: -offsetMs });
    const summary = await report(listener.accessToken, [
      at(6 * MINUTE),
      at(4 * MINUTE),
      at(-29 * DAY),
      at(-31 * DAY),
      at(365 * DAY),
    ]);
    expect(summary).toEqual({ accepted: 2, ignored: 3 });
    expect(await stats(listener.accessToken, track)).toMatchObject({ playCount: 2, listenedMs: 60_000 });
    // The window follows the server's clock: two days later, that play is too old to count.
    const old = at(-29 * DAY);
    clock.advance(2 * DAY);
    try {
      const later = await signUp(t);
      expect(await report(later.accessToken, [old])).toEqual({ accepted: 0, ignored: 1 });
    } finally {
      clock.advance(-2 * DAY);
    }
  });

  it('cap the listening time of a play a little above the track’s duration', async () => {
    const listener = await signUp(t);
    const track = await insertTrack(t, { ownerId: artistId, durationMs: 60_000 });
    const long = await insertTrack(t, { ownerId: artistId, durationMs: 600_000 });
    const play = randomUUID();
    await report(listener.accessToken, [event(play, track, 'play.ended', 24 * 60 * MINUTE, { positionMs: 999_999 })]);
    expect(await playRow(play)).toMatchObject({ listened_ms: 70_000, position_ms: 60_000 });
    await report(listener.accessToken, [event(randomUUID(), long, 'play.ended', 24 * 60 * MINUTE)]);
    expect(await stats(listener.accessToken, track)).toMatchObject({ listenedMs: 70_000 });
    expect(await stats(listener.accessToken, long)).toMatchObject({ listenedMs: 660_000 });
  });

  it('count a play once when the same report arrives many times at once', async () => {
    const listener = await signUp(t);
    const [x, y] = await Promise.all([insertTrack(t, { ownerId: artistId }), insertTrack(t, { ownerId: artistId })]);
    const plays = Array.from({ length: 6 }, () => randomUUID());
    // Plays 2 minutes apart (4 on each track, more than half of it); 30 s and more count.
    const batch = plays.flatMap((play, i) => [
      event(play, i % 2 ? x : y, 'play.started', 0, { agoMs: (i + 2) * 2 * MINUTE }),
      event(play, i % 2 ? x : y, 'play.progress', 10_000 * (i + 1), { agoMs: (i + 1) * 2 * MINUTE }),
    ]);
    // Opposite orders in half the requests: locks are taken in a fixed order, so no deadlock.
    const responses = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        call(t, listener.accessToken, 'POST', '/plays', { events: i % 2 ? [...batch].reverse() : batch }),
      ),
    );
    expect(responses.map((r) => r.statusCode)).toEqual(Array(12).fill(200));
    // x: 20 s (not counted), 40 s, 60 s; y: 10 s (not counted), 30 s, 50 s.
    expect(await stats(listener.accessToken, x)).toMatchObject({ playCount: 2, listenedMs: 120_000, myPlayCount: 2 });
    expect(await stats(listener.accessToken, y)).toMatchObject({ playCount: 2, listenedMs: 90_000, myPlayCount: 2 });
    const { rows } = await t.database.db.query<{ counted: boolean; n: number }>(
      'SELECT counted, count(*)::int AS n FROM plays WHERE user_id = $1 GROUP BY counted ORDER BY counted',
      [listener.user.id],
    );
    expect(rows).toEqual([
      { counted: false, n: 2 },
      { counted: true, n: 4 },
    ]);
  });

  it('stay exact, without deadlocks, under overlapping reports of several listeners in any order', async () => {
    const listeners = await Promise.all(Array.from({ length: 6 }, () => signUp(t)));
    const tracks = await Promise.all(Array.from({ length: 3 }, () => insertTrack(t, { ownerId: artistId })));
    // Per listener, 12 plays 4 minutes apart over the 3 tracks, listened to 10 s to 120 s.
    const plays = listeners.map(() => Array.from({ length: 12 }, () => randomUUID()));
    const requests = listeners.flatMap((listener, l) =>
      Array.from({ length: 4 }, (_, r) => {
        const events = plays[l]!.map((play, k) =>
          event(play, tracks[k % 3]!, 'play.progress', ((k + 1) * 10_000 * ((r % 4) + 1)) / 4, {
            agoMs: (k + 1) * 4 * MINUTE,
          }),
        );
        // A different order in each request: shifted, and reversed for half of them.
        const shifted = [...events.slice(r), ...events.slice(0, r)];
        return call(t, listener.accessToken, 'POST', '/plays', { events: r % 2 ? shifted.reverse() : shifted });
      }),
    );
    const responses = await Promise.all(requests);
    expect(responses.map((r) => r.statusCode)).toEqual(Array(requests.length).fill(200));
    // Track k % 3 gets plays k = 0..11 of each listener: (k + 1) × 10 s; 30 s and more count.
    for (const [i, track] of tracks.entries()) {
      const ks = [i, i + 3, i + 6, i + 9];
      const listened = ks.reduce((sum, k) => sum + (k + 1) * 10_000, 0);
      const counted = ks.filter((k) => (k + 1) * 10_000 >= 30_000).length;
      for (const listener of listeners) {
        expect(await stats(listener.accessToken, track)).toEqual({
          trackId: track,
          playCount: listeners.length * counted,
          listenedMs: listeners.length * listened,
          myPlayCount: counted,
          myListenedMs: listened,
        });
      }
    }
  });

  it('record a play below the threshold without counting it, and count it once when it crosses', async () => {
    const listener = await signUp(t);
    const track = await insertTrack(t, { ownerId: artistId, durationMs: 180_000 });
    const play = randomUUID();
    expect(
      await report(listener.accessToken, [
        event(play, track, 'play.started', 0, { agoMs: MINUTE }),
        event(play, track, 'play.progress', 29_999, { agoMs: MINUTE - 30_000 }),
      ]),
    ).toEqual({ accepted: 2, ignored: 0 });
    expect(await playRow(play)).toMatchObject({ listened_ms: 29_999, counted: false });
    expect(await stats(listener.accessToken, track)).toEqual({
      trackId: track,
      playCount: 0,
      listenedMs: 29_999,
      myPlayCount: 0,
      myListenedMs: 29_999,
    });

    const crossing = [event(play, track, 'play.progress', 30_000, { agoMs: MINUTE - 31_000 })];
    await report(listener.accessToken, crossing);
    expect(await playRow(play)).toMatchObject({ listened_ms: 30_000, counted: true });
    expect(await stats(listener.accessToken, track)).toMatchObject({
      playCount: 1,
      listenedMs: 30_000,
      myPlayCount: 1,
    });

    // The crossing report again, then the rest of the play: still one play, more listening.
    await report(listener.accessToken, crossing);
    await report(listener.accessToken, [event(play, track, 'play.ended', 175_000)]);
    await report(listener.accessToken, [event(play, track, 'play.ended', 175_000)]);
    expect(await stats(listener.accessToken, track)).toEqual({
      trackId: track,
      playCount: 1,
      listenedMs: 175_000,
      myPlayCount: 1,
      myListenedMs: 175_000,
    });
  });

  it('count a play of a short track at half its duration', async () => {
    const listener = await signUp(t);
    const track = await insertTrack(t, { ownerId: artistId, durationMs: 20_000 });
    const play = randomUUID();
    await report(listener.accessToken, [event(play, track, 'play.progress', 9_999, { agoMs: 15_000 })]);
    expect(await stats(listener.accessToken, track)).toMatchObject({ playCount: 0, listenedMs: 9_999 });
    await report(listener.accessToken, [event(play, track, 'play.progress', 10_000, { agoMs: 14_000 })]);
    expect(await stats(listener.accessToken, track)).toMatchObject({ playCount: 1, listenedMs: 10_000 });
    // Reached in the very first report, a play counts at once.
    const replay = randomUUID();
    await report(listener.accessToken, [event(replay, track, 'play.ended', 20_000, { agoMs: -MINUTE })]);
    expect(await stats(listener.accessToken, track)).toMatchObject({ playCount: 2, listenedMs: 30_000 });
  });

  it('count one of many plays of a track started within half its duration, in parallel or not', async () => {
    const [listener, neighbour] = await Promise.all([signUp(t), signUp(t)]);
    const track = await insertTrack(t, { ownerId: artistId, durationMs: 180_000 });
    // Fake plays: a fresh id per request, all pretending to have been listened to in full.
    const fakes = Array.from({ length: 20 }, (_, i) => {
      const play = randomUUID();
      return [
        event(play, track, 'play.started', 0, { agoMs: 4 * MINUTE - i * 1000 }),
        event(play, track, 'play.ended', 180_000, { agoMs: MINUTE - i * 1000 }),
      ];
    });
    const responses = await Promise.all(
      fakes.map((events) => call(t, listener.accessToken, 'POST', '/plays', { events })),
    );
    expect(responses.map((r) => r.statusCode)).toEqual(Array(20).fill(200));
    // In one batch too.
    const burst = Array.from({ length: 50 }, (_, i) =>
      event(randomUUID(), track, 'play.ended', 180_000, { agoMs: 4 * MINUTE + i * 1000 }),
    );
    expect(await report(listener.accessToken, burst)).toEqual({ accepted: 50, ignored: 0 });
    // Each adds its listening time, one counts; another listener's play at the same time counts.
    await report(neighbour.accessToken, [event(randomUUID(), track, 'play.ended', 180_000, { agoMs: 4 * MINUTE })]);
    expect(await stats(listener.accessToken, track)).toMatchObject({
      playCount: 2,
      myPlayCount: 1,
      myListenedMs: 20 * 180_000 + 50 * 180_000,
    });
    expect(await stats(neighbour.accessToken, track)).toMatchObject({ myPlayCount: 1, myListenedMs: 180_000 });

    // A genuine replay after the first one counts again: it starts 90 s (half the track) later...
    const replay = randomUUID();
    await report(listener.accessToken, [
      event(replay, track, 'play.started', 0, { agoMs: 2 * MINUTE }),
      event(replay, track, 'play.progress', 30_000, { agoMs: 90_000 }),
    ]);
    expect(await playRow(replay)).toMatchObject({ counted: true });
    // ...but a play reported late that started between the two does not, ever.
    const between = randomUUID();
    await report(listener.accessToken, [event(between, track, 'play.progress', 60_000, { agoMs: 3 * MINUTE })]);
    await report(listener.accessToken, [event(between, track, 'play.ended', 180_000, { agoMs: 2 * MINUTE })]);
    expect(await playRow(between)).toMatchObject({ listened_ms: 180_000, counted: false });
    expect(await stats(listener.accessToken, track)).toMatchObject({
      playCount: 3,
      myPlayCount: 2,
      myListenedMs: 70 * 180_000 + 30_000 + 180_000,
    });
  });

  it('give stats only for tracks the caller can see', async () => {
    const owner = await signUp(t, 'artist');
    const listener = await signUp(t);
    const hidden = await insertTrack(t, { ownerId: owner.user.id, state: 'failed' });
    expect((await call(t, listener.accessToken, 'GET', `/tracks/${hidden}/stats`)).statusCode).toBe(404);
    expect((await call(t, listener.accessToken, 'GET', `/tracks/${randomUUID()}/stats`)).statusCode).toBe(404);
    expect(await stats(owner.accessToken, hidden)).toMatchObject({ playCount: 0, myPlayCount: 0 });
  });

  it('refuse malformed reports with 400 and the error body', async () => {
    const listener = await signUp(t);
    const track = await insertTrack(t, { ownerId: artistId });
    const good = event(randomUUID(), track, 'play.started', 0);
    const bodies: unknown[] = [
      {},
      { events: [] },
      { events: good },
      { events: Array.from({ length: PLAY_REPORT_MAX_EVENTS + 1 }, () => good) },
      { events: [good], extra: 1 },
      { events: [{ ...good, type: 'play.paused' }] },
      { events: [{ ...good, playId: 'nope' }] },
      { events: [{ ...good, trackId: 42 }] },
      { events: [{ ...good, listenedMs: '5' }] },
      { events: [{ ...good, listenedMs: -1 }] },
      { events: [{ ...good, listenedMs: 1.5 }] },
      { events: [{ ...good, listenedMs: 24 * 60 * MINUTE + 1 }] },
      { events: [{ ...good, positionMs: null }] },
      { events: [{ ...good, occurredAt: 'yesterday' }] },
      { events: [{ ...good, occurredAt: '2026-03-01T12:00:00Z\u0000' }] },
      { events: [{ ...good, source: 'radio' }] },
      { events: [{ ...good, userId: listener.user.id }] },
      { events: [{ type: 'play.started' }] },
      [good],
    ];
    for (const body of bodies) {
      const response = await call(t, listener.accessToken, 'POST', '/plays', body);
      expect(response.statusCode, JSON.stringify(body).slice(0, 120)).toBe(400);
      expect(errorOf(response).code).toBe('VALIDATION_FAILED');
    }
    expect(await stats(listener.accessToken, track)).toMatchObject({ playCount: 0 });
    // The largest batch allowed is fine: an offline queue of plays a track's length apart all count.
    expect(PLAY_REPORT_MAX_EVENTS).toBe(200);
    const full = Array.from({ length: PLAY_REPORT_MAX_EVENTS }, (_, i) =>
      event(randomUUID(), track, 'play.ended', 180_000, { agoMs: i * 3 * MINUTE }),
    );
    expect(await report(listener.accessToken, full)).toEqual({ accepted: PLAY_REPORT_MAX_EVENTS, ignored: 0 });
    expect(await stats(listener.accessToken, track)).toMatchObject({
      playCount: PLAY_REPORT_MAX_EVENTS,
      listenedMs: PLAY_REPORT_MAX_EVENTS * 180_000,
    });
  });
});
