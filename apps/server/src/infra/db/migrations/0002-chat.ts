import type { Migration } from './index.js';

export const chat: Migration = {
  version: 2,
  name: 'chat',
  sql: `
CREATE TABLE rooms (
  id uuid PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('public', 'private', 'dm')),
  name text NOT NULL,
  topic text,
  created_by uuid NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL,
  -- The seq of the room's latest event. Bumped with UPDATE ... RETURNING inside the transaction
  -- that stores the event: the row lock orders writers, so seqs are gapless and strictly increasing.
  last_seq bigint NOT NULL DEFAULT 0,
  -- Kept with each membership change, so per-connection work never counts a big room's members.
  member_count integer NOT NULL DEFAULT 0 CHECK (member_count >= 0),
  -- For direct messages: the two user ids in sorted order, so a pair has at most one room.
  dm_key text UNIQUE,
  CHECK ((kind = 'dm') = (dm_key IS NOT NULL))
);
CREATE INDEX rooms_public_idx ON rooms (created_at DESC) WHERE kind = 'public';

CREATE TABLE room_members (
  room_id uuid NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role IN ('owner', 'moderator', 'member')),
  joined_at timestamptz NOT NULL,
  -- Read marker: the seq up to which the member has read.
  last_read_seq bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (room_id, user_id)
);
CREATE INDEX room_members_user_idx ON room_members (user_id);

CREATE TABLE messages (
  id uuid PRIMARY KEY,
  room_id uuid NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
  author_id uuid NOT NULL REFERENCES users (id),
  client_id uuid NOT NULL,
  seq bigint NOT NULL,
  body text NOT NULL,
  reply_to uuid REFERENCES messages (id) ON DELETE SET NULL,
  mentions uuid[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL,
  edited_at timestamptz,
  deleted_at timestamptz,
  search tsvector GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED,
  -- A resend of the same client message finds the original instead of creating a second one.
  UNIQUE (room_id, author_id, client_id),
  UNIQUE (room_id, seq)
);
CREATE INDEX messages_search_idx ON messages USING gin (search);

CREATE TABLE reactions (
  message_id uuid NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  emoji text NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (message_id, user_id, emoji)
);

-- The append-only log clients replay. payload holds the event's data exactly as sent.
CREATE TABLE room_events (
  room_id uuid NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
  seq bigint NOT NULL,
  kind text NOT NULL CHECK (kind IN ('message.created', 'message.edited', 'message.deleted',
    'reaction.added', 'reaction.removed', 'member.joined', 'member.left')),
  actor_id uuid NOT NULL,
  at timestamptz NOT NULL,
  payload jsonb NOT NULL,
  PRIMARY KEY (room_id, seq)
);
-- Deleting a message scrubs its edits from the log; this finds them without a scan of the room.
CREATE INDEX room_events_edits_idx ON room_events (room_id, (payload ->> 'messageId')) WHERE kind = 'message.edited';
`,
};
