import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlayEvent, PlayStats } from '@veza/shared';
import { ManualClock } from '../../infra/clock.js';
import { createTestApp, signUp, type TestApp } from '../../test-support/app.js';
import { call, errorOf, insertTrack } from '../../test-support/tracks.js';
import type { PlayReportSummary } from './plays.js';

/* Play reports: each play counts once, listening time only grows, and nothing can inflate another's counts. */

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
    'SELECT user_id, track_id, listened_ms, position_ms, ended, source, started_at FROM plays WHERE id = $1',
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
      event(a, track, 'play.started', 0),
      event(a, track, 'play.ended', 60_000),
      event(b, track, 'play.started', 0),
      event(b, track, 'play.progress', 10_000),
    ];
    expect(await report(listener.accessToken, batch)).toEqual({ accepted: 4, ignored: 0 });
    expect(await report(listener.accessToken, batch)).toEqual({ accepted: 4, ignored: 0 });
    expect(await stats(listener.accessToken, track)).toMatchObject({
      playCount: 2,
      listenedMs: 70_000,
      myPlayCount: 2,
      myListenedMs: 70_000,
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
      started_at: new Date(clock.now().getTime() - 2 * DAY - MINUTE),
    });
  });

  it('ignore events for unknown or hidden tracks without failing the rest of the batch', async () => {
    const listener = await signUp(t);
    const track = await insertTrack(t, { ownerId: artistId });
    const hidden = await insertTrack(t, { ownerId: artistId, state: 'processing' });
    const summary = await report(listener.accessToken, [
      event(randomUUID(), randomUUID(), 'play.started', 0),
      event(randomUUID(), hidden, 'play.ended', 10_000),
      event(randomUUID(), track, 'play.ended', 10_000),
    ]);
    expect(summary).toEqual({ accepted: 1, ignored: 2 });
    expect(await stats(listener.accessToken, track)).toMatchObject({ playCount: 1 });
    const { rows } = await t.database.db.query('SELECT play_count FROM tracks WHERE id = $1', [hidden]);
    expect(Number(rows[0]!.play_count)).toBe(0);
    // A track deleted while its plays sat in an offline queue.
    const deleted = await insertTrack(t, { ownerId: artistId });
    await t.database.db.query('DELETE FROM tracks WHERE id = $1', [deleted]);
    expect(await report(listener.accessToken, [event(randomUUID(), deleted, 'play.ended', 1)])).toEqual({
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
      await report(ada.accessToken, [event(fresh, other, 'play.started', 0), event(fresh, track, 'play.ended', 9)]),
    ).toEqual({ accepted: 1, ignored: 1 });

    expect(await playRow(play)).toMatchObject({ user_id: ada.user.id, track_id: track, listened_ms: 10_000 });
    expect(await stats(eve.accessToken, track)).toMatchObject({ playCount: 1, listenedMs: 10_000, myPlayCount: 0 });
    expect(await stats(ada.accessToken, other)).toMatchObject({ playCount: 1, listenedMs: 0 });
  });

  it('ignore events from the future or older than 30 days', async () => {
    const listener = await signUp(t);
    const track = await insertTrack(t, { ownerId: artistId });
    const at = (offsetMs: number) => event(randomUUID(), track, 'play.ended', 1000, { agoMs: -offsetMs });
    const summary = await report(listener.accessToken, [
      at(6 * MINUTE),
      at(4 * MINUTE),
      at(-29 * DAY),
      at(-31 * DAY),
      at(365 * DAY),
    ]);
    expect(summary).toEqual({ accepted: 2, ignored: 3 });
    expect(await stats(listener.accessToken, track)).toMatchObject({ playCount: 2, listenedMs: 2000 });
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
    const batch = plays.flatMap((play, i) => [
      event(play, i % 2 ? x : y, 'play.started', 0),
      event(play, i % 2 ? x : y, 'play.progress', 5_000 * (i + 1)),
    ]);
    // Opposite orders in half the requests: locks are taken in a fixed order, so no deadlock.
    const responses = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        call(t, listener.accessToken, 'POST', '/plays', { events: i % 2 ? [...batch].reverse() : batch }),
      ),
    );
    expect(responses.map((r) => r.statusCode)).toEqual(Array(12).fill(200));
    expect(await stats(listener.accessToken, x)).toMatchObject({ playCount: 3, listenedMs: 60_000, myPlayCount: 3 });
    expect(await stats(listener.accessToken, y)).toMatchObject({ playCount: 3, listenedMs: 45_000, myPlayCount: 3 });
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
      { events: Array.from({ length: 501 }, () => good) },
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
    // The largest batch allowed is fine.
    const full = Array.from({ length: 500 }, (_, i) => event(randomUUID(), track, 'play.ended', i));
    expect(await report(listener.accessToken, full)).toEqual({ accepted: 500, ignored: 0 });
    expect(await stats(listener.accessToken, track)).toMatchObject({ playCount: 500 });
  });
});
