import type { ReportCreateBody } from '@veza/shared';
import type { CacheDb } from '../cache/database.js';

export interface QueuedReport {
  id: number;
  body: ReportCreateBody;
  attempts: number;
}

/** Reports made while the server was out of reach: a table, so they survive a restart. */
export class ReportOutbox {
  constructor(private readonly db: CacheDb) {}

  add(body: ReportCreateBody): number {
    const result = this.db
      .prepare('INSERT INTO report_outbox (body, created_at) VALUES (?, ?)')
      .run(JSON.stringify(body), new Date().toISOString());
    return Number(result.lastInsertRowid);
  }

  /** Oldest first: moderators see reports in the order people made them. */
  pending(): QueuedReport[] {
    const rows = this.db
      .prepare("SELECT id, body, attempts FROM report_outbox WHERE state = 'pending' ORDER BY id")
      .all() as { id: number; body: string; attempts: number }[];
    return rows.map((row) => ({ id: row.id, body: JSON.parse(row.body) as ReportCreateBody, attempts: row.attempts }));
  }

  has(id: number): boolean {
    return this.db.prepare('SELECT 1 FROM report_outbox WHERE id = ?').get(id) !== undefined;
  }

  delete(id: number): void {
    this.db.prepare('DELETE FROM report_outbox WHERE id = ?').run(id);
  }

  recordAttempt(id: number, error: string): void {
    this.db.prepare('UPDATE report_outbox SET attempts = attempts + 1, last_error = ? WHERE id = ?').run(error, id);
  }

  /** The server refused it for good (the message is gone, the body is wrong): kept for the record, never resent. */
  markFailed(id: number, error: string): void {
    this.db
      .prepare("UPDATE report_outbox SET state = 'failed', attempts = attempts + 1, last_error = ? WHERE id = ?")
      .run(error, id);
  }

  pendingCount(): number {
    return (this.db.prepare("SELECT count(*) AS n FROM report_outbox WHERE state = 'pending'").get() as { n: number })
      .n;
  }
}
