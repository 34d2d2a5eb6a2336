import type { PlayEvent, PlayStats, TrackState } from '@veza/shared';
import type { Clock } from '../../infra/clock.js';
import type { Db, Queryable } from '../../infra/db/db.js';
import { canSee, type Listener } from './listener.js';
import { requireVisibleTrack } from './tracks.js';

/** How far in the future a client clock may be (skew) before its reports are ignored. */
export const PLAY_FUTURE_TOLERANCE_MS = 5 * 60 * 1000;
/** Reports older than this are ignored: an offline queue that old is not worth trusting. */
export const PLAY_MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * The most a play of a track can count: a little more than the track (a seek back, a stalled
 * buffer counted twice), never hours of a 3-minute song.
 */
export const maxListenedMs = (durationMs: number): number => durationMs + Math.max(10_000, Math.round(durationMs / 10));

export interface PlayReportSummary {
  /** Events applied (a repeat of an event already applied counts here, and changes nothing). */
  accepted: number;
  /** Events dropped: unknown or hidden track, someone else's play, or a time out of range. */
  ignored: number;
}

interface TrackFacts {
  state: TrackState;
  owner_id: string;
  duration_ms: number;
}

interface PlayRow {
  user_id: string;
  track_id: string;
  listened_ms: number;
  ended: boolean;
}

/** What a batch adds to one track's counters and to the listener's own. */
interface TrackTally {
  plays: number;
  listenedMs: number;
  lastPlayedAt: Date;
}

/**
 * Listening reports. A play is counted once, the first time its id is seen (whatever the event:
 * an offline queue may have lost `play.started`); `listenedMs` is cumulative, so only its increase
 * is added to the totals. A batch is one transaction. Locks are taken in a fixed order (the
 * batch's tracks against deletion, then plays by id, then the counters by track id), so
 * concurrent reports of the same play wait for each other and count once, without deadlocks.
 */
export class PlayReports {
  constructor(private readonly deps: { db: Db; clock: Clock }) {}

  async report(listener: Listener, events: PlayEvent[]): Promise<PlayReportSummary> {
    const now = this.deps.clock.now();
    const earliest = now.getTime() - PLAY_MAX_AGE_MS;
    const latest = now.getTime() + PLAY_FUTURE_TOLERANCE_MS;
    const timely = events.filter((event) => {
      const at = Date.parse(event.occurredAt);
      return at >= earliest && at <= latest;
    });
    let ignored = events.length - timely.length;
    let accepted = 0;

    await this.deps.db.transaction(async (tx) => {
      const tracks = await holdTracks(tx, [...new Set(timely.map((event) => event.trackId))]);
      const plays = new Map<string, PlayEvent[]>();
      for (const event of timely) {
        const track = tracks.get(event.trackId);
        if (!track || !canSee(track, listener)) {
          ignored += 1;
          continue;
        }
        plays.set(event.playId, [...(plays.get(event.playId) ?? []), event]);
      }

      const tallies = new Map<string, TrackTally>();
      for (const playId of [...plays.keys()].sort()) {
        const reported = plays.get(playId)!;
        // A play is of one track: the one it was first reported with.
        const trackId = reported[0]!.trackId;
        const ofThisPlay = reported.filter((event) => event.trackId === trackId);
        ignored += reported.length - ofThisPlay.length;
        const track = tracks.get(trackId)!;
        const applied = await applyPlay(tx, listener, playId, trackId, track, ofThisPlay, now);
        if (!applied) {
          ignored += ofThisPlay.length;
          continue;
        }
        accepted += ofThisPlay.length;
        const tally = tallies.get(trackId) ?? { plays: 0, listenedMs: 0, lastPlayedAt: applied.lastPlayedAt };
        tally.plays += applied.counted ? 1 : 0;
        tally.listenedMs += applied.listenedIncrease;
        if (applied.lastPlayedAt > tally.lastPlayedAt) tally.lastPlayedAt = applied.lastPlayedAt;
        tallies.set(trackId, tally);
      }

      for (const trackId of [...tallies.keys()].sort()) {
        await addToCounters(tx, trackId, listener.id, tallies.get(trackId)!);
      }
    });
    return { accepted, ignored };
  }

