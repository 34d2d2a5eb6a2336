/**
 * Analytics: the moderators' dashboard (live tiles, history, top lists) and an artist's own
 * figures. Core answers from the server and keeps the last answers in the cache, so every view
 * still opens offline, marked with the time its figures were fetched.
 */
import {
  ANALYTICS_BUCKETS,
  ANALYTICS_LIMITS,
  DaySchema,
  UuidSchema,
  type AnalyticsBucket,
  type AnalyticsMetric,
  type ArtistStats,
  type History,
  type LiveTiles,
  type TopList,
} from '@veza/shared';
import { Type } from 'typebox';
import { command } from './command.js';
import type { DesktopErrorShape } from './errors.js';

export type { AnalyticsBucket, AnalyticsMetric, ArtistStats, History, LiveTiles, TopList };

/** An inclusive range of UTC days, `YYYY-MM-DD`. */
export interface DayRange {
  from: string;
  to: string;
}

/** Where a view's figures come from: the server just now, or the cache when it cannot be reached. */
export interface Freshness {
  /** ISO time the figures were fetched from the server. */
  asOf: string;
  fromCache: boolean;
}

export interface LiveTilesView extends Freshness {
  tiles: LiveTiles;
}

export interface AnalyticsDashboardView extends Freshness {
  /** The range and bucket served: offline, the closest cached one may differ from what was asked. */
  range: DayRange;
  bucket: AnalyticsBucket;
  /** One history per metric, in ANALYTICS_METRICS order. */
  history: History[];
  topTracks: TopList;
  topRooms: TopList;
}

export interface ArtistStatsView extends Freshness {
  range: DayRange;
  stats: ArtistStats;
}

export interface SavedExport {
  /** Where the file was written on this machine. */
  path: string;
  bytes: number;
}

/**
 * A CSV export is what the screen shows (a year of days, a top 100: tens of KB). The bound keeps
 * the command, JSON-escaped and UTF-8 encoded, under the browser host's 1 MiB frame.
 */
export const MAX_EXPORT_CHARS = 256 * 1024;

const Range = {
  from: DaySchema,
  to: DaySchema,
};

/** The server refuses reversed ranges too; saying it here names the problem before any request. */
function orderedRange(args: DayRange): DesktopErrorShape | null {
  return args.from > args.to ? { code: 'INVALID_ARGUMENT', message: 'The range ends before it starts.' } : null;
}

export const analyticsCommands = {
  getLiveTiles: command().returns<LiveTilesView>(),
  getAnalyticsDashboard: command(
    Type.Object(
      {
        ...Range,
        bucket: Type.Enum(ANALYTICS_BUCKETS),
        topLimit: Type.Optional(Type.Integer({ minimum: 1, maximum: ANALYTICS_LIMITS.maxTop })),
      },
      { additionalProperties: false },
    ),
    orderedRange,
  ).returns<AnalyticsDashboardView>(),
  /** The caller's own tracks; `artistId` (analytics:view) reads someone else's. */
  getArtistStats: command(
    Type.Object({ ...Range, artistId: Type.Optional(UuidSchema) }, { additionalProperties: false }),
    orderedRange,
  ).returns<ArtistStatsView>(),
  /** Writes a CSV the renderer built from what it shows into the exports folder; never overwrites. */
  saveCsvExport: command(
    Type.Object(
      {
        // A bare file name: no folder part can be smuggled in, and the extension is fixed.
        fileName: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._ -]{0,99}\\.csv$' }),
        csv: Type.String({ maxLength: MAX_EXPORT_CHARS }),
      },
      { additionalProperties: false },
    ),
  ).returns<SavedExport>(),
};
