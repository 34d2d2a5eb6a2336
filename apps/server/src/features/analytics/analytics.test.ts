import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArtistStats, History, PlayEvent, TopList } from '@veza/shared';
import { ManualClock } from '../../infra/clock.js';
import { createTestApp, signUp, type TestApp } from '../../test-support/app.js';
import { createRoom, connectSynced, isEventKind, joinRoom, sendMessage, wsUrl } from '../../test-support/chat.js';
import { call, errorOf, insertTrack } from '../../test-support/tracks.js';
import type { TestSocket } from '../../test-support/ws-client.js';

/*
 * Analytics over a real database: rollups follow messages, plays and accounts as they are stored
 * (triggers), reads fill zeros and whole buckets, ranges are bounded, CSV is safe, and each caller
 * sees only what they may.
 */

// A Wednesday, so that weeks (from Monday) and months (from the 1st) both start earlier.
const clock = new ManualClock(new Date('2026-03-04T12:00:00Z'));
const TODAY = '2026-03-04';
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

let t: TestApp;
let moderator: string;
let admin: string;
const sockets: TestSocket[] = [];
beforeAll(async () => {
  t = await createTestApp({ clock });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  moderator = (await signUp(t, 'moderator')).accessToken;
  admin = (await signUp(t, 'admin')).accessToken;
});
afterAll(async () => {
  for (const socket of sockets) socket.close();
  await t.close();
});

async function get<T>(token: string, url: string): Promise<T> {
  const response = await call(t, token, 'GET', url);
  expect(response.statusCode, response.body).toBe(200);
  return response.json<T>();
}

const history = (metric: string, from: string, to: string, bucket = 'day') =>
  get<History>(moderator, `/analytics/history?metric=${metric}&bucket=${bucket}&from=${from}&to=${to}`);

async function today(metric: string): Promise<number> {
  return (await history(metric, TODAY, TODAY)).points[0]!.value;
}

async function writer(token: string, roomId: string): Promise<TestSocket> {
  const socket = await connectSynced(wsUrl(t), token, { [roomId]: 0 });
  sockets.push(socket);
  return socket;
}

function play(
  playId: string,
  trackId: string,
  listenedMs: number,
  agoMs: number,
  type: PlayEvent['type'] = 'play.progress',
): PlayEvent {
  return {
    type,
    playId,
    trackId,
    positionMs: listenedMs,
    listenedMs,
    occurredAt: new Date(clock.now().getTime() - agoMs).toISOString(),
  };
}

async function report(token: string, events: PlayEvent[]): Promise<void> {
  const response = await call(t, token, 'POST', '/plays', { events });
  expect(response.statusCode, response.body).toBe(200);
}

describe('rollups follow what is stored', () => {
  it('count messages (deleted ones stay sent), daily actives and new accounts', async () => {
    const before = {
      messages: await today('messages'),
      active: await today('active_users'),
      accounts: await today('new_accounts'),
    };
    const ada = await signUp(t);
    const bob = await signUp(t);
    const room = await createRoom(t, ada.accessToken);
    await joinRoom(t, bob.accessToken, room.id);
    const adaSocket = await writer(ada.accessToken, room.id);
    const bobSocket = await writer(bob.accessToken, room.id);
    const first = await sendMessage(adaSocket, room.id, 'one');
    await sendMessage(adaSocket, room.id, 'two');
    await sendMessage(adaSocket, room.id, 'three');
    await sendMessage(bobSocket, room.id, 'four');
    // A resend of the same clientId is the same message: not counted twice.
    await sendMessage(adaSocket, room.id, 'one', { clientId: first.clientId });
    adaSocket.send({ type: 'delete', messageId: first.messageId, ref: 'del' });
    await adaSocket.next(isEventKind(room.id, 'message.deleted'), 'deleted');

    expect(await today('messages')).toBe(before.messages + 4);
    expect(await today('active_users')).toBe(before.active + 2);
    expect(await today('new_accounts')).toBe(before.accounts + 2);
    const top = await get<TopList>(moderator, `/analytics/top?kind=rooms&from=${TODAY}&to=${TODAY}&limit=100`);
    expect(top.items).toContainEqual({ id: room.id, name: room.name, value: 4 });
    const quarter = await get<TopList>(moderator, '/analytics/top?kind=rooms&from=2026-01-01&to=2026-03-31&limit=100');
    expect(quarter.items).toContainEqual({ id: room.id, name: room.name, value: 4 });
  });

  it('never list direct messages among top rooms', async () => {
    const ada = await signUp(t);
    const bob = await signUp(t);
    const response = await call(t, ada.accessToken, 'POST', '/dms', { userId: bob.user.id });
    expect(response.statusCode, response.body).toBeLessThan(300);
    const dm = response.json<{ id: string }>();
    const socket = await writer(ada.accessToken, dm.id);
    await sendMessage(socket, dm.id, 'private words');
    const top = await get<TopList>(moderator, `/analytics/top?kind=rooms&from=${TODAY}&to=${TODAY}&limit=100`);
    expect(top.items.map((item) => item.id)).not.toContain(dm.id);
  });
});

