import type { Track, TrackListQuery, TrackSort, WaveformPeaksDto } from '@veza/shared';
import type { CacheDb } from '../cache/database.js';
import { toFtsQuery } from './fts-query.js';

/** Same page size as the server's listing, so a page looks the same online and offline. */
export const DEFAULT_PAGE_SIZE = 50;
/** Offline cursors are offsets with this prefix; the server's cursors are base64url JSON. */
const OFFLINE_CURSOR = /^offline_(\d{1,9})$/;
const SEARCH_LIMIT = 50;

/** The same orders as the server (features/library/track-queries.ts), ties broken by id. */
const ORDER_BY: Record<TrackSort, string> = {
  newest: 'created_at DESC, id DESC',
  oldest: 'created_at ASC, id ASC',
  title: 'title COLLATE NOCASE ASC, id ASC',
  artist: 'artist COLLATE NOCASE ASC, title COLLATE NOCASE ASC, id ASC',
  popular: 'play_count DESC, id DESC',
  duration: 'duration_ms ASC, id ASC',
};

export interface CachedArtist {
  name: string;
  trackCount: number;
}
export interface CachedAlbum {
  name: string;
  artist: string;
  trackCount: number;
  coverTrack: Track;
}

export function isOfflineCursor(cursor: string | undefined): boolean {
  return cursor !== undefined && OFFLINE_CURSOR.test(cursor);
}

const parseTrack = (row: { data: string }): Track => JSON.parse(row.data) as Track;

/**
 * The tracks the server has shown this device, for browsing and searching offline. Every read
 * is one SQL statement; filters and sorts are done by SQLite, never by loading everything.
 */
export class TrackCache {
  constructor(private readonly db: CacheDb) {}

  upsert(tracks: readonly Track[]): void {
    if (tracks.length === 0) return;
    const now = new Date().toISOString();
    const statement = this.db.prepare(
      `INSERT INTO tracks (id, owner_id, title, artist, album, genre, duration_ms, state, play_count, liked_by_me,
                           created_at, data, last_seen)
       VALUES (@id, @ownerId, @title, @artist, @album, @genre, @durationMs, @state, @playCount, @liked,
               @createdAt, @data, @now)
       ON CONFLICT (id) DO UPDATE SET
         owner_id = excluded.owner_id, title = excluded.title, artist = excluded.artist, album = excluded.album,
         genre = excluded.genre, duration_ms = excluded.duration_ms, state = excluded.state,
         play_count = excluded.play_count, liked_by_me = excluded.liked_by_me, created_at = excluded.created_at,
         data = excluded.data, last_seen = excluded.last_seen`,
    );
    this.db.transaction(() => {
      for (const track of tracks) {
        statement.run({
          id: track.id,
          ownerId: track.ownerId,
          title: track.title,
          artist: track.artist,
          album: track.album,
          genre: track.genre,
          durationMs: track.durationMs,
          state: track.state,
          playCount: track.playCount,
          liked: track.likedByMe ? 1 : 0,
          createdAt: track.createdAt,
          data: JSON.stringify(track),
          now,
        });
      }
    })();
  }

  get(trackId: string): Track | null {
    const row = this.db.prepare('SELECT data FROM tracks WHERE id = ?').get(trackId) as { data: string } | undefined;
    return row ? parseTrack(row) : null;
  }

