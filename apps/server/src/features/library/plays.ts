import type { PlayEvent, PlayStats, TrackState } from '@veza/shared';
import type { Clock } from '../../infra/clock.js';
import type { Db, Queryable } from '../../infra/db/db.js';
import type { Actor } from '../auth/index.js';
import { canSee, requireVisibleTrack } from '../media/index.js';

/** How far in the future a client clock may be (skew) before its reports are ignored. */
export const PLAY_FUTURE_TOLERANCE_MS = 5 * 60 * 1000;
/** Reports older than this are ignored: an offline queue that old is not worth trusting. */
export const PLAY_MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;
/** A play counts once it has lasted this long (or half the track, if shorter). */
export const PLAY_COUNTS_AFTER_MS = 30_000;

/**
 * The most a play of a track can count: a little more than the track (a seek back, a stalled
 * buffer counted twice), never hours of a 3-minute song.
 */
export const maxListenedMs = (durationMs: number): number => durationMs + Math.max(10_000, Math.round(durationMs / 10));

/** The listening time at which a play counts: 30 s, or half a shorter track (and never 0 ms). */
export const countsAfterMs = (durationMs: number): number =>
  Math.max(1, Math.min(PLAY_COUNTS_AFTER_MS, Math.ceil(durationMs / 2)));

/**
 * Two counted plays of a track by one listener start at least this far apart (half the track):
 * a second play started sooner (parallel play ids, a replayed start) adds listening time only.
 */
export const countingGapMs = (durationMs: number): number => durationMs / 2;

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

/** One play's events in a batch, all of one track. */
interface ReportedPlay {
  id: string;
  trackId: string;
  track: TrackFacts;
  events: PlayEvent[];
  startedAt: Date;
  lastPlayedAt: Date;
}

interface StoredPlay {
  id: string;
  user_id: string;
  track_id: string;
  started_at: Date;
  listened_ms: number;
  ended: boolean;
  counted: boolean;
}

/** A play's row once the batch's events are merged in. */
interface MergedPlay {
  listenedMs: number;
  /** Null when no event of the batch got further than the row already was. */
  positionMs: number | null;
  ended: boolean;
  startedAt: Date;
}

/** What the batch did to one play. */
interface AppliedPlay {
  play: ReportedPlay;
  listenedIncrease: number;
  /** Its listening time reached the threshold in this batch: it counts, unless too close to another. */
  reachedThreshold: boolean;
  startedAt: Date;
}

/** What a batch adds to one track's counters and to the listener's own. */
interface TrackTally {
  trackId: string;
  durationMs: number;
  listenedMs: number;
  lastPlayedAt: Date;
  /** Plays that reached the counting threshold in this batch. */
  candidates: AppliedPlay[];
  plays: number;
}

/**
 * Listening reports. A play (the client's `playId`) is stored the first time it is seen, whatever
 * the event (an offline queue may have lost `play.started`); `listenedMs` is cumulative, so only
 * its increase is added to the totals. A play counts (tracks.play_count and the listener's own)
 * once, in the report where its listening time first reaches `countsAfterMs` of its track, and
 * only if no other counted play of the same listener and track started less than half the
 * track's duration apart from it; `plays.counted` records it.
 *
 * A batch is one transaction of a handful of set-based statements, whatever its size. Locks are
 * taken in a fixed order, so concurrent reports wait for each other instead of deadlocking: the
 * batch's tracks against deletion (KEY SHARE), then plays by id (new ones inserted in id order,
 * then the others locked in id order), then the listener's stats rows by track id, which also
 * serialises the "another counted play too close" check of one listener and track, then the
 * tracks' counters by track id. Nothing after a step waits on a lock of an earlier step. The
 * analytics triggers on plays are the exception (they follow the order rows change), hence the
 * retry on a detected deadlock.
 *
 * `started_at` comes from the client's clock, so the gap rule bounds fakes rather than stopping
 * them: one listener can count a track at most once per half its duration of the 30 days a report
 * may date back, whatever the number of play ids or batches.
 */
export class PlayReports {
  constructor(private readonly deps: { db: Db; clock: Clock }) {}

