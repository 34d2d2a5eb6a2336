import type { Db } from '../../infra/db/db.js';
import { formatDay } from './days.js';
import { segmentsOf } from './segments.js';
import type { TopRow } from './store.js';

/*
 * Top tracks over a range, exactly, without adding up every track's rows. A range is cut into
 * months, weeks and days (segments.ts); with 10,000 tracks played every day, a year is 120,000
 * month rows to sum, sort and cut to ten, too slow for the dashboard's 50 ms.
 *
 * So first only the most played tracks of each segment are read (CANDIDATES_PER_SEGMENT rows
 * from an index in plays order), and their exact totals over the range are summed. A track that
 * is in no segment's list played at most that list's smallest count in each segment: at most
 * the sum of those, the bound. When the `limit`-th candidate is strictly above the bound, no other
 * track can reach the list, and the answer is exact. Otherwise (popularity flat across many tracks,
 * or a list as long as the candidates) every row of the range is summed, as before.
 */

const candidatesPerSegment = (limit: number): number => limit * 2 + 20;

interface TopTrackRow {
  id: string;
  name: string;
  value: string;
}

export async function topTracks(db: Db, from: Date, to: Date, limit: number): Promise<TopRow[]> {
  const segments = segmentsOf(from, to);
  const months = segments.months.map(formatDay);
  const weeks = segments.weeks.map(formatDay);
  const days = segments.days.map(formatDay);
  const perSegment = candidatesPerSegment(limit);
  const { rows: leaders } = await db.query<{ segment: string; track_id: string; plays: string }>(
    `SELECT s.period || ' ' || s.start AS segment, l.track_id, l.plays::text AS plays
     FROM unnest($1::text[], $2::date[]) AS s(period, start)
     CROSS JOIN LATERAL (SELECT track_id, plays FROM analytics_track_periods p
       WHERE p.period = s.period AND p.start = s.start AND p.plays > 0 ORDER BY p.plays DESC LIMIT $4) l
     UNION ALL
     SELECT 'day ' || s.day, l.track_id, l.plays::text
     FROM unnest($3::date[]) AS s(day)
     CROSS JOIN LATERAL (SELECT track_id, plays FROM analytics_track_days d
       WHERE d.day = s.day AND d.plays > 0 ORDER BY d.plays DESC LIMIT $4) l`,
    [[...months.map(() => 'month'), ...weeks.map(() => 'week')], [...months, ...weeks], days, perSegment],
  );
  // Per segment, the smallest count listed when the list was cut (a shorter list is complete).
  const listed = new Map<string, { count: number; smallest: number }>();
  for (const row of leaders) {
    const plays = Number(row.plays);
    const entry = listed.get(row.segment) ?? { count: 0, smallest: plays };
    entry.count += 1;
    entry.smallest = Math.min(entry.smallest, plays);
    listed.set(row.segment, entry);
  }
  let bound = 0;
  for (const entry of listed.values()) if (entry.count >= perSegment) bound += entry.smallest;
  const candidates = [...new Set(leaders.map((row) => row.track_id))];
  const top = await sumTracks(db, months, weeks, days, limit, candidates);
  const last = top[top.length - 1];
  const exact = bound === 0 || (top.length === limit && last !== undefined && Number(last.value) > bound);
  const rows = exact ? top : await sumTracks(db, months, weeks, days, limit, null);
  return rows.map((row) => ({ ...row, value: Number(row.value) }));
}

/** Plays over the segments per track (only `among` when given), most played first. */
async function sumTracks(
  db: Db,
  months: string[],
  weeks: string[],
  days: string[],
  limit: number,
  among: string[] | null,
): Promise<TopTrackRow[]> {
  const { rows } = await db.query<TopTrackRow>(
    `SELECT t.id, t.title AS name, d.plays::text AS value
     FROM (SELECT track_id, sum(plays) AS plays FROM (
             SELECT track_id, plays FROM analytics_track_periods WHERE period = 'month' AND start = ANY($1::date[])
               AND ($5::uuid[] IS NULL OR track_id = ANY($5::uuid[]))
             UNION ALL
             SELECT track_id, plays FROM analytics_track_periods WHERE period = 'week' AND start = ANY($2::date[])
               AND ($5::uuid[] IS NULL OR track_id = ANY($5::uuid[]))
             UNION ALL
             SELECT track_id, plays FROM analytics_track_days WHERE day = ANY($3::date[]) AND plays > 0
               AND ($5::uuid[] IS NULL OR track_id = ANY($5::uuid[]))
           ) s GROUP BY track_id ORDER BY sum(plays) DESC, track_id LIMIT $4) d
     JOIN tracks t ON t.id = d.track_id
     ORDER BY d.plays DESC, t.id`,
    [months, weeks, days, limit, among],
  );
  return rows;
}
