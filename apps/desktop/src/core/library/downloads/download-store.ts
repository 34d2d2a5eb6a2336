import type { TrackQuality } from '@veza/shared';
import type { DownloadEntry, DownloadState } from '../../../common/contract.js';
import type { CacheDb } from '../../cache/database.js';

export interface DownloadRow {
  track_id: string;
  quality: TrackQuality;
  state: DownloadState;
  received_bytes: number;
  total_bytes: number;
  sha256: string | null;
  file_name: string;
  error: string | null;
  error_code: string | null;
  queued_at: string;
  completed_at: string | null;
}

/** `<trackId>-<quality>.m4a`: ids are UUIDs, so the name is safe on every file system. */
export const downloadFileName = (trackId: string, quality: TrackQuality): string => `${trackId}-${quality}.m4a`;
export const partFileName = (fileName: string): string => `${fileName}.part`;

/** The downloads table: nothing but SQL, so the manager reads as the state machine it is. */
export class DownloadStore {
  constructor(private readonly db: CacheDb) {}

  get(trackId: string): DownloadRow | null {
    return (
      (this.db.prepare('SELECT * FROM downloads WHERE track_id = ?').get(trackId) as DownloadRow | undefined) ?? null
    );
  }

  /** The finished file of a track, for playback: one indexed lookup. */
  done(trackId: string): DownloadRow | null {
    return (
      (this.db.prepare("SELECT * FROM downloads WHERE track_id = ? AND state = 'done'").get(trackId) as
        DownloadRow | undefined) ?? null
    );
  }

  all(state?: DownloadState): DownloadRow[] {
    return (
      state
        ? this.db.prepare('SELECT * FROM downloads WHERE state = ? ORDER BY queued_at, track_id').all(state)
        : this.db.prepare('SELECT * FROM downloads ORDER BY queued_at, track_id').all()
    ) as DownloadRow[];
  }

  /** Entries for the UI, titled from the track cache (a track not cached shows its id). */
  entries(): DownloadEntry[] {
    const rows = this.db
      .prepare(
        `SELECT d.*, t.title, t.artist FROM downloads d LEFT JOIN tracks t ON t.id = d.track_id
         ORDER BY d.queued_at, d.track_id`,
      )
      .all() as (DownloadRow & { title: string | null; artist: string | null })[];
    return rows.map((row) => ({
      trackId: row.track_id,
      title: row.title ?? row.track_id,
      artist: row.artist ?? '',
      quality: row.quality,
      state: row.state,
      receivedBytes: row.received_bytes,
      totalBytes: row.total_bytes,
      error: row.error,
      completedAt: row.completed_at,
    }));
  }

  doneIds(trackIds: readonly string[]): Set<string> {
    if (trackIds.length === 0) return new Set();
    const rows = this.db
      .prepare("SELECT track_id FROM downloads WHERE state = 'done' AND track_id IN (SELECT value FROM json_each(?))")
      .all(JSON.stringify(trackIds)) as { track_id: string }[];
    return new Set(rows.map((row) => row.track_id));
  }

  usedBytes(): number {
    return (
      this.db.prepare("SELECT COALESCE(SUM(total_bytes), 0) AS used FROM downloads WHERE state = 'done'").get() as {
        used: number;
      }
    ).used;
  }

  /** Queues (or re-queues a failed) download; a queued, running or finished one is left alone. */
  enqueue(trackId: string, quality: TrackQuality): boolean {
    const result = this.db
      .prepare(
        `INSERT INTO downloads (track_id, quality, state, file_name, queued_at) VALUES (?, ?, 'queued', ?, ?)
         ON CONFLICT (track_id) DO UPDATE SET quality = excluded.quality, state = 'queued', received_bytes = 0,
           total_bytes = 0, sha256 = NULL, file_name = excluded.file_name, error = NULL, error_code = NULL,
           queued_at = excluded.queued_at, completed_at = NULL
         WHERE downloads.state = 'failed'`,
      )
      .run(trackId, quality, downloadFileName(trackId, quality), new Date().toISOString());
    return result.changes > 0;
  }

  /** Downloads interrupted by a quit or a lost connection go back in the queue. */
  requeueInterrupted(): void {
    this.db.prepare("UPDATE downloads SET state = 'queued' WHERE state = 'downloading'").run();
  }

  setState(trackId: string, state: 'queued' | 'downloading'): void {
    this.db.prepare('UPDATE downloads SET state = ? WHERE track_id = ?').run(state, trackId);
  }

  setTotal(trackId: string, totalBytes: number, sha256: string): void {
    this.db
      .prepare('UPDATE downloads SET total_bytes = ?, sha256 = ? WHERE track_id = ?')
      .run(totalBytes, sha256, trackId);
  }

  setReceived(trackId: string, receivedBytes: number): void {
    this.db.prepare('UPDATE downloads SET received_bytes = ? WHERE track_id = ?').run(receivedBytes, trackId);
  }

  complete(trackId: string, sizeBytes: number): void {
    this.db
      .prepare(
        `UPDATE downloads SET state = 'done', received_bytes = ?, total_bytes = ?, error = NULL, error_code = NULL,
           completed_at = ? WHERE track_id = ?`,
      )
      .run(sizeBytes, sizeBytes, new Date().toISOString(), trackId);
  }

  fail(trackId: string, code: string, message: string): void {
    this.db
      .prepare(
        "UPDATE downloads SET state = 'failed', error = ?, error_code = ?, received_bytes = 0 WHERE track_id = ?",
      )
      .run(message, code, trackId);
  }

  delete(trackId: string): void {
    this.db.prepare('DELETE FROM downloads WHERE track_id = ?').run(trackId);
  }
}
