import type { Migration } from './index.js';

/*
 * Analytics rollups, kept by triggers in the transaction that stores the event: exact, never
 * ahead of or behind the rows they count, and a rolled-back send counts nothing. Reads only
 * touch these tables (features/analytics). Days are UTC calendar days; weeks are ISO weeks
 * (Monday first), months calendar months.
 *
 * Counters that every writer would hit (a day's message total) are split into SHARDS rows per
 * day, picked from the room (or user) id: two rooms' sends rarely wait on the same row, and one
 * room's sends are serialised by the room lock anyway. Reads add the shards up.
 *
 * What counts:
 * - messages: every stored message, on the day it was stored; deleting it later does not
 *   uncount it (the figure is messages sent). Per room too, for top rooms, and per minute for
 *   the live tiles (pruned after a few minutes by the analytics feature).
 * - plays and listening time: a play belongs to the UTC day it started; listening time is added
 *   as it grows, a play counts once it is counted (plays.counted, features/library/plays.ts).
 *   Per track and day too, with its distinct listeners (anyone who listened that day).
 * - active users: anyone who sent a message or listened, per day, ISO week and month, each a
 *   distinct count kept as users first appear in it.
 * - new accounts: on the day the account was created.
 * - moderation actions: every audit_log entry (the moderation feature's append-only table,
 *   migration 5) but role changes, which are administration; hooked in only when that table
 *   exists, so this migration also applies where moderation is not there yet.
 */
const SHARDS = 8;