  async report(listener: Actor, events: PlayEvent[]): Promise<PlayReportSummary> {
    const now = this.deps.clock.now();
    const earliest = now.getTime() - PLAY_MAX_AGE_MS;
    const latest = now.getTime() + PLAY_FUTURE_TOLERANCE_MS;
    // Ids are compared as PostgreSQL prints them.
    const timely = events
      .filter((event) => {
        const at = Date.parse(event.occurredAt);
        return at >= earliest && at <= latest;
      })
      .map((event) => ({ ...event, playId: event.playId.toLowerCase(), trackId: event.trackId.toLowerCase() }));
    const untimely = events.length - timely.length;
    let ignored = untimely;
    let accepted = 0;

    // The analytics rollups (database triggers on plays) are updated in the order rows change,
    // not in this batch's lock order: batches take turns (an advisory lock), and a deadlock
    // PostgreSQL still detects runs the batch again from the start (nothing else was changed).
    await retryOnDeadlock(() =>
      this.deps.db.transaction(async (tx) => {
        ignored = untimely;
        accepted = 0;
        // Batches take turns: the analytics triggers lock rollup rows in row-change order, which
        // deadlocked overlapping batches (see the note on retryOnDeadlock). Short transactions.
        await tx.query("SELECT pg_advisory_xact_lock(hashtext('veza.play-reports'))");
        const tracks = await holdTracks(tx, [...new Set(timely.map((event) => event.trackId))]);
        const byPlay = new Map<string, PlayEvent[]>();
        for (const event of timely) {
          const track = tracks.get(event.trackId);
          if (!track || !canSee(track, listener)) {
            ignored += 1;
            continue;
          }
          const ofPlay = byPlay.get(event.playId);
          if (ofPlay) ofPlay.push(event);
          else byPlay.set(event.playId, [event]);
        }
        const reported: ReportedPlay[] = [];
        for (const [id, ofPlay] of byPlay) {
          // A play is of one track: the one it was first reported with.
          const trackId = ofPlay[0]!.trackId;
          const ofThisPlay = ofPlay.filter((event) => event.trackId === trackId);
          ignored += ofPlay.length - ofThisPlay.length;
          const times = ofThisPlay.map((event) => Date.parse(event.occurredAt));
          reported.push({
            id,
            trackId,
            track: tracks.get(trackId)!,
            events: ofThisPlay,
            startedAt: new Date(Math.min(...times)),
            lastPlayedAt: new Date(Math.max(...times)),
          });
        }
        if (reported.length === 0) return;

        const applied = await applyPlays(tx, listener, reported, now);
        const appliedIds = new Set(applied.map((play) => play.play.id));
        for (const play of reported) {
          if (appliedIds.has(play.id)) accepted += play.events.length;
          else ignored += play.events.length;
        }
        await addToCounters(tx, listener.id, tallyByTrack(applied));
      }),
    );
    return { accepted, ignored };
  }

