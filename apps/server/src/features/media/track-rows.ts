import type { Track, TrackQuality, TrackState } from '@veza/shared';
import type { Queryable } from '../../infra/db/db.js';

/** One published rendition of a track's ladder, as stored in `tracks.renditions`. */
export interface Rendition {
  quality: TrackQuality;
  bandwidth: number;
  averageBandwidth: number;
  segmentCount: number;
  downloadBytes: number;
  downloadSha256: string;
}

export interface TrackRow {
  id: string;
  owner_id: string;
  owner_username: string;
  title: string;
  artist: string;
  album: string | null;
  genre: string | null;
  duration_ms: number;
  state: TrackState;
  failure_reason: string | null;
  loudness_lufs: number | null;
  gain_db: number | null;
  renditions: Rendition[];
  cover_color: string;
  media_version: number;
  play_count: string;
  like_count: number;
  liked_by_me: boolean;
  created_at: Date;
  updated_at: Date;
}

/**
 * The select list for a Track: use as `SELECT ${trackColumns('$1')} FROM tracks t JOIN users u
 * ON u.id = t.owner_id`, where the given parameter is the caller's user id (for `likedByMe`).
 */
export const trackColumns = (viewerParam: string): string => `
  t.id, t.owner_id, u.username AS owner_username, t.title, t.artist, t.album, t.genre, t.duration_ms,
  t.state, t.failure_reason, t.loudness_lufs, t.gain_db, t.renditions, t.cover_color, t.media_version,
  t.play_count, t.like_count, t.created_at, t.updated_at,
  EXISTS (SELECT 1 FROM track_likes l WHERE l.track_id = t.id AND l.user_id = ${viewerParam}) AS liked_by_me`;

export const TRACK_FROM = 'tracks t JOIN users u ON u.id = t.owner_id';

export const coverPath = (trackId: string, mediaVersion: number): string =>
  `/api/v1/tracks/${trackId}/cover?v=${mediaVersion}`;

export function toTrack(row: TrackRow): Track {
  return {
    id: row.id,
    ownerId: row.owner_id,
    ownerUsername: row.owner_username,
    title: row.title,
    artist: row.artist,
    album: row.album,
    genre: row.genre,
    durationMs: row.duration_ms,
    state: row.state,
    failureReason: row.failure_reason,
    gainDb: row.gain_db,
    loudnessLufs: row.loudness_lufs,
    qualities: row.state === 'ready' ? row.renditions.map((r) => r.quality) : [],
    coverUrl: coverPath(row.id, row.media_version),
    coverColor: row.cover_color,
    playCount: Number(row.play_count),
    likeCount: row.like_count,
    likedByMe: row.liked_by_me,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** A track as `viewerId` sees it, or null when it does not exist. Visibility is the caller's job. */
export async function findTrackRow(db: Queryable, trackId: string, viewerId: string): Promise<TrackRow | null> {
  const { rows } = await db.query<TrackRow>(`SELECT ${trackColumns('$2')} FROM ${TRACK_FROM} WHERE t.id = $1`, [
    trackId,
    viewerId,
  ]);
  return rows[0] ?? null;
}

/** Ready tracks are visible to every listener; processing and failed ones only to their owner and managers. */
export function canSeeTrack(row: Pick<TrackRow, 'state' | 'owner_id'>, viewerId: string, canManage: boolean): boolean {
  return row.state === 'ready' || row.owner_id === viewerId || canManage;
}