export const analytics: Migration = {
  version: 6,
  name: 'analytics',
  sql: `
CREATE TABLE analytics_daily (
  metric text NOT NULL CHECK (metric IN ('messages', 'plays', 'listening_ms', 'new_accounts', 'moderation_actions')),
  day date NOT NULL,
  shard smallint NOT NULL,
  value bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (metric, day, shard)
);

-- Who was active in a day, week or month (period start = its first day), and how many.
CREATE TABLE analytics_active_users (
  period text NOT NULL CHECK (period IN ('day', 'week', 'month')),
  start date NOT NULL,
  user_id uuid NOT NULL
);
CREATE TABLE analytics_active_counts (
  period text NOT NULL CHECK (period IN ('day', 'week', 'month')),
  start date NOT NULL,
  shard smallint NOT NULL,
  value bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (period, start, shard)
);

CREATE TABLE analytics_room_days (
  room_id uuid NOT NULL,
  day date NOT NULL,
  messages bigint NOT NULL DEFAULT 0
);

-- The same per ISO week and calendar month: a top list over a long range adds up a few of these
-- per room instead of one row per day (features/analytics/segments.ts).
CREATE TABLE analytics_room_periods (
  period text NOT NULL CHECK (period IN ('week', 'month')),
  start date NOT NULL,
  room_id uuid NOT NULL,
  messages bigint NOT NULL DEFAULT 0
);

-- Messages per room and minute, for the live tiles only (pruned; no foreign key: kept cheap).
CREATE TABLE analytics_room_minutes (
  minute timestamptz NOT NULL,
  room_id uuid NOT NULL,
  messages integer NOT NULL DEFAULT 0,
  PRIMARY KEY (minute, room_id)
);

CREATE TABLE analytics_track_days (
  track_id uuid NOT NULL,
  day date NOT NULL,
  plays bigint NOT NULL DEFAULT 0,
  listened_ms bigint NOT NULL DEFAULT 0,
  listeners integer NOT NULL DEFAULT 0
);

-- Counted plays per track, ISO week and calendar month (top tracks over long ranges).
CREATE TABLE analytics_track_periods (
  period text NOT NULL CHECK (period IN ('week', 'month')),
  start date NOT NULL,
  track_id uuid NOT NULL,
  plays bigint NOT NULL DEFAULT 0
);

-- Who listened to a track on a day: distinct listeners over any range (an artist's totals).
CREATE TABLE analytics_track_listeners (
  track_id uuid NOT NULL,
  day date NOT NULL,
  user_id uuid NOT NULL
);

-- Each listener's latest play report (server time), for "tracks playing" (pruned).
CREATE TABLE analytics_now_playing (
  user_id uuid PRIMARY KEY,
  reported_at timestamptz NOT NULL
);
CREATE INDEX analytics_now_playing_at_idx ON analytics_now_playing (reported_at);

CREATE FUNCTION analytics_day(at timestamptz) RETURNS date
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT (at AT TIME ZONE 'UTC')::date $$;
CREATE FUNCTION analytics_shard(id uuid) RETURNS smallint
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT (hashtext(id::text) & ${SHARDS - 1})::smallint $$;

CREATE FUNCTION analytics_add(p_metric text, p_day date, p_shard integer, p_value bigint) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO analytics_daily AS d (metric, day, shard, value) VALUES (p_metric, p_day, p_shard, p_value)
  ON CONFLICT (metric, day, shard) DO UPDATE SET value = d.value + excluded.value
$$;

-- A user was active at p_at: counted once per day, week and month.
CREATE FUNCTION analytics_note_active(p_user uuid, p_at timestamptz) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  v_day date := analytics_day(p_at);
  v_period text;
  v_start date;
  v_added integer;
BEGIN
  FOREACH v_period IN ARRAY ARRAY['day', 'week', 'month'] LOOP
    v_start := date_trunc(v_period, v_day::timestamp)::date;
    INSERT INTO analytics_active_users (period, start, user_id) VALUES (v_period, v_start, p_user)
      ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS v_added = ROW_COUNT;
    -- Already active that day: already counted in its week and month too (the common case).
    IF v_added = 0 AND v_period = 'day' THEN RETURN; END IF;
    IF v_added = 1 THEN
      INSERT INTO analytics_active_counts AS c (period, start, shard, value)
        VALUES (v_period, v_start, analytics_shard(p_user), 1)
        ON CONFLICT (period, start, shard) DO UPDATE SET value = c.value + 1;
    END IF;
  END LOOP;
END $$;

CREATE FUNCTION analytics_message_stored() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  v_day date := analytics_day(NEW.created_at);
BEGIN
  PERFORM analytics_add('messages', v_day, analytics_shard(NEW.room_id), 1);
  INSERT INTO analytics_room_days AS r (room_id, day, messages) VALUES (NEW.room_id, v_day, 1)
    ON CONFLICT (room_id, day) DO UPDATE SET messages = r.messages + 1;
  INSERT INTO analytics_room_periods AS p (period, start, room_id, messages)
    VALUES ('week', date_trunc('week', v_day::timestamp)::date, NEW.room_id, 1),
           ('month', date_trunc('month', v_day::timestamp)::date, NEW.room_id, 1)
    ON CONFLICT (period, start, room_id) DO UPDATE SET messages = p.messages + 1;
  INSERT INTO analytics_room_minutes AS m (minute, room_id, messages)
    VALUES (date_trunc('minute', NEW.created_at), NEW.room_id, 1)
    ON CONFLICT (minute, room_id) DO UPDATE SET messages = m.messages + 1;
  PERFORM analytics_note_active(NEW.author_id, NEW.created_at);
  RETURN NULL;
END $$;
CREATE TRIGGER analytics_messages AFTER INSERT ON messages
  FOR EACH ROW EXECUTE FUNCTION analytics_message_stored();

CREATE FUNCTION analytics_play_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  v_day date := analytics_day(NEW.started_at);
  v_listened bigint := NEW.listened_ms - CASE WHEN TG_OP = 'UPDATE' THEN OLD.listened_ms ELSE 0 END;
  v_counted integer := CASE WHEN NEW.counted AND (TG_OP = 'INSERT' OR NOT OLD.counted) THEN 1 ELSE 0 END;
  v_new_listener integer := 0;
BEGIN
  INSERT INTO analytics_now_playing AS n (user_id, reported_at) VALUES (NEW.user_id, NEW.reported_at)
    ON CONFLICT (user_id) DO UPDATE SET reported_at = greatest(n.reported_at, excluded.reported_at);
  IF v_listened <= 0 AND v_counted = 0 THEN RETURN NULL; END IF;
  IF v_listened > 0 THEN
    INSERT INTO analytics_track_listeners (track_id, day, user_id) VALUES (NEW.track_id, v_day, NEW.user_id)
      ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS v_new_listener = ROW_COUNT;
    PERFORM analytics_note_active(NEW.user_id, NEW.started_at);
    PERFORM analytics_add('listening_ms', v_day, analytics_shard(NEW.user_id), v_listened);
  END IF;
  IF v_counted > 0 THEN
    PERFORM analytics_add('plays', v_day, analytics_shard(NEW.user_id), v_counted);
    INSERT INTO analytics_track_periods AS p (period, start, track_id, plays)
      VALUES ('week', date_trunc('week', v_day::timestamp)::date, NEW.track_id, v_counted),
             ('month', date_trunc('month', v_day::timestamp)::date, NEW.track_id, v_counted)
      ON CONFLICT (period, start, track_id) DO UPDATE SET plays = p.plays + excluded.plays;
  END IF;
  INSERT INTO analytics_track_days AS t (track_id, day, plays, listened_ms, listeners)
    VALUES (NEW.track_id, v_day, v_counted, greatest(v_listened, 0), v_new_listener)
    ON CONFLICT (track_id, day) DO UPDATE SET plays = t.plays + excluded.plays,
      listened_ms = t.listened_ms + excluded.listened_ms, listeners = t.listeners + excluded.listeners;
  RETURN NULL;
END $$;
CREATE TRIGGER analytics_plays AFTER INSERT OR UPDATE ON plays
  FOR EACH ROW EXECUTE FUNCTION analytics_play_changed();

CREATE FUNCTION analytics_account_created() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM analytics_add('new_accounts', analytics_day(NEW.created_at), analytics_shard(NEW.id), 1);
  RETURN NULL;
END $$;
CREATE TRIGGER analytics_accounts AFTER INSERT ON users
  FOR EACH ROW EXECUTE FUNCTION analytics_account_created();

CREATE FUNCTION analytics_audit_entry() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.action <> 'role.change' THEN
    PERFORM analytics_add('moderation_actions', analytics_day(NEW.created_at), analytics_shard(NEW.id), 1);
  END IF;
  RETURN NULL;
END $$;
DO $$
BEGIN
  IF to_regclass('audit_log') IS NOT NULL THEN
    CREATE TRIGGER analytics_audit AFTER INSERT ON audit_log
      FOR EACH ROW EXECUTE FUNCTION analytics_audit_entry();
    INSERT INTO analytics_daily (metric, day, shard, value)
      SELECT 'moderation_actions', analytics_day(created_at), analytics_shard(id), count(*) FROM audit_log
      WHERE action <> 'role.change' GROUP BY 2, 3;
  END IF;
END $$;

-- Backfill, once: what was stored before this migration, counted the way the triggers count.
-- Set-based, into tables that have no keys, indexes or foreign keys yet (added below): with them,
-- every backfilled row paid a foreign-key check trigger and a random B-tree insert, most of the
-- time it took (309 s for 1M messages + 1M plays). Sorts and DISTINCTs get memory to stay in RAM.
SELECT set_config('work_mem', '256MB', true), set_config('maintenance_work_mem', '512MB', true);
INSERT INTO analytics_daily (metric, day, shard, value)
  SELECT 'messages', analytics_day(created_at), analytics_shard(room_id), count(*) FROM messages GROUP BY 2, 3;
INSERT INTO analytics_room_days (room_id, day, messages)
  SELECT room_id, analytics_day(created_at), count(*) FROM messages GROUP BY 1, 2;
INSERT INTO analytics_room_periods (period, start, room_id, messages)
  SELECT p.period, date_trunc(p.period, d.day::timestamp)::date, d.room_id, sum(d.messages)
  FROM analytics_room_days d CROSS JOIN (VALUES ('week'), ('month')) AS p(period) GROUP BY 1, 2, 3;
INSERT INTO analytics_room_minutes (minute, room_id, messages)
  SELECT date_trunc('minute', created_at), room_id, count(*) FROM messages
  WHERE created_at > now() - interval '10 minutes' GROUP BY 1, 2;
INSERT INTO analytics_daily (metric, day, shard, value)
  SELECT 'new_accounts', analytics_day(created_at), analytics_shard(id), count(*) FROM users GROUP BY 2, 3;
INSERT INTO analytics_daily (metric, day, shard, value)
  SELECT 'plays', analytics_day(started_at), analytics_shard(user_id), count(*) FROM plays WHERE counted GROUP BY 2, 3;
INSERT INTO analytics_daily (metric, day, shard, value)
  SELECT 'listening_ms', analytics_day(started_at), analytics_shard(user_id), sum(listened_ms) FROM plays
  WHERE listened_ms > 0 GROUP BY 2, 3;
INSERT INTO analytics_track_listeners (track_id, day, user_id)
  SELECT DISTINCT track_id, analytics_day(started_at), user_id FROM plays WHERE listened_ms > 0;
INSERT INTO analytics_track_days (track_id, day, plays, listened_ms, listeners)
  SELECT track_id, analytics_day(started_at), count(*) FILTER (WHERE counted), sum(listened_ms),
         count(DISTINCT user_id) FILTER (WHERE listened_ms > 0)
  FROM plays WHERE listened_ms > 0 OR counted GROUP BY 1, 2;
INSERT INTO analytics_track_periods (period, start, track_id, plays)
  SELECT p.period, date_trunc(p.period, d.day::timestamp)::date, d.track_id, sum(d.plays)
  FROM analytics_track_days d CROSS JOIN (VALUES ('week'), ('month')) AS p(period)
  WHERE d.plays > 0 GROUP BY 1, 2, 3;
INSERT INTO analytics_now_playing (user_id, reported_at)
  SELECT user_id, max(reported_at) FROM plays WHERE reported_at > now() - interval '10 minutes' GROUP BY 1;
CREATE TEMPORARY TABLE analytics_active_days ON COMMIT DROP AS
  SELECT DISTINCT author_id AS user_id, analytics_day(created_at) AS day FROM messages
  UNION
  SELECT DISTINCT user_id, analytics_day(started_at) FROM plays WHERE listened_ms > 0;
-- Days are distinct already (UNION); weeks and months are grouped (hashed, not sorted).
INSERT INTO analytics_active_users (period, start, user_id)
  SELECT 'day', day, user_id FROM analytics_active_days
  UNION ALL
  SELECT p.period, date_trunc(p.period, a.day::timestamp)::date, a.user_id
  FROM analytics_active_days a CROSS JOIN (VALUES ('week'), ('month')) AS p(period) GROUP BY 1, 2, 3;
INSERT INTO analytics_active_counts (period, start, shard, value)
  SELECT period, start, analytics_shard(user_id), count(*) FROM analytics_active_users GROUP BY 1, 2, 3;

-- Keys, indexes and foreign keys, each built once over the backfilled rows (a foreign key added
-- to a filled table is checked by one join, not per row). The triggers need the keys (ON CONFLICT).
ALTER TABLE analytics_active_users ADD PRIMARY KEY (period, start, user_id);
ALTER TABLE analytics_room_days ADD PRIMARY KEY (room_id, day),
  ADD FOREIGN KEY (room_id) REFERENCES rooms (id) ON DELETE CASCADE;
CREATE INDEX analytics_room_days_day_idx ON analytics_room_days (day) INCLUDE (room_id, messages);
ALTER TABLE analytics_room_periods ADD PRIMARY KEY (period, start, room_id),
  ADD FOREIGN KEY (room_id) REFERENCES rooms (id) ON DELETE CASCADE;
CREATE INDEX analytics_room_periods_room_idx ON analytics_room_periods (room_id);
ALTER TABLE analytics_track_days ADD PRIMARY KEY (track_id, day),
  ADD FOREIGN KEY (track_id) REFERENCES tracks (id) ON DELETE CASCADE;
-- Top tracks read each day's and period's most played first (features/analytics/top-tracks.ts).
CREATE INDEX analytics_track_days_day_idx ON analytics_track_days (day, plays DESC) INCLUDE (track_id);
ALTER TABLE analytics_track_periods ADD PRIMARY KEY (period, start, track_id),
  ADD FOREIGN KEY (track_id) REFERENCES tracks (id) ON DELETE CASCADE;
CREATE INDEX analytics_track_periods_track_idx ON analytics_track_periods (track_id);
CREATE INDEX analytics_track_periods_top_idx ON analytics_track_periods (period, start, plays DESC) INCLUDE (track_id);
ALTER TABLE analytics_track_listeners ADD PRIMARY KEY (track_id, day, user_id),
  ADD FOREIGN KEY (track_id) REFERENCES tracks (id) ON DELETE CASCADE;
`,
};
