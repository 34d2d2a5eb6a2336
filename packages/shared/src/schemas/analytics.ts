import { Type, type Static } from 'typebox';
import { UuidSchema } from './common.js';

/*
 * Analytics: live tiles, history by day/week/month, top lists, and an artist's own figures.
 * Every figure is read from rollups kept up to date as events happen; no read scans raw rows.
 */

/** A calendar day in UTC, `YYYY-MM-DD`. */
export const DaySchema = Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$' });

/** Longest range one request may cover; longer ranges get RANGE_TOO_LARGE. */
export const ANALYTICS_LIMITS = { maxDays: 366, maxWeeks: 260, maxMonths: 120, maxTop: 100 } as const;

export const LiveTilesSchema = Type.Object({
  usersOnline: Type.Integer({ minimum: 0 }),
  /** Rooms with a message in the last five minutes. */
  activeRooms: Type.Integer({ minimum: 0 }),
  /** Messages stored in the last full minute. */
  messagesPerMinute: Type.Integer({ minimum: 0 }),
  /** Listeners whose player reported progress in the last minute. */
  tracksPlaying: Type.Integer({ minimum: 0 }),
  /** Null until live shows exist. */
  liveListeners: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
  at: Type.String({ format: 'date-time' }),
});
export type LiveTiles = Static<typeof LiveTilesSchema>;

export const ANALYTICS_METRICS = [
  'active_users',
  'messages',
  'plays',
  'listening_hours',
  'new_accounts',
  'moderation_actions',
] as const;
export type AnalyticsMetric = (typeof ANALYTICS_METRICS)[number];
export const ANALYTICS_BUCKETS = ['day', 'week', 'month'] as const;
export type AnalyticsBucket = (typeof ANALYTICS_BUCKETS)[number];

const RangeFields = {
  from: DaySchema,
  /** Inclusive. */
  to: DaySchema,
};

/** GET /analytics/history: one metric over a range. `active_users` by week is weekly actives, etc. */
export const HistoryQuerySchema = Type.Object(
  {
    metric: Type.Enum(ANALYTICS_METRICS),
    bucket: Type.Optional(Type.Enum(ANALYTICS_BUCKETS)),
    ...RangeFields,
    format: Type.Optional(Type.Enum(['json', 'csv'])),
  },
  { additionalProperties: false },
);
export type HistoryQuery = Static<typeof HistoryQuerySchema>;

export const HistorySchema = Type.Object({
  metric: Type.Enum(ANALYTICS_METRICS),
  bucket: Type.Enum(ANALYTICS_BUCKETS),
  /** One point per bucket in the range, zeros included; `start` is the bucket's first day. */
  points: Type.Array(Type.Object({ start: DaySchema, value: Type.Number({ minimum: 0 }) })),
});
export type History = Static<typeof HistorySchema>;

export const TopQuerySchema = Type.Object(
  {
    kind: Type.Enum(['tracks', 'rooms']),
    ...RangeFields,
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: ANALYTICS_LIMITS.maxTop })),
    format: Type.Optional(Type.Enum(['json', 'csv'])),
  },
  { additionalProperties: false },
);
export type TopQuery = Static<typeof TopQuerySchema>;

export const TopListSchema = Type.Object({
  kind: Type.Enum(['tracks', 'rooms']),
  /** Tracks by plays, rooms by messages. */
  items: Type.Array(Type.Object({ id: UuidSchema, name: Type.String(), value: Type.Integer({ minimum: 0 }) })),
});
export type TopList = Static<typeof TopListSchema>;

/** GET /analytics/artist: the caller's own tracks (admins may pass `artistId`). */
export const ArtistStatsQuerySchema = Type.Object(
  { ...RangeFields, artistId: Type.Optional(UuidSchema), format: Type.Optional(Type.Enum(['json', 'csv'])) },
  { additionalProperties: false },
);
export type ArtistStatsQuery = Static<typeof ArtistStatsQuerySchema>;

const ListeningFigures = {
  plays: Type.Integer({ minimum: 0 }),
  /** Distinct listeners. */
  listeners: Type.Integer({ minimum: 0 }),
  listeningSeconds: Type.Integer({ minimum: 0 }),
};
export const ArtistStatsSchema = Type.Object({
  totals: Type.Object(ListeningFigures),
  perTrack: Type.Array(Type.Object({ trackId: UuidSchema, title: Type.String(), ...ListeningFigures })),
  perDay: Type.Array(Type.Object({ day: DaySchema, ...ListeningFigures })),
});
export type ArtistStats = Static<typeof ArtistStatsSchema>;