  /** In the order of `ids`, skipping unknown ones. */
  getMany(ids: readonly string[]): Track[] {
    if (ids.length === 0) return [];
    const rows = this.db
      .prepare('SELECT data FROM tracks WHERE id IN (SELECT value FROM json_each(?))')
      .all(JSON.stringify(ids)) as { data: string }[];
    const byId = new Map(rows.map((row) => [parseTrack(row).id, parseTrack(row)]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  delete(trackId: string): void {
    this.db.prepare('DELETE FROM tracks WHERE id = ?').run(trackId);
  }

  /**
   * After a complete listing: ready tracks the server no longer lists (deleted, hidden) go, except
   * downloaded ones, which stay playable offline until the user removes them.
   */
  pruneNotSeenSince(since: string): void {
    this.db
      .prepare(
        `DELETE FROM tracks WHERE state = 'ready' AND last_seen < ?
           AND id NOT IN (SELECT track_id FROM downloads WHERE state = 'done')`,
      )
      .run(since);
  }

  /** The listing as the server would give it, from what is cached: same filters, same orders. */
  list(query: TrackListQuery, meId: string): { tracks: Track[]; nextCursor: string | null } {
    const where: string[] = [];
    const params: Record<string, unknown> = {};
    if (query.mine) {
      where.push('owner_id = @me');
      params.me = meId;
    } else {
      where.push("state = 'ready'");
    }
    if (query.ownerId) {
      where.push('owner_id = @ownerId');
      params.ownerId = query.ownerId;
    }
    if (query.liked) where.push('liked_by_me = 1');
    for (const field of ['artist', 'album', 'genre'] as const) {
      const value = query[field];
      if (value === undefined) continue;
      where.push(`${field} = @${field} COLLATE NOCASE`);
      params[field] = value;
    }
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const match = query.cursor === undefined ? null : OFFLINE_CURSOR.exec(query.cursor);
    // A server cursor cannot be continued from the cache (its keys are not an offset): end the list
    // rather than start over and show the first page twice.
    if (query.cursor !== undefined && !match) return { tracks: [], nextCursor: null };
    const offset = match ? Number(match[1]) : 0;
    const rows = this.db
      .prepare(
        `SELECT data FROM tracks WHERE ${where.join(' AND ')}
         ORDER BY ${ORDER_BY[query.sort ?? 'newest']} LIMIT @take OFFSET @offset`,
      )
      .all({ ...params, take: limit + 1, offset }) as { data: string }[];
    const tracks = rows.slice(0, limit).map(parseTrack);
    return { tracks, nextCursor: rows.length > limit ? `offline_${offset + limit}` : null };
  }

  /** Full-text search over cached ready tracks; user text never reaches MATCH unquoted. */
  search(text: string): { tracks: Track[]; artists: CachedArtist[]; albums: CachedAlbum[] } {
    const match = toFtsQuery(text);
    if (!match) return { tracks: [], artists: [], albums: [] };
    const tracks = (
      this.db
        .prepare(
          `SELECT t.data FROM tracks_fts JOIN tracks t ON t.seq = tracks_fts.rowid
           WHERE tracks_fts MATCH ? AND t.state = 'ready'
           ORDER BY bm25(tracks_fts, 3.0, 2.0, 1.0), t.created_at DESC LIMIT ?`,
        )
        .all(match, SEARCH_LIMIT) as { data: string }[]
    ).map(parseTrack);
    // Column filters over a parenthesised expression: artists (albums) whose own name matches.
    const artistIds = this.matchingIds(`artist : (${match})`);
    const albumIds = this.matchingIds(`album : (${match})`);
    return {
      tracks,
      artists: this.artists(artistIds),
      albums: this.albums(albumIds),
    };
  }

  /** Artists of cached ready tracks, optionally only those of the given tracks. */
  artists(onlyTrackIds?: readonly string[]): CachedArtist[] {
    const filter = onlyTrackIds ? 'AND id IN (SELECT value FROM json_each(@ids))' : '';
    return this.db
      .prepare(
        `SELECT artist AS name, COUNT(*) AS trackCount FROM tracks WHERE state = 'ready' ${filter}
         GROUP BY artist COLLATE NOCASE ORDER BY artist COLLATE NOCASE`,
      )
      .all(onlyTrackIds ? { ids: JSON.stringify(onlyTrackIds) } : {}) as CachedArtist[];
  }

  /** Albums (name + artist) of cached ready tracks, each with the cover of its oldest track. */
  albums(onlyTrackIds?: readonly string[]): CachedAlbum[] {
    const filter = onlyTrackIds ? 'AND id IN (SELECT value FROM json_each(@ids))' : '';
    // SQLite takes bare columns (data) from the row that gave MIN(created_at).
    const rows = this.db
      .prepare(
        `SELECT album AS name, artist, COUNT(*) AS trackCount, MIN(created_at) AS first, data
         FROM tracks WHERE state = 'ready' AND album IS NOT NULL ${filter}
         GROUP BY album COLLATE NOCASE, artist COLLATE NOCASE
         ORDER BY album COLLATE NOCASE, artist COLLATE NOCASE`,
      )
      .all(onlyTrackIds ? { ids: JSON.stringify(onlyTrackIds) } : {}) as {
      name: string;
      artist: string;
      trackCount: number;
      data: string;
    }[];
    return rows.map((row) => ({
      name: row.name,
      artist: row.artist,
      trackCount: row.trackCount,
      coverTrack: parseTrack(row),
    }));
  }

  peaks(trackId: string): WaveformPeaksDto | null {
    const row = this.db.prepare('SELECT peaks FROM track_peaks WHERE track_id = ?').get(trackId) as
      { peaks: string } | undefined;
    return row ? (JSON.parse(row.peaks) as WaveformPeaksDto) : null;
  }

  savePeaks(trackId: string, peaks: WaveformPeaksDto): void {
    this.db
      .prepare(
        `INSERT INTO track_peaks (track_id, peaks, fetched_at) VALUES (?, ?, ?)
         ON CONFLICT (track_id) DO UPDATE SET peaks = excluded.peaks, fetched_at = excluded.fetched_at`,
      )
      .run(trackId, JSON.stringify(peaks), new Date().toISOString());
  }

  private matchingIds(match: string): string[] {
    return (
      this.db
        .prepare(
          `SELECT t.id FROM tracks_fts JOIN tracks t ON t.seq = tracks_fts.rowid
           WHERE tracks_fts MATCH ? AND t.state = 'ready' LIMIT 500`,
        )
        .all(match) as { id: string }[]
    ).map((row) => row.id);
  }
}
