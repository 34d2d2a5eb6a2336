import type { TrackListQuery, TrackPage, TrackSort } from '@veza/shared';
import type { Queryable } from '../../infra/db/db.js';
import { TRACK_FROM, toTrack, trackColumns, type TrackRow } from '../media/index.js';
import { decodeCursor, encodeCursor, type SortKeyKind } from './cursor.js';
import type { Actor } from '../auth/index.js';
import { SqlParams } from './sql-params.js';

/** One sort column: how to order by it, read it into a cursor, and compare a cursor value with it. */
interface SortKey {
  order: string;
  /** The value as text, exact (timestamps in microseconds: a Date would lose them). */
  select: string;
  fromCursor: (param: string) => string;
  kind: SortKeyKind;
}

const createdAt: SortKey = {
  order: 't.created_at',
  select: '(extract(epoch FROM t.created_at) * 1000000)::bigint::text',
  fromCursor: (param) => `(timestamptz 'epoch' + ${param}::bigint * interval '1 microsecond')`,
  kind: 'integer',
};
const lowered = (column: string): SortKey => ({
  order: `lower(t.${column})`,
  select: `lower(t.${column})`,
  fromCursor: (param) => `${param}::text`,
  kind: 'text',
});
const counter = (column: string): SortKey => ({
  order: `t.${column}`,
  select: `t.${column}::text`,
  fromCursor: (param) => `${param}::bigint`,
  kind: 'integer',
});

/**
 * Every sort runs in one direction over its keys and then the id, so a row comparison
 * `(keys, id) > (cursor)` finds exactly the rows after the cursor, ties included.
 */
const SORTS: Record<TrackSort, { direction: 'ASC' | 'DESC'; keys: SortKey[] }> = {
  newest: { direction: 'DESC', keys: [createdAt] },
  oldest: { direction: 'ASC', keys: [createdAt] },
  title: { direction: 'ASC', keys: [lowered('title')] },
  // An artist's tracks by title, not in upload order.
  artist: { direction: 'ASC', keys: [lowered('artist'), lowered('title')] },
  popular: { direction: 'DESC', keys: [counter('play_count')] },
  duration: { direction: 'ASC', keys: [counter('duration_ms')] },
};

export const DEFAULT_TRACK_PAGE_SIZE = 50;

type SortedRow = TrackRow & Record<`sort_key_${number}`, string>;

/**
 * A page of tracks. Listings show ready tracks only, except `mine`, which shows the caller's
 * uploads in every state (managers see others' unfinished tracks one by one, not in listings).
 */
export async function listTracks(db: Queryable, listener: Actor, query: TrackListQuery): Promise<TrackPage> {
  const sortName = query.sort ?? 'newest';
  const sort = SORTS[sortName];
  const limit = query.limit ?? DEFAULT_TRACK_PAGE_SIZE;
  const params = new SqlParams();
  const viewer = params.add(listener.id);

  const where = [query.mine ? `t.owner_id = ${viewer}` : `t.state = 'ready'`];
  if (query.ownerId) where.push(`t.owner_id = ${params.add(query.ownerId)}`);
  if (query.artist) where.push(`lower(t.artist) = lower(${params.add(query.artist)})`);
  if (query.album) where.push(`lower(t.album) = lower(${params.add(query.album)})`);
  if (query.genre) where.push(`lower(t.genre) = lower(${params.add(query.genre)})`);
  if (query.liked) {
    where.push(`EXISTS (SELECT 1 FROM track_likes l WHERE l.track_id = t.id AND l.user_id = ${viewer})`);
  }
  if (query.cursor) {
    const after = decodeCursor(
      query.cursor,
      sortName,
      sort.keys.map((key) => key.kind),
    );
    const columns = [...sort.keys.map((key) => key.order), 't.id'];
    const values = [
      ...sort.keys.map((key, i) => key.fromCursor(params.add(after.keys[i]))),
      `${params.add(after.id)}::uuid`,
    ];
    where.push(`(${columns.join(', ')}) ${sort.direction === 'DESC' ? '<' : '>'} (${values.join(', ')})`);
  }

  const { rows } = await db.query<SortedRow>(
    `SELECT ${trackColumns(viewer)}, ${sort.keys.map((key, i) => `${key.select} AS sort_key_${i}`).join(', ')}
     FROM ${TRACK_FROM}
     WHERE ${where.join(' AND ')}
     ORDER BY ${[...sort.keys.map((key) => key.order), 't.id'].map((column) => `${column} ${sort.direction}`).join(', ')}
     LIMIT ${params.add(limit + 1)}`,
    params.values,
  );
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const nextCursor =
    rows.length > limit && last
      ? encodeCursor(sortName, { keys: sort.keys.map((_, i) => last[`sort_key_${i}`]!), id: last.id })
      : null;
  return { tracks: page.map(toTrack), nextCursor };
}