describe('plays and artists', () => {
  let artist: Awaited<ReturnType<typeof signUp>>;
  let tracks: string[];
  let otherArtistTrack: string;
  const from = '2026-02-25';

  beforeAll(async () => {
    artist = await signUp(t, 'artist');
    const other = await signUp(t, 'artist');
    tracks = [
      await insertTrack(t, { ownerId: artist.user.id, title: 'Dawn', durationMs: 200_000 }),
      await insertTrack(t, { ownerId: artist.user.id, title: 'Dusk', durationMs: 100_000 }),
    ];
    otherArtistTrack = await insertTrack(t, { ownerId: other.user.id, title: 'Elsewhere' });
    const listeners = [await signUp(t), await signUp(t), await signUp(t)];
    const [a, b, c] = listeners.map((listener) => listener.accessToken) as [string, string, string];
    // Listener a: Dawn twice (two days apart), Dusk once, then a top-up of the same Dusk play.
    // Counted plays: Dawn 120 s, Dawn 60 s, Dusk 90 s (a), Dusk 50 s (b), Dawn 45 s (c); b's 10 s is not.
    const duskPlay = randomUUID();
    await report(a, [play(randomUUID(), tracks[0]!, 120_000, 2 * DAY)]);
    await report(a, [
      play(randomUUID(), tracks[0]!, 60_000, 10 * MINUTE),
      play(duskPlay, tracks[1]!, 20_000, 5 * MINUTE),
    ]);
    await report(a, [play(duskPlay, tracks[1]!, 90_000, 3 * MINUTE, 'play.ended')]);
    // Listener b: Dawn for 10 s only (listening time, no counted play); Dusk three days ago.
    await report(b, [play(randomUUID(), tracks[0]!, 10_000, MINUTE), play(randomUUID(), tracks[1]!, 50_000, 3 * DAY)]);
    // Listener c: Dawn today, and another artist's track.
    await report(c, [
      play(randomUUID(), tracks[0]!, 45_000, MINUTE),
      play(randomUUID(), otherArtistTrack, 60_000, MINUTE),
    ]);
  });

  /** The artist's figures computed from the raw play rows, the way the rollups define them. */
  async function fromRawRows(): Promise<ArtistStats['totals'] & { perTrack: Record<string, ArtistStats['totals']> }> {
    const figures = `count(*) FILTER (WHERE counted)::int AS plays,
                     count(DISTINCT user_id) FILTER (WHERE listened_ms > 0)::int AS listeners,
                     round(sum(listened_ms) / 1000.0)::int AS "listeningSeconds"`;
    const where = `track_id = ANY($1::uuid[]) AND (started_at AT TIME ZONE 'UTC')::date BETWEEN $2::date AND $3::date`;
    const { rows: totals } = await t.database.db.query(`SELECT ${figures} FROM plays WHERE ${where}`, [
      tracks,
      from,
      TODAY,
    ]);
    const { rows: perTrack } = await t.database.db.query<ArtistStats['totals'] & { track_id: string }>(
      `SELECT track_id, ${figures} FROM plays WHERE ${where} GROUP BY track_id`,
      [tracks, from, TODAY],
    );
    return {
      ...(totals[0] as ArtistStats['totals']),
      perTrack: Object.fromEntries(perTrack.map(({ track_id, ...row }) => [track_id, row])),
    };
  }

  it("give an artist their own tracks' figures, equal to the raw rows", async () => {
    const stats = await get<ArtistStats>(artist.accessToken, `/analytics/artist?from=${from}&to=${TODAY}`);
    const raw = await fromRawRows();
    expect(stats.totals).toEqual({
      plays: raw.plays,
      listeners: raw.listeners,
      listeningSeconds: raw.listeningSeconds,
    });
    expect(stats.totals).toEqual({ plays: 5, listeners: 3, listeningSeconds: 375 });
    expect(stats.perTrack.map((track) => track.trackId).sort()).toEqual([...tracks].sort());
    for (const track of stats.perTrack) {
      const { trackId, title, ...figures } = track;
      expect(figures).toEqual(raw.perTrack[trackId]);
      expect(title).toBe(trackId === tracks[0] ? 'Dawn' : 'Dusk');
    }
    // One entry per day, zeros included; a listener is counted once per day.
    expect(stats.perDay).toHaveLength(8);
    expect(stats.perDay.find((day) => day.day === '2026-03-01')).toEqual({
      day: '2026-03-01',
      plays: 1,
      listeners: 1,
      listeningSeconds: 50,
    });
    expect(stats.perDay.find((day) => day.day === '2026-02-26')).toEqual({
      day: '2026-02-26',
      plays: 0,
      listeners: 0,
      listeningSeconds: 0,
    });
    expect(stats.perDay.find((day) => day.day === TODAY)).toEqual({
      day: TODAY,
      plays: 3,
      listeners: 3,
      listeningSeconds: 60 + 90 + 10 + 45,
    });
  });

  it('let analytics:view read any artist, and nobody else', async () => {
    const url = `/analytics/artist?from=${from}&to=${TODAY}&artistId=${artist.user.id}`;
    const asModerator = await get<ArtistStats>(moderator, url);
    expect(asModerator.totals.plays).toBe(5);
    const other = await signUp(t, 'artist');
    const refused = await call(t, other.accessToken, 'GET', url);
    expect(refused.statusCode).toBe(403);
    expect(errorOf(refused).code).toBe('FORBIDDEN');
    const listener = await signUp(t);
    const own = await call(t, listener.accessToken, 'GET', `/analytics/artist?from=${from}&to=${TODAY}`);
    expect(own.statusCode).toBe(403);
    // Asking for oneself by id is the same as asking for one's own figures.
    const self = await get<ArtistStats>(artist.accessToken, url);
    expect(self.totals).toEqual(asModerator.totals);
  });

  it('rank tracks by plays and add plays and listening hours to the history', async () => {
    const top = await get<TopList>(admin, `/analytics/top?kind=tracks&from=${from}&to=${TODAY}&limit=100`);
    const dawn = top.items.find((item) => item.id === tracks[0]);
    expect(dawn).toEqual({ id: tracks[0], name: 'Dawn', value: 3 });
    // Whole months, and weeks plus days, add up to the same as the days alone.
    for (const [start, end] of [
      ['2026-01-01', '2026-03-31'],
      ['2026-02-09', '2026-03-15'],
    ] as const) {
      const wide = await get<TopList>(admin, `/analytics/top?kind=tracks&from=${start}&to=${end}&limit=100`);
      expect(wide.items.find((item) => item.id === tracks[0])).toEqual(dawn);
      expect(wide.items.find((item) => item.id === tracks[1])?.value).toBe(2);
    }
    const values = top.items.map((item) => item.value);
    expect(values).toEqual([...values].sort((x, y) => y - x));
    const plays = await history('plays', from, TODAY);
    const { rows } = await t.database.db.query<{ day: string; plays: number; ms: string }>(
      `SELECT to_char((started_at AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD') AS day,
              count(*) FILTER (WHERE counted)::int AS plays, sum(listened_ms)::text AS ms
       FROM plays GROUP BY 1`,
    );
    for (const point of plays.points) {
      expect(point.value).toBe(rows.find((row) => row.day === point.start)?.plays ?? 0);
    }
    const hours = await history('listening_hours', from, TODAY);
    for (const point of hours.points) {
      const ms = Number(rows.find((row) => row.day === point.start)?.ms ?? 0);
      expect(point.value).toBeCloseTo(ms / 3_600_000, 3);
    }
  });
});

