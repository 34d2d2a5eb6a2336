import type { AnalyticsBucket } from '@veza/shared';
import type { Db } from '../../infra/db/db.js';
import { formatDay } from './days.js';
import { segmentsOf } from './segments.js';

/*
 * Reads of the rollups (migration 0006-analytics). Every query is bounded by a range of at most
 * a few hundred days or buckets and reads rollup rows only, never messages or plays.
 */

export type CounterMetric = 'messages' | 'plays' | 'listening_ms' | 'new_accounts' | 'moderation_actions';

/** Per bucket start (`YYYY-MM-DD`), the metric's total over the bucket's days. */
export async function counterTotals(
  db: Db,
  metric: CounterMetric,
  bucket: AnalyticsBucket,
  from: Date,
  to: Date,
): Promise<Map<string, number>> {
  const { rows } = await db.query<{ start: string; value: string }>(
    `SELECT to_char(date_trunc($2, day::timestamp), 'YYYY-MM-DD') AS start, sum(value)::text AS value
     FROM analytics_daily WHERE metric = $1 AND day BETWEEN $3::date AND $4::date
     GROUP BY 1`,
    [metric, bucket, formatDay(from), formatDay(to)],
  );
  return new Map(rows.map((row) => [row.start, Number(row.value)]));
}

/** Per bucket start, the distinct users active in it (daily, weekly or monthly actives). */
export async function activeUsers(db: Db, bucket: AnalyticsBucket, from: Date, to: Date): Promise<Map<string, number>> {
  const { rows } = await db.query<{ start: string; value: string }>(
    `SELECT to_char(start, 'YYYY-MM-DD') AS start, sum(value)::text AS value
     FROM analytics_active_counts WHERE period = $1 AND start BETWEEN $2::date AND $3::date
     GROUP BY 1`,
    [bucket, formatDay(from), formatDay(to)],
  );
  return new Map(rows.map((row) => [row.start, Number(row.value)]));
}

export interface TopRow {
  id: string;
  name: string;
  value: number;
}

/** Rooms by messages stored in the range; direct messages are private and never listed. */
export async function topRooms(db: Db, from: Date, to: Date, limit: number): Promise<TopRow[]> {
  const { months, weeks, days } = segmentParams(from, to);
  const { rows } = await db.query<{ id: string; name: string; value: string }>(
    `SELECT r.id, r.name, d.messages::text AS value
     FROM (SELECT room_id, sum(messages) AS messages FROM (
             SELECT room_id, messages FROM analytics_room_periods WHERE period = 'month' AND start = ANY($1::date[])
             UNION ALL
             SELECT room_id, messages FROM analytics_room_periods WHERE period = 'week' AND start = ANY($2::date[])
             UNION ALL
             SELECT room_id, messages FROM analytics_room_days WHERE day = ANY($3::date[])
           ) s GROUP BY room_id) d
     JOIN rooms r ON r.id = d.room_id AND r.kind <> 'dm'
     WHERE d.messages > 0
     ORDER BY d.messages DESC, r.id LIMIT $4`,
    [months, weeks, days, limit],
  );
  return rows.map((row) => ({ ...row, value: Number(row.value) }));
}

function segmentParams(from: Date, to: Date): { months: string[]; weeks: string[]; days: string[] } {
  const segments = segmentsOf(from, to);
  return {
    months: segments.months.map(formatDay),
    weeks: segments.weeks.map(formatDay),
    days: segments.days.map(formatDay),
  };
}

export interface ListeningRow {
  plays: number;
  listeners: number;
  listenedMs: number;
}

export interface ArtistRollups {
  tracks: { id: string; title: string }[];
  perTrack: Map<string, ListeningRow>;
  perDay: Map<string, ListeningRow>;
  totals: ListeningRow;
}

/**
 * An artist's figures over a range: per track, per day and in total, listeners counted once
 * per track, per day and over the whole range respectively.
 */
