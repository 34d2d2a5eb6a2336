import type { CacheMigration } from './index.js';

/**
 * The analytics views' offline copy: the last answers the server gave, one row per view and
 * query (`kind`: live, dashboard, artist; `query_key`: the range and bucket asked), kept as the
 * JSON the view shows. Offline, a view reads its row for the same query, else the newest of its
 * kind, and shows the time in `fetched_at`. A handful of rows per kind are kept (see
 * AnalyticsCache), so the table stays small whatever ranges are browsed.
 */
export const analyticsMigration: CacheMigration = {
  version: 5,
  name: 'analytics',
  sql: `
CREATE TABLE analytics_snapshots (
  kind        TEXT NOT NULL,
  query_key   TEXT NOT NULL,
  data        TEXT NOT NULL,
  fetched_at  TEXT NOT NULL,
  PRIMARY KEY (kind, query_key)
) WITHOUT ROWID;
CREATE INDEX analytics_snapshots_newest ON analytics_snapshots (kind, fetched_at);
`,
};
