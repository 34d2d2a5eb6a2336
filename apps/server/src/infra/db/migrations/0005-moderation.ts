import type { Migration } from './index.js';

export const moderation: Migration = {
  version: 5,
  name: 'moderation',
  sql: `
-- Automatic rules (features/moderation). The single-row version counter changes with every
-- create, update and delete, in the same transaction: clients cache the effective rules by it.
CREATE TABLE moderation_rules (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  enabled boolean NOT NULL,
  room_id uuid REFERENCES rooms (id) ON DELETE CASCADE,
  config jsonb NOT NULL,
  action text NOT NULL CHECK (action IN ('flag', 'hold', 'block', 'timeout', 'ban')),
  timeout_seconds integer,
  reason text NOT NULL,
  exempt_roles text[] NOT NULL DEFAULT '{}',
  exempt_room_roles text[] NOT NULL DEFAULT '{}',
  created_by uuid NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE TABLE moderation_rule_version (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  version bigint NOT NULL
);
INSERT INTO moderation_rule_version (version) VALUES (0);

-- The moderators' queue. One open item per target: further reports of it raise report_count
-- (the index makes grouping safe under concurrent reports). seq orders the queue.
CREATE TABLE reports (
  id uuid PRIMARY KEY,
  seq bigserial NOT NULL UNIQUE,
  source text NOT NULL CHECK (source IN ('user', 'automod')),
  state text NOT NULL CHECK (state IN ('open', 'resolved', 'dismissed')),
  reason text NOT NULL,
  details text,
  reporter_id uuid REFERENCES users (id) ON DELETE SET NULL,
  target_type text NOT NULL CHECK (target_type IN ('message', 'held', 'user', 'track')),
  target_id uuid NOT NULL,
  report_count integer NOT NULL DEFAULT 1,
  hits jsonb NOT NULL DEFAULT '[]',
  created_at timestamptz NOT NULL,
  resolved_at timestamptz,
  resolved_by uuid REFERENCES users (id) ON DELETE SET NULL,
  resolution text
);
CREATE UNIQUE INDEX reports_open_target_idx ON reports (target_type, target_id) WHERE state = 'open';
CREATE INDEX reports_state_idx ON reports (state, seq);
-- Who reported an item: the same person reporting it again gets the same receipt.
CREATE TABLE report_reporters (
  report_id uuid NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
  reporter_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (report_id, reporter_id)
);

-- Server bans. until NULL: until lifted. A lifted ban keeps its row (lifted_at) for the user's file.
CREATE TABLE bans (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  reason text NOT NULL,
  until timestamptz,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL,
  lifted_at timestamptz
);
CREATE INDEX bans_active_idx ON bans (user_id) WHERE lifted_at IS NULL;

CREATE TABLE room_bans (
  room_id uuid NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  reason text NOT NULL,
  until timestamptz,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (room_id, user_id)
);
CREATE INDEX room_bans_user_idx ON room_bans (user_id);

-- Timeouts: room_id NULL mutes everywhere. created_by NULL: a rule did it.
CREATE TABLE mutes (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  room_id uuid REFERENCES rooms (id) ON DELETE CASCADE,
  until timestamptz NOT NULL,
  reason text NOT NULL,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL,
  lifted_at timestamptz
);
CREATE INDEX mutes_active_idx ON mutes (user_id, until) WHERE lifted_at IS NULL;

-- Messages a rule held for approval: not in messages nor in the room's log until approved.
CREATE TABLE held_messages (
  id uuid PRIMARY KEY,
  room_id uuid NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
  author_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  client_id uuid NOT NULL,
  body text NOT NULL,
  reply_to uuid,
  hits jsonb NOT NULL,
  state text NOT NULL CHECK (state IN ('held', 'approved', 'rejected')),
  created_at timestamptz NOT NULL,
  decided_at timestamptz,
  decided_by uuid REFERENCES users (id) ON DELETE SET NULL,
  message_id uuid,
  UNIQUE (room_id, author_id, client_id)
);

-- Every moderation and admin action. Append-only: the trigger refuses UPDATE and DELETE, so
-- not even a bug (or a compromised moderator account through the API) can rewrite history.
-- No foreign keys: the log outlives the users, rooms and rules it names (labels keep the names).
CREATE TABLE audit_log (
  id uuid PRIMARY KEY,
  seq bigserial NOT NULL UNIQUE,
  action text NOT NULL,
  actor_id uuid,
  actor_name text,
  target_type text NOT NULL,
  target_id uuid NOT NULL,
  target_label text,
  room_id uuid,
  reason text,
  before jsonb,
  after jsonb,
  created_at timestamptz NOT NULL
);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, seq);
CREATE INDEX audit_log_target_idx ON audit_log (target_id, seq);
CREATE INDEX audit_log_action_idx ON audit_log (action, seq);
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

CREATE TABLE user_notes (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  author_id uuid REFERENCES users (id) ON DELETE SET NULL,
  author_name text NOT NULL,
  body text NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX user_notes_user_idx ON user_notes (user_id, created_at);
`,
};
