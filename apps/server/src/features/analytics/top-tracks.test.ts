import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test-support/database.js';
import { parseDay } from './days.js';
import { topTracks } from './top-tracks.js';

/*
 * Top tracks read only each segment's leaders when that is provably enough, and everything
 * otherwise: either way the list must be the one a plain sum over every day gives. The rollup
 * rows are written directly (days, and weeks and months summed from them the way the migration's
 * backfill does), with more tracks per day than the leaders read (2 × 2 + 20 for a top 2).
 */

let database: TestDatabase;
let ownerId: string;
beforeAll(async () => {
  database = await createTestDatabase();
  ownerId = randomUUID();
  await database.db.query(
    "INSERT INTO users (id, email, username, password_hash) VALUES ($1, 'artist@x', 'artist', 'x')",
    [ownerId],
  );
});
afterAll(() => database.drop());

/** Fresh tracks with the given plays per day (`plays[track][dayIndex]`, days from `first`). */
async function seed(first: string, plays: number[][]): Promise<string[]> {
  const db = database.db;
  await db.query('DELETE FROM tracks');
  const ids = plays.map(() => randomUUID());
  for (const [n, id] of ids.entries()) {
    await db.query(
      `INSERT INTO tracks (id, owner_id, title, artist, duration_ms, state, source_probe, source_bytes, cover_color,
                           created_at, updated_at)
       VALUES ($1, $2, $3, 'a', 1000, 'ready', '{}', 1, '#000000', now(), now())`,
      [id, ownerId, `track ${n}`],
    );
  }
  await db.query(
    `INSERT INTO analytics_track_days (track_id, day, plays)
     SELECT t.id, $2::date + (d.i - 1)::int, d.plays FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, n)
     CROSS JOIN LATERAL unnest(($3::int[][])[t.n::int:t.n::int]) WITH ORDINALITY AS d(plays, i) WHERE d.plays > 0`,
    [ids, first, plays],
  );
  await db.query(
    `INSERT INTO analytics_track_periods (period, start, track_id, plays)
     SELECT p.period, date_trunc(p.period, d.day::timestamp)::date, d.track_id, sum(d.plays)
     FROM analytics_track_days d CROSS JOIN (VALUES ('week'), ('month')) AS p(period) GROUP BY 1, 2, 3`,
  );
  return ids;
}

/** The top list by a plain sum over every day of the range. */
async function plainTop(from: string, to: string, limit: number): Promise<{ id: string; value: number }[]> {
  const { rows } = await database.db.query<{ id: string; value: string }>(
    `SELECT track_id AS id, sum(plays)::text AS value FROM analytics_track_days WHERE day BETWEEN $1 AND $2
     GROUP BY track_id HAVING sum(plays) > 0 ORDER BY sum(plays) DESC, track_id LIMIT $3`,
    [from, to, limit],
  );
  return rows.map((row) => ({ id: row.id, value: Number(row.value) }));
}

const listed = async (from: string, to: string, limit: number) =>
  (await topTracks(database.db, parseDay(from)!, parseDay(to)!, limit)).map(({ id, value }) => ({ id, value }));

// 2026-01-20 .. 2026-03-10: days, a partial-month week, all of February, more days.
const FROM = '2026-01-20';
const TO = '2026-03-10';
const SPAN = 50;

describe('top tracks', () => {
  it('match a plain sum when popularity is skewed (the leaders suffice)', async () => {
    const plays = Array.from({ length: 60 }, (_, track) =>
      Array.from({ length: SPAN }, (_, day) => Math.floor(1000 / (track + 1)) + (day % 3)),
    );
    await seed(FROM, plays);
    for (const limit of [1, 2, 5]) expect(await listed(FROM, TO, limit)).toEqual(await plainTop(FROM, TO, limit));
  });

  it('match a plain sum when a track leads overall without leading any day', async () => {
    // Each day 30 different tracks get 100 plays; track 0 gets 50 every day, ranked 31st daily
    // (outside the 24 leaders read) yet first over the range.
    const plays = Array.from({ length: 200 }, (_, track) =>
      Array.from({ length: SPAN }, (_, day) => {
        if (track === 0) return 50;
        return Math.floor((track - 1) / 30) === day % 6 ? 100 : 0;
      }),
    );
    const ids = await seed(FROM, plays);
    // Tuesday to Sunday: days only, no whole week or month to read.
    const top = await listed(FROM, '2026-01-25', 2);
    expect(top).toEqual(await plainTop(FROM, '2026-01-25', 2));
    expect(top[0]).toEqual({ id: ids[0], value: 300 });
    expect(await listed(FROM, TO, 2)).toEqual(await plainTop(FROM, TO, 2));
  });

  it('match a plain sum with ties, few tracks and empty ranges', async () => {
    const plays = Array.from({ length: 40 }, (_, track) => Array.from({ length: SPAN }, () => (track < 12 ? 7 : 3)));
    await seed(FROM, plays);
    expect(await listed(FROM, TO, 10)).toEqual(await plainTop(FROM, TO, 10));
    expect(await listed('2026-01-20', '2026-01-20', 3)).toEqual(await plainTop('2026-01-20', '2026-01-20', 3));
    expect(await listed('2025-01-01', '2025-01-31', 3)).toEqual([]);
    await seed(FROM, [[1, 0, 2]]);
    expect(await listed(FROM, TO, 10)).toEqual(await plainTop(FROM, TO, 10));
  });
});
