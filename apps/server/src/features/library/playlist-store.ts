import type { Playlist, PlaylistVisibility, Track } from '@veza/shared';
import type { Queryable } from '../../infra/db/db.js';
import type { Actor } from '../auth/index.js';
import { canManageTracks, TRACK_FROM, toTrack, trackColumns, visibleTrackSql, type TrackRow } from '../media/index.js';

/*
 * Plain parameterised SQL for playlists and their tracks. Counts, durations and track lists are
 * those of the tracks the viewer can see, so a playlist never reveals a hidden track.
 */

interface PlaylistRow {
  id: string;
  owner_id: string;
  owner_username: string;
  name: string;
  description: string | null;
  visibility: PlaylistVisibility;
  created_at: Date;
  updated_at: Date;
  track_count: string;
  duration_ms: string;
}

const toPlaylist = (row: PlaylistRow): Playlist => ({
  id: row.id,
  ownerId: row.owner_id,
  ownerUsername: row.owner_username,
  name: row.name,
  description: row.description,
  visibility: row.visibility,
  trackCount: Number(row.track_count),
  durationMs: Number(row.duration_ms),
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

/** Playlist columns as seen by `$1` (viewer id) with `$2` (whether they manage tracks). */
const PLAYLIST_SELECT = `
  SELECT p.id, p.owner_id, u.username AS owner_username, p.name, p.description, p.visibility,
         p.created_at, p.updated_at, s.track_count, s.duration_ms
  FROM playlists p
  JOIN users u ON u.id = p.owner_id
  CROSS JOIN LATERAL (
    SELECT count(*) AS track_count, coalesce(sum(t.duration_ms), 0) AS duration_ms
    FROM playlist_tracks pt JOIN tracks t ON t.id = pt.track_id
    WHERE pt.playlist_id = p.id AND ${visibleTrackSql('$1', '$2')}
  ) s`;

const viewer = (listener: Actor) => [listener.id, canManageTracks(listener)];

export async function insertPlaylist(
  db: Queryable,
  playlist: { id: string; ownerId: string; name: string; description: string | null; visibility: string; now: Date },
): Promise<void> {
  await db.query(
    `INSERT INTO playlists (id, owner_id, name, description, visibility, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $6)`,
    [playlist.id, playlist.ownerId, playlist.name, playlist.description, playlist.visibility, playlist.now],
  );
}

export async function findPlaylist(db: Queryable, listener: Actor, playlistId: string): Promise<Playlist | null> {
  const { rows } = await db.query<PlaylistRow>(`${PLAYLIST_SELECT} WHERE p.id = $3`, [...viewer(listener), playlistId]);
  return rows[0] ? toPlaylist(rows[0]) : null;
}

/** A user's playlists, recently changed first; only the public ones unless the viewer is that user. */
export async function listPlaylists(
  db: Queryable,
  listener: Actor,
  ownerId: string,
  page: { limit: number; offset: number },
): Promise<Playlist[]> {
  const { rows } = await db.query<PlaylistRow>(
    `${PLAYLIST_SELECT}
     WHERE p.owner_id = $3 AND (p.visibility = 'public' OR p.owner_id = $1)
     ORDER BY p.updated_at DESC, p.id
     LIMIT $4 OFFSET $5`,
    [...viewer(listener), ownerId, page.limit, page.offset],
  );
  return rows.map(toPlaylist);
}

/** The tracks the viewer can see, in playlist order. */
export async function listPlaylistTracks(db: Queryable, listener: Actor, playlistId: string): Promise<Track[]> {
  const { rows } = await db.query<TrackRow>(
    `SELECT ${trackColumns('$1')}
     FROM ${TRACK_FROM} JOIN playlist_tracks pt ON pt.track_id = t.id
     WHERE pt.playlist_id = $3 AND ${visibleTrackSql('$1', '$2')}
     ORDER BY pt.position, pt.added_at, t.id`,
    [...viewer(listener), playlistId],
  );
  return rows.map(toTrack);
}

export interface LockedPlaylist {
  id: string;
  ownerId: string;
  visibility: PlaylistVisibility;
}

/**
 * Locks the playlist row for the rest of the transaction. Every change to a playlist or its
 * tracks takes this lock first, so concurrent edits apply one after the other.
 */
export async function lockPlaylist(db: Queryable, playlistId: string): Promise<LockedPlaylist | null> {
  const { rows } = await db.query<{ id: string; owner_id: string; visibility: PlaylistVisibility }>(
    'SELECT id, owner_id, visibility FROM playlists WHERE id = $1 FOR UPDATE',
    [playlistId],
  );
  return rows[0] ? { id: rows[0].id, ownerId: rows[0].owner_id, visibility: rows[0].visibility } : null;
}

export async function updatePlaylist(
  db: Queryable,
  playlistId: string,
  changes: { name?: string; description?: string | null; visibility?: PlaylistVisibility },
  now: Date,
): Promise<void> {
  await db.query(
    `UPDATE playlists SET
       name = CASE WHEN $2 THEN $3 ELSE name END,
       description = CASE WHEN $4 THEN $5 ELSE description END,
       visibility = coalesce($6, visibility),
       updated_at = $7
     WHERE id = $1`,
    [
      playlistId,
      changes.name !== undefined,
      changes.name ?? null,
      changes.description !== undefined,
      changes.description ?? null,
      changes.visibility ?? null,
      now,
    ],
  );
}

export async function touchPlaylist(db: Queryable, playlistId: string, now: Date): Promise<void> {
  await db.query('UPDATE playlists SET updated_at = $2 WHERE id = $1', [playlistId, now]);
}

export async function deletePlaylist(db: Queryable, playlistId: string): Promise<void> {
  await db.query('DELETE FROM playlists WHERE id = $1', [playlistId]);
}

/** Every entry of the playlist in order, with whether the viewer can see its track. */
export async function readEntries(
  db: Queryable,
  listener: Actor,
  playlistId: string,
): Promise<{ trackId: string; visible: boolean }[]> {
  const { rows } = await db.query<{ track_id: string; visible: boolean }>(
    `SELECT pt.track_id, ${visibleTrackSql('$1', '$2')} AS visible
     FROM playlist_tracks pt JOIN tracks t ON t.id = pt.track_id
     WHERE pt.playlist_id = $3
     ORDER BY pt.position, pt.added_at, pt.track_id`,
    [...viewer(listener), playlistId],
  );
  return rows.map((row) => ({ trackId: row.track_id, visible: row.visible }));
}

/**
 * Makes the playlist hold exactly `trackIds`, in that order, at positions 0..n-1: entries not
 * listed are removed, new ones added. Positions are rewritten whole, which also closes gaps left
 * by tracks deleted from the library (their entries go by cascade).
 */
export async function writeEntries(db: Queryable, playlistId: string, trackIds: string[], now: Date): Promise<void> {
  await db.query('DELETE FROM playlist_tracks WHERE playlist_id = $1 AND NOT (track_id = ANY($2::uuid[]))', [
    playlistId,
    trackIds,
  ]);
  await db.query(
    `INSERT INTO playlist_tracks (playlist_id, track_id, position, added_at)
     SELECT $1, entry.track_id, entry.ord - 1, $3
     FROM unnest($2::uuid[]) WITH ORDINALITY AS entry (track_id, ord)
     ON CONFLICT (playlist_id, track_id) DO UPDATE SET position = excluded.position
       WHERE playlist_tracks.position IS DISTINCT FROM excluded.position`,
    [playlistId, trackIds, now],
  );
}

/** The subset of `trackIds` the viewer can see, locked against deletion until the transaction ends. */
export async function holdVisibleTracks(db: Queryable, listener: Actor, trackIds: string[]): Promise<Set<string>> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT t.id FROM tracks t WHERE t.id = ANY($3::uuid[]) AND ${visibleTrackSql('$1', '$2')} FOR KEY SHARE`,
    [...viewer(listener), trackIds],
  );
  return new Set(rows.map((row) => row.id));
}
