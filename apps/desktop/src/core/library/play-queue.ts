import { PLAY_REPORT_MAX_EVENTS, type PlayEvent } from '@veza/shared';
import { DesktopError } from '../../common/errors.js';
import type { ApiClient } from '../api/api-client.js';
import type { CacheDb } from '../cache/database.js';

export const PLAY_FLUSH_INTERVAL_MS = 10_000;

interface QueuedRow {
  play_id: string;
  type: string;
  event: string;
  revision: number;
}

/** The server refused the batch's content itself: sending it again can never succeed. */
const isInvalid = (error: unknown): boolean =>
  error instanceof DesktopError && (error.code === 'VALIDATION_FAILED' || error.code === 'BAD_REQUEST');

/**
 * Play reports, durable first: every event goes to SQLite, then batches of at most
 * PLAY_REPORT_MAX_EVENTS go to POST /api/v1/plays. A row is deleted only once the server has
 * answered for it (the server dedups by playId, so a batch sent twice after a crash counts once);
 * network errors keep everything for the next attempt; a batch the server calls invalid is split
 * until the bad event is alone, and that one is dropped so it cannot block the queue forever.
 */
export class PlayQueue {
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly db: CacheDb,
    private readonly api: ApiClient,
    private readonly isOnline: () => boolean,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => {
      if (this.isOnline()) void this.flush();
    }, PLAY_FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flushing;
  }

  /**
   * One row per (playId, type): a later `play.progress` of the same play replaces the queued one
   * (its listenedMs is cumulative, so nothing is lost) and bumps the revision, which tells an
   * in-flight flush not to delete the newer version.
   */
  enqueue(event: PlayEvent): void {
    this.db
      .prepare(
        `INSERT INTO queued_plays (play_id, type, event, revision, queued_at) VALUES (?, ?, ?, 0, ?)
         ON CONFLICT (play_id, type) DO UPDATE SET event = excluded.event, revision = revision + 1
         WHERE json_extract(excluded.event, '$.listenedMs') >= json_extract(event, '$.listenedMs')`,
      )
      .run(event.playId.toLowerCase(), event.type, JSON.stringify(event), new Date().toISOString());
  }

  size(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM queued_plays').get() as { n: number }).n;
  }

  /** Sends everything queued; one flush at a time (the timer and a reconnect may coincide). */
  flush(): Promise<void> {
    this.flushing ??= this.drain().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private async drain(): Promise<void> {
    for (;;) {
      const rows = this.db
        .prepare('SELECT play_id, type, event, revision FROM queued_plays ORDER BY queued_at, play_id LIMIT ?')
        .all(PLAY_REPORT_MAX_EVENTS) as QueuedRow[];
      if (rows.length === 0) return;
      try {
        await this.send(rows);
      } catch {
        return; // Offline, server trouble, rate limit: everything stays queued for the next attempt.
      }
      if (rows.length < PLAY_REPORT_MAX_EVENTS) return;
    }
  }

  private async send(rows: QueuedRow[]): Promise<void> {
    try {
      await this.api.request('POST', '/api/v1/plays', {
        body: { events: rows.map((row) => JSON.parse(row.event) as PlayEvent) },
      });
    } catch (error) {
      if (!isInvalid(error)) throw error;
      if (rows.length > 1) {
        const half = Math.ceil(rows.length / 2);
        await this.send(rows.slice(0, half));
        await this.send(rows.slice(half));
        return;
      }
      // Alone and still refused: this event is the bad one; fall through and drop it.
    }
    this.forget(rows);
  }

  private forget(rows: QueuedRow[]): void {
    const remove = this.db.prepare('DELETE FROM queued_plays WHERE play_id = ? AND type = ? AND revision = ?');
    this.db.transaction(() => {
      for (const row of rows) remove.run(row.play_id, row.type, row.revision);
    })();
  }
}
