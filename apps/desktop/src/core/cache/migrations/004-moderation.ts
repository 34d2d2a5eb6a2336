import type { CacheMigration } from './index.js';

/**
 * What a listener's app keeps of moderation, so it works offline and after a restart:
 * - `moderation_rules`: the last effective rule set the server gave (one row, the server's JSON
 *   kept whole so a new rule field survives without a migration), for the composer's warning;
 * - `moderation_standing`: the user's own bans and timeouts as the server announced them (a ban
 *   screen and "Muted until" must survive a restart while the server refuses the connection);
 * - `report_outbox`: reports made offline, sent when the connection returns;
 * - `chat_outbox` gains the `held` state: a message a rule held for review is neither pending
 *   (it must not be resent) nor failed (it may still be approved). SQLite cannot alter a CHECK,
 *   so the table is rebuilt with its rows and ids (the queue order).
 */
export const moderationMigration: CacheMigration = {
  version: 4,
  name: 'moderation',
  sql: `
CREATE TABLE moderation_rules (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  version     INTEGER NOT NULL,
  data        TEXT NOT NULL,
  fetched_at  TEXT NOT NULL
);

CREATE TABLE moderation_standing (
  -- 'server' for a server ban or timeout, else the room's id.
  scope       TEXT NOT NULL,
  kind        TEXT NOT NULL CHECK (kind IN ('ban', 'timeout', 'room_ban')),
  reason      TEXT,
  -- ISO time; NULL: until lifted.
  until       TEXT,
  received_at TEXT NOT NULL,
  PRIMARY KEY (scope, kind)
);

CREATE TABLE report_outbox (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  body        TEXT NOT NULL,
  state       TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'failed')),
  attempts    INTEGER NOT NULL DEFAULT 0,
  last_error  TEXT,
  created_at  TEXT NOT NULL
);

CREATE TABLE chat_outbox_rebuilt (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL CHECK (kind IN ('send', 'edit', 'delete', 'react', 'read')),
  room_id TEXT NOT NULL,
  client_id TEXT NOT NULL UNIQUE,
  payload TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'failed', 'held')),
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  created_at TEXT NOT NULL
);
INSERT INTO chat_outbox_rebuilt (id, kind, room_id, client_id, payload, state, attempts, last_error, created_at)
  SELECT id, kind, room_id, client_id, payload, state, attempts, last_error, created_at FROM chat_outbox;
DROP TABLE chat_outbox;
ALTER TABLE chat_outbox_rebuilt RENAME TO chat_outbox;
CREATE INDEX chat_outbox_room ON chat_outbox(room_id, id);
`,
};
