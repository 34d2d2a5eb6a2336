import type { SearchResult, Track, TrackListQuery, TrackPage, TrackUpdateBody } from '@veza/shared';
import type { Clock } from '../../infra/clock.js';
import type { Db, Queryable } from '../../infra/db/db.js';
import { forbidden, notFound } from '../../infra/errors.js';
import type { Actor } from '../auth/index.js';
import { canManageTracks, canSee, requireVisibleTrack, toTrack, type TrackRow } from '../media/index.js';
import { searchLibrary } from './search.js';
import { SqlParams } from './sql-params.js';
import { listTracks } from './track-queries.js';

const noSuchTrack = () => notFound('No such track.');

/**
 * Locks the track against deletion for the rest of the transaction (KEY SHARE: counter updates
 * by others still go through) and checks the listener may see it.
 */
async function holdVisibleTrack(tx: Queryable, trackId: string, listener: Actor): Promise<void> {
  const { rows } = await tx.query<Pick<TrackRow, 'state' | 'owner_id'>>(
    'SELECT state, owner_id FROM tracks WHERE id = $1 FOR KEY SHARE',
    [trackId],
  );
  if (!rows[0] || !canSee(rows[0], listener)) throw noSuchTrack();
}

const EDITABLE = ['title', 'artist', 'album', 'genre'] as const;

/** Browsing, searching, editing and liking tracks. */
export class TrackLibrary {
  constructor(private readonly deps: { db: Db; clock: Clock }) {}

  list(listener: Actor, query: TrackListQuery): Promise<TrackPage> {
    return listTracks(this.deps.db, listener, query);
  }

  search(listener: Actor, typed: string, limit: number): Promise<SearchResult> {
    return searchLibrary(this.deps.db, listener.id, typed, limit);
  }

  async get(listener: Actor, trackId: string): Promise<Track> {
    return toTrack(await requireVisibleTrack(this.deps.db, trackId, listener));
  }

  /** Owners who may still upload edit their tracks; managers edit anyone's. */
  async update(listener: Actor, trackId: string, changes: TrackUpdateBody): Promise<Track> {
    const row = await requireVisibleTrack(this.deps.db, trackId, listener);
    const ownsIt = row.owner_id === listener.id && listener.permissions.has('tracks:upload');
    if (!ownsIt && !canManageTracks(listener)) throw forbidden('Only the uploader or an admin can edit this track.');
    const params = new SqlParams();
    const id = params.add(trackId);
    const assignments = EDITABLE.filter((column) => changes[column] !== undefined).map((column) => {
      const value = changes[column];
      return `${column} = ${params.add(typeof value === 'string' ? value.trim() : null)}`;
    });
    assignments.push(`updated_at = ${params.add(this.deps.clock.now())}`);
    const { rowCount } = await this.deps.db.query(
      `UPDATE tracks SET ${assignments.join(', ')} WHERE id = ${id}`,
      params.values,
    );
    if (!rowCount) throw noSuchTrack();
    return this.get(listener, trackId);
  }

  /**
   * Idempotent. The counter moves only when the like row was really inserted, in the same
   * transaction: concurrent likes by one user wait on the row's unique key and count once.
   */
  async like(listener: Actor, trackId: string): Promise<void> {
    await this.deps.db.transaction(async (tx) => {
      await holdVisibleTrack(tx, trackId, listener);
      const inserted = await tx.query(
        'INSERT INTO track_likes (user_id, track_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
        [listener.id, trackId, this.deps.clock.now()],
      );
      if (inserted.rowCount) await tx.query('UPDATE tracks SET like_count = like_count + 1 WHERE id = $1', [trackId]);
    });
  }

  async unlike(listener: Actor, trackId: string): Promise<void> {
    await this.deps.db.transaction(async (tx) => {
      await holdVisibleTrack(tx, trackId, listener);
      const deleted = await tx.query('DELETE FROM track_likes WHERE user_id = $1 AND track_id = $2', [
        listener.id,
        trackId,
      ]);
      if (deleted.rowCount) await tx.query('UPDATE tracks SET like_count = like_count - 1 WHERE id = $1', [trackId]);
    });
  }
}
