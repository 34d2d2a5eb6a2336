import type { CacheMigration } from './index.js';

/*
 * The chat cache. `messages` holds only what the server's log confirmed (acked or replayed);
 * what the user did and the server has not confirmed yet lives in `chat_outbox` and is laid over
 * the cached messages when a window is read, so a refusal simply lifts the overlay.
 *
 * - rooms.cursor: seq of the last event applied, the value `hello` sends back.
 * - rooms.history_floor: every message with seq >= floor is cached (the cache is contiguous from
 *   there to the cursor); 1 means the cache reaches the start of the room.
 * - messages.version_seq: seq of the last event that changed the row, so a REST snapshot older
 *   than an event already applied never overwrites it.
 * - messages_fts: external content on messages (the body is stored once), kept in sync by
 *   triggers; tombstones (deleted_at set) are not indexed. The 3-character prefix index makes
 *   the search box's prefix terms ("caf"*) one index lookup instead of a scan of every term.
 */
const sql = `
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  username TEXT NOT NULL
);

CREATE TABLE rooms (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('public', 'private', 'dm')),
  name TEXT NOT NULL DEFAULT '',
  topic TEXT,
  created_at TEXT,
  my_role TEXT CHECK (my_role IN ('owner', 'moderator', 'member')),
  member_count INTEGER NOT NULL DEFAULT 0,
  last_seq INTEGER NOT NULL DEFAULT 0,
  cursor INTEGER NOT NULL DEFAULT 0,
  last_read_seq INTEGER NOT NULL DEFAULT 0,
  unread_hint INTEGER NOT NULL DEFAULT 0,
  unread_hint_read_seq INTEGER NOT NULL DEFAULT 0,
  dm_peer_id TEXT,
  dm_peer_username TEXT,
  history_floor INTEGER NOT NULL DEFAULT 1,
  details_known INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE messages (
  pk INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  client_id TEXT NOT NULL,
  room_id TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  author_id TEXT NOT NULL,
  body TEXT NOT NULL,
  reply_to TEXT,
  mentions TEXT NOT NULL DEFAULT '[]',
  mentions_me INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  edited_at TEXT,
  deleted_at TEXT,
  version_seq INTEGER NOT NULL DEFAULT 0
);
-- Windows, scrollback, unread counts and "newest message" are all range scans of this index.
CREATE UNIQUE INDEX messages_room_seq ON messages(room_id, seq);

CREATE TABLE message_reactions (
  message_id TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  emoji TEXT NOT NULL,
  user_id TEXT NOT NULL,
  PRIMARY KEY (message_id, emoji, user_id)
);

CREATE TABLE chat_outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL CHECK (kind IN ('send', 'edit', 'delete', 'react', 'read')),
  room_id TEXT NOT NULL,
  client_id TEXT NOT NULL UNIQUE,
  payload TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX chat_outbox_room ON chat_outbox(room_id, id);

CREATE VIRTUAL TABLE messages_fts USING fts5(
  body,
  content = 'messages',
  content_rowid = 'pk',
  tokenize = 'unicode61 remove_diacritics 2',
  prefix = '3'
);

CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages WHEN new.deleted_at IS NULL BEGIN
  INSERT INTO messages_fts(rowid, body) VALUES (new.pk, new.body);
END;

CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages WHEN old.deleted_at IS NULL BEGIN
  INSERT INTO messages_fts(messages_fts, rowid, body) VALUES ('delete', old.pk, old.body);
END;

CREATE TRIGGER messages_fts_update AFTER UPDATE OF body, deleted_at ON messages BEGIN
  INSERT INTO messages_fts(messages_fts, rowid, body) SELECT 'delete', old.pk, old.body WHERE old.deleted_at IS NULL;
  INSERT INTO messages_fts(rowid, body) SELECT new.pk, new.body WHERE new.deleted_at IS NULL;
END;
`;

export const chatMigration: CacheMigration = { version: 1, name: 'chat', sql };
