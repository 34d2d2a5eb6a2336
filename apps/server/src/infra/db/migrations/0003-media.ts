import type { Migration } from './index.js';

export const media: Migration = {
  version: 3,
  name: 'media',
  sql: `
-- Accent-insensitive search: unaccent is a trusted extension (PostgreSQL 13+), so the database
-- owner may create it. unaccent() itself is only STABLE (it reads its dictionary by name), so an
-- immutable wrapper naming the dictionary is what a generated column and an index can use.
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE FUNCTION veza_unaccent(text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  RETURN public.unaccent('public.unaccent'::regdictionary, $1);

CREATE TABLE tracks (
  id uuid PRIMARY KEY,
  owner_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  title text NOT NULL,
  artist text NOT NULL,
  album text,
  genre text,
  duration_ms integer NOT NULL CHECK (duration_ms >= 0),
  state text NOT NULL CHECK (state IN ('processing', 'ready', 'failed')),
  failure_reason text,
  -- What ffprobe found at upload (format, codec, demuxer to force, channels...). The job reads the
  -- source with exactly this, never re-guessing the format of an untrusted file.
  source_probe jsonb NOT NULL,
  source_bytes bigint NOT NULL,
  loudness_lufs real,
  gain_db real,
  -- Published renditions: [{quality, bandwidth, averageBandwidth, segmentCount, downloadBytes, downloadSha256}].
  renditions jsonb NOT NULL DEFAULT '[]',
  cover_color text NOT NULL,
  -- Bumped by each publish, so URLs of an earlier ladder never serve a newer one's files.
  media_version integer NOT NULL DEFAULT 0,
  play_count bigint NOT NULL DEFAULT 0,
  listened_ms bigint NOT NULL DEFAULT 0,
  like_count integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', veza_unaccent(title)), 'A') ||
    setweight(to_tsvector('simple', veza_unaccent(artist)), 'B') ||
    setweight(to_tsvector('simple', veza_unaccent(coalesce(album, ''))), 'C')
  ) STORED
);
CREATE INDEX tracks_search_idx ON tracks USING gin (search);
CREATE INDEX tracks_owner_idx ON tracks (owner_id, created_at DESC, id);
CREATE INDEX tracks_ready_created_idx ON tracks (created_at DESC, id DESC) WHERE state = 'ready';
CREATE INDEX tracks_ready_artist_idx ON tracks (lower(artist), id) WHERE state = 'ready';
CREATE INDEX tracks_ready_album_idx ON tracks (lower(album), id) WHERE state = 'ready';
CREATE INDEX tracks_ready_genre_idx ON tracks (lower(genre), id) WHERE state = 'ready';

CREATE TABLE track_likes (
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  track_id uuid NOT NULL REFERENCES tracks (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (user_id, track_id)
);
CREATE INDEX track_likes_track_idx ON track_likes (track_id);

CREATE TABLE playlists (
  id uuid PRIMARY KEY,
  owner_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name text NOT NULL,
  description text,
  visibility text NOT NULL CHECK (visibility IN ('public', 'private')),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX playlists_owner_idx ON playlists (owner_id, updated_at DESC);

CREATE TABLE playlist_tracks (
  playlist_id uuid NOT NULL REFERENCES playlists (id) ON DELETE CASCADE,
  track_id uuid NOT NULL REFERENCES tracks (id) ON DELETE CASCADE,
  position integer NOT NULL,
  added_at timestamptz NOT NULL,
  PRIMARY KEY (playlist_id, track_id)
);
CREATE INDEX playlist_tracks_order_idx ON playlist_tracks (playlist_id, position);
CREATE INDEX playlist_tracks_track_idx ON playlist_tracks (track_id);

-- One row per play, keyed by the client's id for it: a report sent twice counts once. A play is
-- stored when first seen and counted (counted = true, added to the play counts) once its listening
-- time reaches min(30 s, half the track), unless the same listener has a counted play of the track
-- started less than half the track's duration apart (plays.ts).
CREATE TABLE plays (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  track_id uuid NOT NULL REFERENCES tracks (id) ON DELETE CASCADE,
  source text NOT NULL CHECK (source IN ('stream', 'offline')),
  started_at timestamptz NOT NULL,
  listened_ms integer NOT NULL DEFAULT 0 CHECK (listened_ms >= 0),
  position_ms integer NOT NULL DEFAULT 0,
  ended boolean NOT NULL DEFAULT false,
  counted boolean NOT NULL DEFAULT false,
  reported_at timestamptz NOT NULL
);
CREATE INDEX plays_track_started_idx ON plays (track_id, started_at);
CREATE INDEX plays_user_started_idx ON plays (user_id, started_at);
-- The listener's counted plays of a track near a new one's start.
CREATE INDEX plays_counted_idx ON plays (user_id, track_id, started_at) WHERE counted;

-- Totals per listener and track, kept with each report: what analytics reads.
CREATE TABLE track_listener_stats (
  track_id uuid NOT NULL REFERENCES tracks (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  play_count integer NOT NULL DEFAULT 0,
  listened_ms bigint NOT NULL DEFAULT 0,
  last_played_at timestamptz NOT NULL,
  PRIMARY KEY (track_id, user_id)
);
CREATE INDEX track_listener_stats_user_idx ON track_listener_stats (user_id, last_played_at DESC);

-- Durable background jobs. A worker holds a session advisory lock on the job while it runs, so
-- a worker that dies (process killed, connection lost) frees its job at once for another.
CREATE TABLE jobs (
  id bigserial PRIMARY KEY,
  kind text NOT NULL,
  payload jsonb NOT NULL,
  state text NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL CHECK (max_attempts >= 1),
  run_at timestamptz NOT NULL,
  last_error text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX jobs_pending_idx ON jobs (run_at, id) WHERE state IN ('queued', 'running');
`,
};
