import type { CacheMigration } from './index.js';

/**
 * The admin mode's offline copy: what the server last said about the reports queue, report
 * contexts, users, rules and audit pages (each kept as the server's JSON, so a new server field
 * survives without a migration), and the moderation actions taken offline, waiting to be sent.
 *
 * `admin_actions` is the durable queue: a row leaves it only once the server has applied the
 * action; a refusal stays as `failed` with the server's code and sentence until the moderator
 * discards it, so nothing a moderator did is dropped silently.
 */
export const adminMigration: CacheMigration = {
  version: 3,
  name: 'admin',
  sql: `
CREATE TABLE admin_reports (
  id          TEXT PRIMARY KEY,
  state       TEXT NOT NULL,
  created_at  TEXT NOT NULL,
  data        TEXT NOT NULL,
  fetched_at  TEXT NOT NULL
);
CREATE INDEX admin_reports_queue ON admin_reports (state, created_at, id);

CREATE TABLE admin_report_contexts (
  report_id   TEXT PRIMARY KEY,
  data        TEXT NOT NULL,
  fetched_at  TEXT NOT NULL
);

CREATE TABLE admin_users (
  id          TEXT PRIMARY KEY,
  username    TEXT NOT NULL,
  data        TEXT NOT NULL,
  -- The user's file (GET /moderation/users/:id) once opened; null until then.
  file        TEXT,
  fetched_at  TEXT NOT NULL
);
CREATE INDEX admin_users_name ON admin_users (username COLLATE NOCASE);

-- One row: the whole rule set (it is small and versioned as a whole).
CREATE TABLE admin_rules (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  data        TEXT NOT NULL,
  fetched_at  TEXT NOT NULL
);

-- Audit pages by their query (filters + cursor), as the viewer asked for them.
CREATE TABLE admin_audit_pages (
  query_key   TEXT PRIMARY KEY,
  data        TEXT NOT NULL,
  fetched_at  TEXT NOT NULL
);

-- seq keeps the order the moderator acted in (an explicit rowid: VACUUM never renumbers it).
CREATE TABLE admin_actions (
  seq            INTEGER PRIMARY KEY,
  id             TEXT NOT NULL UNIQUE,
  body           TEXT NOT NULL,
  state          TEXT NOT NULL CHECK (state IN ('queued', 'failed')),
  queued_at      TEXT NOT NULL,
  error_code     TEXT,
  error_message  TEXT
);
`,
};
