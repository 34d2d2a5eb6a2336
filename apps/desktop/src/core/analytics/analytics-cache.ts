import type { CacheDb } from '../cache/database.js';

/** Rows kept per kind: the ranges a person flips between, not every range ever browsed. */
export const SNAPSHOTS_PER_KIND = 12;

export interface Snapshot<T> {
  data: T;
  /** ISO time the server gave these figures. */
  fetchedAt: string;
}

interface Row {
  data: string;
  fetched_at: string;
}

/** The last server answers of the analytics views (table `analytics_snapshots`, migration 003). */
export class AnalyticsCache {
  constructor(private readonly db: CacheDb) {}

  put(kind: string, key: string, data: unknown, fetchedAt: string): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          `INSERT INTO analytics_snapshots (kind, query_key, data, fetched_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (kind, query_key) DO UPDATE SET data = excluded.data, fetched_at = excluded.fetched_at`,
        )
        .run(kind, key, JSON.stringify(data), fetchedAt);
      this.db
        .prepare(
          `DELETE FROM analytics_snapshots WHERE kind = ? AND query_key NOT IN (
             SELECT query_key FROM analytics_snapshots WHERE kind = ? ORDER BY fetched_at DESC, query_key LIMIT ?)`,
        )
        .run(kind, kind, SNAPSHOTS_PER_KIND);
    })();
  }

  /** The answer to this very query, else the newest of its kind (another range), else null. */
  closest<T>(kind: string, key: string): Snapshot<T> | null {
    const row =
      this.db
        .prepare<[string, string], Row>(
          'SELECT data, fetched_at FROM analytics_snapshots WHERE kind = ? AND query_key = ?',
        )
        .get(kind, key) ??
      this.db
        .prepare<[string], Row>(
          'SELECT data, fetched_at FROM analytics_snapshots WHERE kind = ? ORDER BY fetched_at DESC LIMIT 1',
        )
        .get(kind);
    return row ? { data: JSON.parse(row.data) as T, fetchedAt: row.fetched_at } : null;
  }

  count(kind: string): number {
    return (
      this.db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM analytics_snapshots WHERE kind = ?').get(kind)
        ?.n ?? 0
    );
  }
}