  async stats(listener: Listener, trackId: string): Promise<PlayStats> {
    await requireVisibleTrack(this.deps.db, trackId, listener);
    const { rows } = await this.deps.db.query<{
      play_count: string;
      listened_ms: string;
      my_play_count: number | null;
      my_listened_ms: string | null;
    }>(
      `SELECT t.play_count, t.listened_ms, s.play_count AS my_play_count, s.listened_ms AS my_listened_ms
       FROM tracks t LEFT JOIN track_listener_stats s ON s.track_id = t.id AND s.user_id = $2
       WHERE t.id = $1`,
      [trackId, listener.id],
    );
    const row = rows[0]!;
    return {
      trackId,
      playCount: Number(row.play_count),
      listenedMs: Number(row.listened_ms),
      myPlayCount: row.my_play_count ?? 0,
      myListenedMs: Number(row.my_listened_ms ?? 0),
    };
  }
}

/** The batch's tracks, kept from being deleted until the report is stored. */
async function holdTracks(tx: Queryable, trackIds: string[]): Promise<Map<string, TrackFacts>> {
  const { rows } = await tx.query<TrackFacts & { id: string }>(
    'SELECT id, state, owner_id, duration_ms FROM tracks WHERE id = ANY($1::uuid[]) FOR KEY SHARE',
    [trackIds],
  );
  return new Map(rows.map((row) => [row.id, row]));
}

/**
 * Stores one play's events under its row lock: creates the play on first sight, keeps the
 * largest listened time, the earliest start and `ended` once set. Null when the play id belongs
 * to another user or track (nobody can add to someone else's play).
 */
async function applyPlay(
  tx: Queryable,
  listener: Listener,
  playId: string,
  trackId: string,
  track: TrackFacts,
  events: PlayEvent[],
  now: Date,
): Promise<{ counted: boolean; listenedIncrease: number; lastPlayedAt: Date } | null> {
  const times = events.map((event) => Date.parse(event.occurredAt));
  const startedAt = new Date(Math.min(...times));
  const lastPlayedAt = new Date(Math.max(...times));
  let play = await lockPlay(tx, playId);
  let counted = false;
  if (!play) {
    const { rows } = await tx.query<PlayRow>(
      `INSERT INTO plays (id, user_id, track_id, source, started_at, reported_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (id) DO NOTHING
       RETURNING user_id, track_id, listened_ms, ended`,
      [playId, listener.id, trackId, events[0]!.source ?? 'stream', startedAt, now],
    );
    counted = rows.length > 0;
    // Lost the race to a concurrent report of the same play: that one counted it.
    play = rows[0] ?? (await lockPlay(tx, playId));
  }
  if (!play || play.user_id !== listener.id || play.track_id !== trackId) return null;

  const cap = maxListenedMs(track.duration_ms);
  let listenedMs = play.listened_ms;
  let positionMs: number | null = null;
  for (const event of events) {
    const listened = Math.min(event.listenedMs, cap);
    // The position of the furthest report is the current one, whatever order reports arrive in.
    if (listened >= listenedMs) positionMs = Math.min(event.positionMs, track.duration_ms);
    listenedMs = Math.max(listenedMs, listened);
  }
  const ended = play.ended || events.some((event) => event.type === 'play.ended');
  await tx.query(
    `UPDATE plays SET listened_ms = $2, position_ms = coalesce($3, position_ms), ended = $4,
                      started_at = LEAST(started_at, $5), reported_at = $6
     WHERE id = $1`,
    [playId, listenedMs, positionMs, ended, startedAt, now],
  );
  return { counted, listenedIncrease: listenedMs - play.listened_ms, lastPlayedAt };
}

async function lockPlay(tx: Queryable, playId: string): Promise<PlayRow | undefined> {
  const { rows } = await tx.query<PlayRow>(
    'SELECT user_id, track_id, listened_ms, ended FROM plays WHERE id = $1 FOR UPDATE',
    [playId],
  );
  return rows[0];
}

async function addToCounters(tx: Queryable, trackId: string, userId: string, tally: TrackTally): Promise<void> {
  if (tally.plays === 0 && tally.listenedMs === 0) return;
  await tx.query('UPDATE tracks SET play_count = play_count + $2, listened_ms = listened_ms + $3 WHERE id = $1', [
    trackId,
    tally.plays,
    tally.listenedMs,
  ]);
  await tx.query(
    `INSERT INTO track_listener_stats AS s (track_id, user_id, play_count, listened_ms, last_played_at)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (track_id, user_id) DO UPDATE SET
       play_count = s.play_count + excluded.play_count,
       listened_ms = s.listened_ms + excluded.listened_ms,
       last_played_at = GREATEST(s.last_played_at, excluded.last_played_at)`,
    [trackId, userId, tally.plays, tally.listenedMs, tally.lastPlayedAt],
  );
}
