import type { Playlist, PlaylistDetail } from '@veza/shared';
import type { CacheDb } from '../cache/database.js';
import type { TrackCache } from './track-cache.js';

/** Playlists as the server last showed them, with their track order when a detail was seen. */
export class PlaylistCache {
  constructor(
    private readonly db: CacheDb,
    private readonly tracks: TrackCache,
  ) {}

  /** A listing of my playlists: mine that it no longer has were deleted elsewhere. */
  replaceMine(meId: string, playlists: readonly Playlist[]): void {
    this.db.transaction(() => {
      const keep = JSON.stringify(playlists.map((playlist) => playlist.id));
      this.db
        .prepare('DELETE FROM playlists WHERE owner_id = ? AND id NOT IN (SELECT value FROM json_each(?))')
        .run(meId, keep);
      for (const playlist of playlists) this.upsert(playlist);
    })();
  }

  upsert(playlist: Playlist): void {
    this.db
      .prepare(
        `INSERT INTO playlists (id, owner_id, updated_at, data, last_seen) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET owner_id = excluded.owner_id, updated_at = excluded.updated_at,
           data = excluded.data, last_seen = excluded.last_seen`,
      )
      .run(playlist.id, playlist.ownerId, playlist.updatedAt, JSON.stringify(playlist), new Date().toISOString());
  }

  saveDetail(detail: PlaylistDetail): void {
    this.db.transaction(() => {
      this.tracks.upsert(detail.tracks);
      this.upsert(detail.playlist);
      this.db.prepare('DELETE FROM playlist_tracks WHERE playlist_id = ?').run(detail.playlist.id);
      const insert = this.db.prepare('INSERT INTO playlist_tracks (playlist_id, position, track_id) VALUES (?, ?, ?)');
      detail.tracks.forEach((track, position) => insert.run(detail.playlist.id, position, track.id));
      this.db.prepare('UPDATE playlists SET has_tracks = 1 WHERE id = ?').run(detail.playlist.id);
    })();
  }

  delete(playlistId: string): void {
    this.db.prepare('DELETE FROM playlists WHERE id = ?').run(playlistId);
  }

  mine(meId: string): Playlist[] {
    return (
      this.db.prepare('SELECT data FROM playlists WHERE owner_id = ? ORDER BY updated_at DESC, id').all(meId) as {
        data: string;
      }[]
    ).map((row) => JSON.parse(row.data) as Playlist);
  }

  /** Null when the playlist, or its track list, was never seen on this device. */
  detail(playlistId: string): PlaylistDetail | null {
    const row = this.db.prepare('SELECT data, has_tracks FROM playlists WHERE id = ?').get(playlistId) as
      { data: string; has_tracks: number } | undefined;
    if (!row || row.has_tracks === 0) return null;
    const ids = (
      this.db
        .prepare('SELECT track_id FROM playlist_tracks WHERE playlist_id = ? ORDER BY position')
        .all(playlistId) as { track_id: string }[]
    ).map((entry) => entry.track_id);
    return { playlist: JSON.parse(row.data) as Playlist, tracks: this.tracks.getMany(ids) };
  }
}