describe('history buckets', () => {
  it('fill every bucket, zeros and future included, weeks from Monday and months from the 1st', async () => {
    const weeks = await history('messages', '2026-02-20', '2026-03-20', 'week');
    expect(weeks.points.map((point) => point.start)).toEqual([
      '2026-02-16',
      '2026-02-23',
      '2026-03-02',
      '2026-03-09',
      '2026-03-16',
    ]);
    expect(weeks.points.filter((point) => point.value > 0).map((point) => point.start)).toEqual(['2026-03-02']);
    const months = await history('messages', '2026-01-15', '2026-05-02', 'month');
    expect(months.points.map((point) => point.start)).toEqual([
      '2026-01-01',
      '2026-02-01',
      '2026-03-01',
      '2026-04-01',
      '2026-05-01',
    ]);
    expect(months.points[2]!.value).toBe(weeks.points[2]!.value);
    expect(months.points[3]!.value).toBe(0);
    const future = await history('new_accounts', '2026-03-05', '2026-03-31');
    expect(future.points).toHaveLength(27);
    expect(future.points.every((point) => point.value === 0)).toBe(true);
  });

  it('count weekly and monthly actives as distinct users over the bucket, as the raw rows say', async () => {
    const raw = async (from: string, to: string) => {
      const { rows } = await t.database.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM (
           SELECT author_id FROM messages WHERE (created_at AT TIME ZONE 'UTC')::date BETWEEN $1 AND $2
           UNION SELECT user_id FROM plays WHERE listened_ms > 0 AND (started_at AT TIME ZONE 'UTC')::date BETWEEN $1 AND $2
         ) u`,
        [from, to],
      );
      return rows[0]!.n;
    };
    const week = await history('active_users', '2026-03-02', '2026-03-02', 'week');
    expect(week.points).toEqual([{ start: '2026-03-02', value: await raw('2026-03-02', '2026-03-08') }]);
    const month = await history('active_users', '2026-02-10', '2026-03-10', 'month');
    expect(month.points).toEqual([
      { start: '2026-02-01', value: await raw('2026-02-01', '2026-02-28') },
      { start: '2026-03-01', value: await raw('2026-03-01', '2026-03-31') },
    ]);
    const days = await history('active_users', '2026-03-02', '2026-03-08');
    const sumOfDays = days.points.reduce((sum, point) => sum + point.value, 0);
    // Someone active on two days of the week is one weekly active.
    expect(sumOfDays).toBeGreaterThan(week.points[0]!.value);
  });
});

describe('ranges', () => {
  const refused = async (url: string) => {
    const response = await call(t, moderator, 'GET', url);
    expect(response.statusCode, response.body).toBe(400);
    return errorOf(response);
  };

  it('refuse ranges over the limits with RANGE_TOO_LARGE, and take the longest allowed', async () => {
    expect((await refused('/analytics/history?metric=plays&from=2025-01-01&to=2026-01-02')).code).toBe(
      'RANGE_TOO_LARGE',
    );
    expect((await history('plays', '2025-01-01', '2026-01-01')).points).toHaveLength(366);
    expect((await refused('/analytics/history?metric=plays&bucket=week&from=2020-01-01&to=2026-01-01')).code).toBe(
      'RANGE_TOO_LARGE',
    );
    expect((await history('plays', '2021-03-01', '2026-01-01', 'week')).points.length).toBeLessThanOrEqual(260);
    expect(
      (await refused('/analytics/history?metric=active_users&bucket=month&from=2000-01-01&to=2026-01-01')).code,
    ).toBe('RANGE_TOO_LARGE');
    expect((await history('active_users', '2016-02-01', '2026-01-31', 'month')).points).toHaveLength(120);
    expect((await refused('/analytics/top?kind=rooms&from=0001-01-01&to=9999-12-31')).code).toBe('RANGE_TOO_LARGE');
    expect((await refused('/analytics/artist?from=2020-01-01&to=2026-01-01')).code).toBe('RANGE_TOO_LARGE');
  });

  it('refuse reversed ranges, impossible days and hostile parameters with a clear code', async () => {
    expect(await refused('/analytics/history?metric=plays&from=2026-03-02&to=2026-03-01')).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringContaining('"from"'),
    });
    expect((await refused('/analytics/history?metric=plays&from=2026-02-30&to=2026-03-01')).code).toBe(
      'VALIDATION_FAILED',
    );
    expect((await refused('/analytics/history?metric=plays&from=2026-1-1&to=2026-03-01')).code).toBe(
      'VALIDATION_FAILED',
    );
    expect((await refused(`/analytics/history?metric=pg_sleep&from=${TODAY}&to=${TODAY}`)).code).toBe(
      'VALIDATION_FAILED',
    );
    expect((await refused(`/analytics/top?kind=tracks&from=${TODAY}&to=${TODAY}&limit=101`)).code).toBe(
      'VALIDATION_FAILED',
    );
    expect((await refused(`/analytics/artist?from=${TODAY}&to=${TODAY}&artistId=not-a-uuid`)).code).toBe(
      'VALIDATION_FAILED',
    );
  });
});

describe('CSV', () => {
  it('answer CSV for format=csv or Accept: text/csv, JSON when format=json says so', async () => {
    const url = `/analytics/history?metric=new_accounts&from=2026-03-03&to=${TODAY}`;
    const byFormat = await call(t, moderator, 'GET', `${url}&format=csv`);
    expect(byFormat.statusCode).toBe(200);
    expect(byFormat.headers['content-type']).toBe('text/csv; charset=utf-8');
    const accounts = await today('new_accounts');
    expect(byFormat.body).toBe(`start,new_accounts\r\n2026-03-03,0\r\n${TODAY},${accounts}\r\n`);
    const byAccept = await t.app.inject({
      method: 'GET',
      url: `/api/v1${url}`,
      headers: { authorization: `Bearer ${moderator}`, accept: 'text/csv' },
    });
    expect(byAccept.body).toBe(byFormat.body);
    const json = await t.app.inject({
      method: 'GET',
      url: `/api/v1${url}&format=json`,
      headers: { authorization: `Bearer ${moderator}`, accept: 'text/csv' },
    });
    expect(json.json<History>().points).toHaveLength(2);
  });

  it('keep cells from users from being read as formulas', async () => {
    const owner = await signUp(t);
    const room = await createRoom(t, owner.accessToken, 'public', '=HYPERLINK("http://evil","x"), "quoted"');
    await sendMessage(await writer(owner.accessToken, room.id), room.id, 'hello');
    const response = await call(
      t,
      moderator,
      'GET',
      `/analytics/top?kind=rooms&from=${TODAY}&to=${TODAY}&format=csv&limit=100`,
    );
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain(`${room.id},"'=HYPERLINK(""http://evil"",""x""), ""quoted""",1\r\n`);
    expect(response.body.split('\r\n')[0]).toBe('id,name,messages');
  });
});