export async function artistRollups(db: Db, ownerId: string, from: Date, to: Date): Promise<ArtistRollups> {
  const range = [formatDay(from), formatDay(to)];
  const { rows: tracks } = await db.query<{ id: string; title: string }>(
    'SELECT id, title FROM tracks WHERE owner_id = $1 ORDER BY created_at DESC, id',
    [ownerId],
  );
  const ids = tracks.map((track) => track.id);
  const empty = (): ListeningRow => ({ plays: 0, listeners: 0, listenedMs: 0 });
  const perTrack = new Map(ids.map((id) => [id, empty()]));
  const perDay = new Map<string, ListeningRow>();
  const totals = empty();
  if (ids.length === 0) return { tracks, perTrack, perDay, totals };

  // Sums, and listeners per grouping, in one pass over the artist's rollup rows.
  const { rows: sums } = await db.query<{ track_id: string | null; day: string | null; plays: string; ms: string }>(
    `SELECT track_id, to_char(day, 'YYYY-MM-DD') AS day, sum(plays)::text AS plays, sum(listened_ms)::text AS ms
     FROM analytics_track_days WHERE track_id = ANY($1::uuid[]) AND day BETWEEN $2::date AND $3::date
     GROUP BY GROUPING SETS ((track_id), (day), ())`,
    [ids, ...range],
  );
  const { rows: listeners } = await db.query<{ track_id: string | null; day: string | null; n: number }>(
    `SELECT track_id, to_char(day, 'YYYY-MM-DD') AS day, count(DISTINCT user_id)::int AS n
     FROM analytics_track_listeners WHERE track_id = ANY($1::uuid[]) AND day BETWEEN $2::date AND $3::date
     GROUP BY GROUPING SETS ((track_id), (day), ())`,
    [ids, ...range],
  );
  const rowFor = (trackId: string | null, day: string | null): ListeningRow => {
    if (trackId) return perTrack.get(trackId) ?? empty();
    if (!day) return totals;
    let row = perDay.get(day);
    if (!row) perDay.set(day, (row = empty()));
    return row;
  };
  for (const sum of sums) {
    const row = rowFor(sum.track_id, sum.day);
    row.plays = Number(sum.plays);
    row.listenedMs = Number(sum.ms);
  }
  for (const count of listeners) rowFor(count.track_id, count.day).listeners = count.n;
  return { tracks, perTrack, perDay, totals };
}

export interface LiveCounts {
  activeRooms: number;
  messagesPerMinute: number;
  tracksPlaying: number;
}

/** The live tiles' counts from the small per-minute tables, as of `now`. */
export async function liveCounts(db: Db, now: Date): Promise<LiveCounts> {
  const minute = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
  const { rows } = await db.query<{ active_rooms: number; last_minute: number; playing: number }>(
    `SELECT
       (SELECT count(DISTINCT room_id)::int FROM analytics_room_minutes WHERE minute >= $1 AND minute <= $3) AS active_rooms,
       (SELECT coalesce(sum(messages), 0)::int FROM analytics_room_minutes WHERE minute = $2) AS last_minute,
       (SELECT count(*)::int FROM analytics_now_playing WHERE reported_at > $4 AND reported_at <= $3) AS playing`,
    [
      new Date(minute.getTime() - 4 * 60_000),
      new Date(minute.getTime() - 60_000),
      now,
      new Date(now.getTime() - 60_000),
    ],
  );
  const row = rows[0]!;
  return { activeRooms: row.active_rooms, messagesPerMinute: row.last_minute, tracksPlaying: row.playing };
}

/** Drops per-minute rows the live tiles no longer read. */
export async function pruneLive(db: Db, now: Date): Promise<void> {
  const before = new Date(now.getTime() - 10 * 60_000);
  await db.query('DELETE FROM analytics_room_minutes WHERE minute < $1', [before]);
  await db.query('DELETE FROM analytics_now_playing WHERE reported_at < $1', [before]);
}
