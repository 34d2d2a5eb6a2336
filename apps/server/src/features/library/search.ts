import type { SearchResult } from '@veza/shared';
import type { Queryable } from '../../infra/db/db.js';
import { coverPath, TRACK_FROM, toTrack, trackColumns, type TrackRow } from '../media/index.js';

export const DEFAULT_SEARCH_LIMIT = 20;

/**
 * The text-search query for what someone typed, accent-insensitive like `tracks.search`, or null
 * when it holds no word. PostgreSQL parses the input (websearch syntax: quotes, `or`, `-`), so no
 * user text is ever spliced into a query; while the last word is still being typed, that word
 * matches as a prefix ("beeth" finds "Beethoven"). The prefix is added to PostgreSQL's own
 * rendering of the query, which quotes every lexeme: appending `:*` after the final closing
 * quote is always well-formed.
 */
async function toSearchQuery(db: Queryable, typed: string): Promise<string | null> {
  const stillTyping = !/[\s"]$/.test(typed);
  const { rows } = await db.query<{ query: string; words: number }>(
    `SELECT CASE WHEN $2 THEN regexp_replace(q::text, '''$', ''':*') ELSE q::text END AS query,
            numnode(q) AS words
     FROM websearch_to_tsquery('simple', veza_unaccent($1)) AS q`,
    [typed, stillTyping],
  );
  return rows[0] && rows[0].words > 0 ? rows[0].query : null;
}

/** Ready tracks ranked by where the words matched (title, then artist, then album), with matching artists and albums. */
export async function searchLibrary(
  db: Queryable,
  viewerId: string,
  typed: string,
  limit: number,
): Promise<SearchResult> {
  const query = await toSearchQuery(db, typed);
  if (!query) return { tracks: [], artists: [], albums: [] };
  const [tracks, artists, albums] = await Promise.all([
    db.query<TrackRow>(
      `SELECT ${trackColumns('$2')} FROM ${TRACK_FROM}
       WHERE t.state = 'ready' AND t.search @@ $1::tsquery
       ORDER BY ts_rank(t.search, $1::tsquery) DESC, t.play_count DESC, t.id
       LIMIT $3`,
      [query, viewerId, limit],
    ),
    // The weights of tracks.search tell the fields apart: B is the artist, C the album.
    db.query<{ name: string; track_count: string }>(
      `SELECT min(t.artist) AS name, count(*) AS track_count
       FROM tracks t
       WHERE t.state = 'ready' AND t.search @@ $1::tsquery AND ts_filter(t.search, '{b}') @@ $1::tsquery
       GROUP BY lower(t.artist)
       ORDER BY max(ts_rank(t.search, $1::tsquery)) DESC, count(*) DESC, lower(t.artist)
       LIMIT $2`,
      [query, limit],
    ),
    db.query<{ name: string; artist: string; track_count: string; cover_track_id: string; media_version: number }>(
      `SELECT min(t.album) AS name, min(t.artist) AS artist, count(*) AS track_count,
              (array_agg(t.id ORDER BY t.created_at, t.id))[1] AS cover_track_id,
              (array_agg(t.media_version ORDER BY t.created_at, t.id))[1] AS media_version
       FROM tracks t
       WHERE t.state = 'ready' AND t.album IS NOT NULL
         AND t.search @@ $1::tsquery AND ts_filter(t.search, '{c}') @@ $1::tsquery
       GROUP BY lower(t.album), lower(t.artist)
       ORDER BY max(ts_rank(t.search, $1::tsquery)) DESC, count(*) DESC, lower(t.album)
       LIMIT $2`,
      [query, limit],
    ),
  ]);
  return {
    tracks: tracks.rows.map(toTrack),
    artists: artists.rows.map((row) => ({ name: row.name, trackCount: Number(row.track_count) })),
    albums: albums.rows.map((row) => ({
      name: row.name,
      artist: row.artist,
      trackCount: Number(row.track_count),
      coverUrl: coverPath(row.cover_track_id, row.media_version),
    })),
  };
}
