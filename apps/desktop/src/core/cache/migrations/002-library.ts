import type { CacheMigration } from './index.js';

/**
 * The library's offline copy: what the server last said about tracks and playlists, the
 * waveform and cover of tracks seen, the offline downloads, and plays waiting to be reported.
 *
 * `tracks` keeps the server's Track as JSON (so a new server field survives without a
 * migration) plus the columns the offline filters and sorts need. `seq` is an explicit INTEGER PRIMARY KEY
 * because the FTS index is external-content and points at rowids: an implicit rowid may be
 * renumbered by VACUUM, an explicit one never is.
 */
export const libraryMigration: CacheMigration = {
  version: 2,
  name: 'library',
  sql: `
CREATE TABLE tracks (
  seq          INTEGER PRIMARY KEY,
  id           TEXT NOT NULL UNIQUE,
  owner_id     TEXT NOT NULL,
  title        TEXT NOT NULL,
  artist       TEXT NOT NULL,
  album        TEXT,
  genre        TEXT,
  duration_ms  INTEGER NOT NULL,
  state        TEXT NOT NULL,
  play_count   INTEGER NOT NULL,
  liked_by_me  INTEGER NOT NULL,
  created_at   TEXT NOT NULL,
  data         TEXT NOT NULL,
  last_seen    TEXT NOT NULL
);
CREATE INDEX tracks_created ON tracks (created_at, id);
CREATE INDEX tracks_artist ON tracks (artist COLLATE NOCASE, title COLLATE NOCASE);
CREATE INDEX tracks_owner ON tracks (owner_id);

-- Accent-insensitive search while offline: 'beyonce' finds 'Beyoncé'.
CREATE VIRTUAL TABLE tracks_fts USING fts5(
  title, artist, album,
  content = 'tracks', content_rowid = 'seq',
  tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER tracks_fts_insert AFTER INSERT ON tracks BEGIN
  INSERT INTO tracks_fts (rowid, title, artist, album) VALUES (new.seq, new.title, new.artist, new.album);
END;
CREATE TRIGGER tracks_fts_delete AFTER DELETE ON tracks BEGIN
  INSERT INTO tracks_fts (tracks_fts, rowid, title, artist, album) VALUES ('delete', old.seq, old.title, old.artist, old.album);
END;
CREATE TRIGGER tracks_fts_update AFTER UPDATE OF title, artist, album ON tracks BEGIN
  INSERT INTO tracks_fts (tracks_fts, rowid, title, artist, album) VALUES ('delete', old.seq, old.title, old.artist, old.album);
  INSERT INTO tracks_fts (rowid, title, artist, album) VALUES (new.seq, new.title, new.artist, new.album);
END;

CREATE TABLE playlists (
  id          TEXT PRIMARY KEY,
  owner_id    TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  data        TEXT NOT NULL,
  -- Whether the track list below is known (a listing gives the playlist without its tracks).
  has_tracks  INTEGER NOT NULL DEFAULT 0,
  last_seen   TEXT NOT NULL
);

-- No foreign key to tracks: the order is the server's, even for a track not cached yet.
CREATE TABLE playlist_tracks (
  playlist_id TEXT NOT NULL REFERENCES playlists (id) ON DELETE CASCADE,
  position    INTEGER NOT NULL,
  track_id    TEXT NOT NULL,
  PRIMARY KEY (playlist_id, position)
);

CREATE TABLE track_peaks (
  track_id   TEXT PRIMARY KEY,
  peaks      TEXT NOT NULL,
  fetched_at TEXT NOT NULL
);

-- cover_url is the server's versioned path (…/cover?v=N): a new version means a new picture.
CREATE TABLE track_covers (
  track_id   TEXT PRIMARY KEY,
  file       TEXT NOT NULL,
  cover_url  TEXT NOT NULL,
  etag       TEXT,
  fetched_at TEXT NOT NULL
);

CREATE TABLE downloads (
  track_id       TEXT PRIMARY KEY,
  quality        TEXT NOT NULL CHECK (quality IN ('64k', '128k', '256k')),
  state          TEXT NOT NULL CHECK (state IN ('queued', 'downloading', 'done', 'failed')),
  received_bytes INTEGER NOT NULL DEFAULT 0,
  total_bytes    INTEGER NOT NULL DEFAULT 0,
  sha256         TEXT,
  file_name      TEXT NOT NULL,
  error          TEXT,
  error_code     TEXT,
  queued_at      TEXT NOT NULL,
  completed_at   TEXT
);
CREATE INDEX downloads_state ON downloads (state, queued_at);

-- One row per play and event type: a later progress report of a play replaces the earlier one
-- (listenedMs is cumulative), and revision tells a flush whether the row changed while in flight.
CREATE TABLE queued_plays (
  play_id     TEXT NOT NULL,
  type        TEXT NOT NULL,
  event       TEXT NOT NULL,
  revision    INTEGER NOT NULL DEFAULT 0,
  queued_at   TEXT NOT NULL,
  PRIMARY KEY (play_id, type)
);
`,
};