  async stats(listener: Actor, trackId: string): Promise<PlayStats> {
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
 * Stores the batch's plays: inserts those never seen (in id order, so two reports of the same new
 * plays wait for each other in the same order), then locks the others in id order and merges
 * into them: the largest listening time, the earliest start, `ended` once set. Plays of another
 * user or track are left out (nobody can add to someone else's play).
 */
async function applyPlays(tx: Queryable, listener: Actor, reported: ReportedPlay[], now: Date): Promise<AppliedPlay[]> {
  const fresh = reported.map((play) => ({ play, merged: merge(play, { listened_ms: 0, ended: false }) }));
  const { rows: inserted } = await tx.query<{ id: string }>(
    `INSERT INTO plays (id, user_id, track_id, source, started_at, listened_ms, position_ms, ended, reported_at)
     SELECT p.id, $1, p.track_id, p.source, p.started_at, p.listened_ms, p.position_ms, p.ended, $2
     FROM unnest($3::uuid[], $4::uuid[], $5::text[], $6::timestamptz[], $7::integer[], $8::integer[], $9::boolean[])
       AS p(id, track_id, source, started_at, listened_ms, position_ms, ended)
     ORDER BY p.id
     ON CONFLICT (id) DO NOTHING
     RETURNING id`,
    [
      listener.id,
      now,
      fresh.map(({ play }) => play.id),
      fresh.map(({ play }) => play.trackId),
      fresh.map(({ play }) => play.events[0]!.source ?? 'stream'),
      fresh.map(({ merged }) => merged.startedAt),
      fresh.map(({ merged }) => merged.listenedMs),
      fresh.map(({ merged }) => merged.positionMs ?? 0),
      fresh.map(({ merged }) => merged.ended),
    ],
  );
  const insertedIds = new Set(inserted.map((row) => row.id));
  const applied: AppliedPlay[] = fresh
    .filter(({ play }) => insertedIds.has(play.id))
    .map(({ play, merged }) => outcome(play, { listened_ms: 0, counted: false }, merged));

  const known = reported.filter((play) => !insertedIds.has(play.id));
  if (known.length === 0) return applied;
  // Plays seen before, or inserted meanwhile by a concurrent report of them (committed by now:
  // the insert above waited for it).
  const { rows } = await tx.query<StoredPlay>(
    `SELECT id, user_id, track_id, started_at, listened_ms, ended, counted FROM plays
     WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
    [known.map((play) => play.id)],
  );
  const stored = new Map(rows.map((row) => [row.id, row]));
  const updates: { id: string; merged: MergedPlay }[] = [];
  for (const play of known) {
    const row = stored.get(play.id);
    if (!row || row.user_id !== listener.id || row.track_id !== play.trackId) continue;
    const merged = merge(play, row);
    updates.push({ id: play.id, merged });
    applied.push(outcome(play, row, merged));
  }
  if (updates.length > 0) {
    await tx.query(
      `UPDATE plays p SET listened_ms = u.listened_ms, position_ms = coalesce(u.position_ms, p.position_ms),
                          ended = u.ended, started_at = u.started_at, reported_at = $1
       FROM unnest($2::uuid[], $3::integer[], $4::integer[], $5::boolean[], $6::timestamptz[])
         AS u(id, listened_ms, position_ms, ended, started_at)
       WHERE p.id = u.id`,
      [
        now,
        updates.map((update) => update.id),
        updates.map((update) => update.merged.listenedMs),
        updates.map((update) => update.merged.positionMs),
        updates.map((update) => update.merged.ended),
        updates.map((update) => update.merged.startedAt),
      ],
    );
  }
  return applied;
}

/** A play's row with the batch's events applied. */
function merge(
  play: ReportedPlay,
  row: Pick<StoredPlay, 'listened_ms' | 'ended'> & Partial<Pick<StoredPlay, 'started_at'>>,
): MergedPlay {
  const cap = maxListenedMs(play.track.duration_ms);
  let listenedMs = row.listened_ms;
  let positionMs: number | null = null;
  for (const event of play.events) {
    const listened = Math.min(event.listenedMs, cap);
    // The position of the furthest report is the current one, whatever order reports arrive in.
    if (listened >= listenedMs) positionMs = Math.min(event.positionMs, play.track.duration_ms);
    listenedMs = Math.max(listenedMs, listened);
  }
  return {
    listenedMs,
    positionMs,
    ended: row.ended || play.events.some((event) => event.type === 'play.ended'),
    startedAt: row.started_at && row.started_at < play.startedAt ? row.started_at : play.startedAt,
  };
}

function outcome(
  play: ReportedPlay,
  before: Pick<StoredPlay, 'listened_ms' | 'counted'>,
  after: MergedPlay,
): AppliedPlay {
  const threshold = countsAfterMs(play.track.duration_ms);
  return {
    play,
    listenedIncrease: after.listenedMs - before.listened_ms,
    reachedThreshold: !before.counted && before.listened_ms < threshold && after.listenedMs >= threshold,
    startedAt: after.startedAt,
  };
}

/**
 * Tracks whose counters change, in id order: those where the batch added listening time (reaching
 * the threshold always does: it is at least 1 ms).
 */
function tallyByTrack(applied: AppliedPlay[]): TrackTally[] {
  const tallies = new Map<string, TrackTally>();
  for (const played of applied) {
    const { trackId, track, lastPlayedAt } = played.play;
    const tally = tallies.get(trackId) ?? {
      trackId,
      durationMs: track.duration_ms,
      listenedMs: 0,
      lastPlayedAt,
      candidates: [],
      plays: 0,
    };
    tally.listenedMs += played.listenedIncrease;
    if (lastPlayedAt > tally.lastPlayedAt) tally.lastPlayedAt = lastPlayedAt;
    if (played.reachedThreshold) tally.candidates.push(played);
    tallies.set(trackId, tally);
  }
  return [...tallies.values()]
    .filter((tally) => tally.listenedMs > 0)
    .sort((a, b) => (a.trackId < b.trackId ? -1 : a.trackId > b.trackId ? 1 : 0));
}

async function addToCounters(tx: Queryable, userId: string, tallies: TrackTally[]): Promise<void> {
  if (tallies.length === 0) return;
  // The listener's rows, locked in track order: one report at a time decides which of the
  // listener's plays of a track count.
  await tx.query(
    `INSERT INTO track_listener_stats AS s (track_id, user_id, play_count, listened_ms, last_played_at)
     SELECT u.track_id, $1, 0, u.listened_ms, u.last_played_at
     FROM unnest($2::uuid[], $3::bigint[], $4::timestamptz[]) AS u(track_id, listened_ms, last_played_at)
     ORDER BY u.track_id
     ON CONFLICT (track_id, user_id) DO UPDATE SET
       listened_ms = s.listened_ms + excluded.listened_ms,
       last_played_at = GREATEST(s.last_played_at, excluded.last_played_at)`,
    [
      userId,
      tallies.map((tally) => tally.trackId),
      tallies.map((tally) => tally.listenedMs),
      tallies.map((tally) => tally.lastPlayedAt),
    ],
  );
  const countedIds = await choosePlaysToCount(tx, userId, tallies);
  if (countedIds.length > 0) {
    await tx.query('UPDATE plays SET counted = true WHERE id = ANY($1::uuid[])', [countedIds]);
    const counting = tallies.filter((tally) => tally.plays > 0);
    await tx.query(
      `UPDATE track_listener_stats s SET play_count = s.play_count + u.plays
       FROM unnest($2::uuid[], $3::integer[]) AS u(track_id, plays)
       WHERE s.user_id = $1 AND s.track_id = u.track_id`,
      [userId, counting.map((tally) => tally.trackId), counting.map((tally) => tally.plays)],
    );
  }
  const trackIds = tallies.map((tally) => tally.trackId);
  await tx.query('SELECT 1 FROM tracks WHERE id = ANY($1::uuid[]) ORDER BY id FOR NO KEY UPDATE', [trackIds]);
  await tx.query(
    `UPDATE tracks t SET play_count = t.play_count + u.plays, listened_ms = t.listened_ms + u.listened_ms
     FROM unnest($1::uuid[], $2::integer[], $3::bigint[]) AS u(id, plays, listened_ms)
     WHERE t.id = u.id`,
    [trackIds, tallies.map((tally) => tally.plays), tallies.map((tally) => tally.listenedMs)],
  );
}

/**
 * Which of the plays that reached the threshold count (setting each tally's `plays`): in start
 * order, each one that starts at least half the track's duration away from every counted play of
 * the listener and track, earlier ones and those counted just before it included. Runs under the
 * listener's stats row locks, so the counted plays it reads are final.
 */
async function choosePlaysToCount(tx: Queryable, userId: string, tallies: TrackTally[]): Promise<string[]> {
  const checked = tallies.filter((tally) => tally.candidates.length > 0);
  if (checked.length === 0) return [];
  const reach = (tally: TrackTally) => Math.ceil(countingGapMs(tally.durationMs));
  const starts = (tally: TrackTally) => tally.candidates.map((play) => play.startedAt.getTime());
  const { rows } = await tx.query<{ track_id: string; started_at: Date }>(
    `SELECT p.track_id, p.started_at
     FROM unnest($2::uuid[], $3::timestamptz[], $4::timestamptz[]) AS w(track_id, after, before)
     JOIN plays p ON p.user_id = $1 AND p.track_id = w.track_id AND p.counted
                 AND p.started_at > w.after AND p.started_at < w.before`,
    [
      userId,
      checked.map((tally) => tally.trackId),
      checked.map((tally) => new Date(Math.min(...starts(tally)) - reach(tally))),
      checked.map((tally) => new Date(Math.max(...starts(tally)) + reach(tally))),
    ],
  );
  const countedIds: string[] = [];
  for (const tally of checked) {
    const gap = countingGapMs(tally.durationMs);
    const counted = rows.filter((row) => row.track_id === tally.trackId).map((row) => row.started_at.getTime());
    const inOrder = [...tally.candidates].sort(
      (a, b) => a.startedAt.getTime() - b.startedAt.getTime() || (a.play.id < b.play.id ? -1 : 1),
    );
    for (const candidate of inOrder) {
      const start = candidate.startedAt.getTime();
      if (counted.some((other) => Math.abs(other - start) < gap)) continue;
      counted.push(start);
      countedIds.push(candidate.play.id);
      tally.plays += 1;
    }
  }
  return countedIds;
}

const DEADLOCK_DETECTED = '40P01';
const DEADLOCK_ATTEMPTS = 3;

async function retryOnDeadlock<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await run();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code !== DEADLOCK_DETECTED || attempt >= DEADLOCK_ATTEMPTS) throw error;
    }
  }
}
