import {
  ANALYTICS_LIMITS,
  type AnalyticsBucket,
  type AnalyticsMetric,
  type ArtistStats,
  type History,
  type LiveTiles,
  type TopList,
} from '@veza/shared';
import type { Clock } from '../../infra/clock.js';
import type { Db } from '../../infra/db/db.js';
import { addDays, formatDay } from './days.js';
import { bucketedRange, dayRange } from './ranges.js';
import {
  activeUsers,
  artistRollups,
  counterTotals,
  liveCounts,
  topRooms,
  type CounterMetric,
  type ListeningRow,
} from './store.js';
import { topTracks } from './top-tracks.js';

const HOUR_MS = 3_600_000;

/** Metrics read from the daily counters, and the unit each is stored in. */
const COUNTERS: Record<Exclude<AnalyticsMetric, 'active_users'>, { metric: CounterMetric; scale: number }> = {
  messages: { metric: 'messages', scale: 1 },
  plays: { metric: 'plays', scale: 1 },
  listening_hours: { metric: 'listening_ms', scale: HOUR_MS },
  new_accounts: { metric: 'new_accounts', scale: 1 },
  moderation_actions: { metric: 'moderation_actions', scale: 1 },
};

/** Who is online right now across instances (the gateway's presence). */
export type OnlineCount = () => number;

/** The dashboards' figures, all read from rollups (store.ts). */
export class AnalyticsService {
  constructor(private readonly deps: { db: Db; clock: Clock; usersOnline: OnlineCount }) {}

  async live(): Promise<LiveTiles> {
    const now = this.deps.clock.now();
    const counts = await liveCounts(this.deps.db, now);
    return { usersOnline: this.deps.usersOnline(), ...counts, liveListeners: null, at: now.toISOString() };
  }

  async history(metric: AnalyticsMetric, bucket: AnalyticsBucket, from: string, to: string): Promise<History> {
    const range = bucketedRange(from, to, bucket);
    let values: Map<string, number>;
    let scale = 1;
    if (metric === 'active_users') {
      values = await activeUsers(this.deps.db, bucket, range.from, range.to);
    } else {
      const counter = COUNTERS[metric];
      scale = counter.scale;
      values = await counterTotals(this.deps.db, counter.metric, bucket, range.from, range.to);
    }
    // Buckets with nothing stored (the future included) are zeros.
    const points = range.starts.map((start) => {
      const value = values.get(formatDay(start)) ?? 0;
      return { start: formatDay(start), value: scale === 1 ? value : Math.round((value / scale) * 1000) / 1000 };
    });
    return { metric, bucket, points };
  }

  async top(kind: 'tracks' | 'rooms', from: string, to: string, limit = 10): Promise<TopList> {
    const range = dayRange(from, to);
    const bounded = Math.min(Math.max(1, limit), ANALYTICS_LIMITS.maxTop);
    const items =
      kind === 'tracks'
        ? await topTracks(this.deps.db, range.from, range.to, bounded)
        : await topRooms(this.deps.db, range.from, range.to, bounded);
    return { kind, items };
  }

  /** An artist's own tracks: who may ask for whose is the route's decision. */
  async artist(artistId: string, from: string, to: string): Promise<ArtistStats> {
    const range = dayRange(from, to);
    const rollups = await artistRollups(this.deps.db, artistId, range.from, range.to);
    const figures = (row: ListeningRow | undefined) => ({
      plays: row?.plays ?? 0,
      listeners: row?.listeners ?? 0,
      listeningSeconds: Math.round((row?.listenedMs ?? 0) / 1000),
    });
    const perDay: ArtistStats['perDay'] = [];
    for (let i = 0; i < range.days; i += 1) {
      const day = formatDay(addDays(range.from, i));
      perDay.push({ day, ...figures(rollups.perDay.get(day)) });
    }
    return {
      totals: figures(rollups.totals),
      perTrack: rollups.tracks.map((track) => ({
        trackId: track.id,
        title: track.title,
        ...figures(rollups.perTrack.get(track.id)),
      })),
      perDay,
    };
  }
}
