import { Type, type Static } from 'typebox';
import { NON_BLANK_TEXT, STORABLE_TEXT, TimestampSchema, UuidSchema } from './common.js';

/**
 * A track is `processing` from upload until its HLS ladder, waveform and downloads are published,
 * then `ready`; `failed` carries a reason a person can read.
 */
export const TRACK_STATES = ['processing', 'ready', 'failed'] as const;
export type TrackState = (typeof TRACK_STATES)[number];

/** The renditions of the HLS ladder, by bitrate; also the qualities offered for download. */
export const TRACK_QUALITIES = ['64k', '128k', '256k'] as const;
export type TrackQuality = (typeof TRACK_QUALITIES)[number];

/** Formats accepted on upload (what ffprobe finds, not the file name). */
export const UPLOAD_FORMATS = ['mp3', 'aac', 'm4a', 'flac', 'wav', 'ogg', 'aiff'] as const;

export const TRACK_TITLE_MAX_LENGTH = 200;
export const TRACK_FIELD_MAX_LENGTH = 200;
export const GENRE_MAX_LENGTH = 60;

const title = Type.String({ minLength: 1, maxLength: TRACK_TITLE_MAX_LENGTH, pattern: NON_BLANK_TEXT });
const field = Type.String({ minLength: 1, maxLength: TRACK_FIELD_MAX_LENGTH, pattern: NON_BLANK_TEXT });
const genre = Type.String({ minLength: 1, maxLength: GENRE_MAX_LENGTH, pattern: NON_BLANK_TEXT });
const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

export const TrackStateSchema = Type.Enum(TRACK_STATES);
export const TrackQualitySchema = Type.Enum(TRACK_QUALITIES);

export const TrackSchema = Type.Object({
  id: UuidSchema,
  ownerId: UuidSchema,
  ownerUsername: Type.String(),
  title: Type.String(),
  artist: Type.String(),
  album: nullable(Type.String()),
  genre: nullable(Type.String()),
  durationMs: Type.Integer({ minimum: 0 }),
  state: TrackStateSchema,
  /** Why processing failed, in words for the uploader; null unless `state` is `failed`. */
  failureReason: nullable(Type.String()),
  /** Gain in dB the player applies so tracks play at a similar loudness (EBU R128); null until ready. */
  gainDb: nullable(Type.Number()),
  /** Integrated loudness of the source in LUFS; null until ready. */
  loudnessLufs: nullable(Type.Number()),
  /** Qualities that can be streamed and downloaded; empty until ready. */
  qualities: Type.Array(TrackQualitySchema),
  /** Path of the cover image (embedded art, or a generated placeholder), relative to the server. */
  coverUrl: Type.String(),
  /** Background colour for the cover while it loads and for placeholder art. */
  coverColor: Type.String({ pattern: '^#[0-9a-f]{6}$' }),
  playCount: Type.Integer({ minimum: 0 }),
  likeCount: Type.Integer({ minimum: 0 }),
  likedByMe: Type.Boolean(),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
});
export type Track = Static<typeof TrackSchema>;

/** Text fields sent with an upload (multipart); tags read from the file fill what is missing. */
export const TrackUploadFieldsSchema = Type.Object(
  {
    title: Type.Optional(title),
    artist: Type.Optional(field),
    album: Type.Optional(field),
    genre: Type.Optional(genre),
  },
  { additionalProperties: false },
);
export type TrackUploadFields = Static<typeof TrackUploadFieldsSchema>;

/** Edits by the owner or an admin; null clears album or genre. */
export const TrackUpdateBodySchema = Type.Object(
  {
    title: Type.Optional(title),
    artist: Type.Optional(field),
    album: Type.Optional(nullable(field)),
    genre: Type.Optional(nullable(genre)),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type TrackUpdateBody = Static<typeof TrackUpdateBodySchema>;

export const TRACK_SORTS = ['newest', 'oldest', 'title', 'artist', 'popular', 'duration'] as const;
export type TrackSort = (typeof TRACK_SORTS)[number];

export const TrackListQuerySchema = Type.Object(
  {
    artist: Type.Optional(field),
    album: Type.Optional(field),
    genre: Type.Optional(genre),
    ownerId: Type.Optional(UuidSchema),
    /** Only tracks the caller likes. */
    liked: Type.Optional(Type.Boolean()),
    /** The caller's own uploads in every state (processing and failed included). */
    mine: Type.Optional(Type.Boolean()),
    sort: Type.Optional(Type.Enum(TRACK_SORTS)),
    /**
     * Opaque; from the previous page's `nextCursor`. It carries the last row's sort keys (an
     * artist and a title of up to 200 characters each), hence the room.
     */
    cursor: Type.Optional(Type.String({ maxLength: 4096, pattern: '^[A-Za-z0-9_-]+$' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  },
  { additionalProperties: false },
);
export type TrackListQuery = Static<typeof TrackListQuerySchema>;

export const TrackPageSchema = Type.Object({ tracks: Type.Array(TrackSchema), nextCursor: nullable(Type.String()) });
export type TrackPage = Static<typeof TrackPageSchema>;

export const SearchQuerySchema = Type.Object(
  {
    q: Type.String({ minLength: 1, maxLength: 200, pattern: NON_BLANK_TEXT }),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
  },
  { additionalProperties: false },
);
export type SearchQuery = Static<typeof SearchQuerySchema>;

export const ArtistSummarySchema = Type.Object({ name: Type.String(), trackCount: Type.Integer({ minimum: 0 }) });
export const AlbumSummarySchema = Type.Object({
  name: Type.String(),
  artist: Type.String(),
  trackCount: Type.Integer({ minimum: 0 }),
  /** Cover of one of the album's tracks. */
  coverUrl: Type.String(),
});
export const SearchResultSchema = Type.Object({
  tracks: Type.Array(TrackSchema),
  artists: Type.Array(ArtistSummarySchema),
  albums: Type.Array(AlbumSummarySchema),
});
export type SearchResult = Static<typeof SearchResultSchema>;

/** A short-lived signed URL: works without any header, so a player or a CDN can fetch it. */
export const StreamGrantSchema = Type.Object({ url: Type.String(), expiresAt: TimestampSchema });
export type StreamGrant = Static<typeof StreamGrantSchema>;

export const DownloadQuerySchema = Type.Object(
  { quality: Type.Optional(TrackQualitySchema) },
  { additionalProperties: false },
);
export const DownloadGrantSchema = Type.Object({
  url: Type.String(),
  expiresAt: TimestampSchema,
  quality: TrackQualitySchema,
  sizeBytes: Type.Integer({ minimum: 0 }),
  contentType: Type.Literal('audio/mp4'),
  /** SHA-256 of the file, hex, so an offline copy can be verified. */
  sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
});
export type DownloadGrant = Static<typeof DownloadGrantSchema>;

/** Waveform for wavesurfer.js: `length` points, interleaved min,max in [-1, 1]. */
export const WaveformPeaksSchema = Type.Object({
  version: Type.Literal(1),
  samplesPerSecond: Type.Number({ exclusiveMinimum: 0 }),
  length: Type.Integer({ minimum: 0 }),
  durationMs: Type.Integer({ minimum: 0 }),
  data: Type.Array(Type.Number({ minimum: -1, maximum: 1 })),
});
export type WaveformPeaksDto = Static<typeof WaveformPeaksSchema>;

export const PLAYLIST_VISIBILITIES = ['public', 'private'] as const;
export type PlaylistVisibility = (typeof PLAYLIST_VISIBILITIES)[number];
export const PLAYLIST_MAX_TRACKS = 1000;

export const PlaylistSchema = Type.Object({
  id: UuidSchema,
  ownerId: UuidSchema,
  ownerUsername: Type.String(),
  name: Type.String(),
  description: nullable(Type.String()),
  visibility: Type.Enum(PLAYLIST_VISIBILITIES),
  trackCount: Type.Integer({ minimum: 0 }),
  durationMs: Type.Integer({ minimum: 0 }),
  createdAt: TimestampSchema,
  updatedAt: TimestampSchema,
});
export type Playlist = Static<typeof PlaylistSchema>;
export const PlaylistDetailSchema = Type.Object({ playlist: PlaylistSchema, tracks: Type.Array(TrackSchema) });
export type PlaylistDetail = Static<typeof PlaylistDetailSchema>;

const playlistName = Type.String({ minLength: 1, maxLength: 100, pattern: NON_BLANK_TEXT });
const playlistDescription = Type.String({ maxLength: 1000, pattern: STORABLE_TEXT });
export const PlaylistCreateBodySchema = Type.Object(
  {
    name: playlistName,
    description: Type.Optional(playlistDescription),
    visibility: Type.Optional(Type.Enum(PLAYLIST_VISIBILITIES)),
  },
  { additionalProperties: false },
);
export type PlaylistCreateBody = Static<typeof PlaylistCreateBodySchema>;
export const PlaylistUpdateBodySchema = Type.Object(
  {
    name: Type.Optional(playlistName),
    description: Type.Optional(nullable(playlistDescription)),
    visibility: Type.Optional(Type.Enum(PLAYLIST_VISIBILITIES)),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type PlaylistUpdateBody = Static<typeof PlaylistUpdateBodySchema>;
export const PlaylistTracksAddBodySchema = Type.Object(
  {
    trackIds: Type.Array(UuidSchema, { minItems: 1, maxItems: 100, uniqueItems: true }),
    /** Insert before this index (0-based); appended when absent. */
    position: Type.Optional(Type.Integer({ minimum: 0, maximum: PLAYLIST_MAX_TRACKS })),
  },
  { additionalProperties: false },
);
/** The playlist's full new order: the same track ids, each once. */
export const PlaylistReorderBodySchema = Type.Object(
  { trackIds: Type.Array(UuidSchema, { maxItems: PLAYLIST_MAX_TRACKS, uniqueItems: true }) },
  { additionalProperties: false },
);

/**
 * Listening reports. A play has a client-made id (UUIDv7), so a report sent twice (retry, or the
 * offline queue replayed) counts once. `listenedMs` is the total listened so far in this play; a
 * play counts once it reaches 30 s (half the track if shorter). A batch holds at most
 * PLAY_REPORT_MAX_EVENTS events: a longer offline queue is sent as several batches.
 */
export const PLAY_EVENT_TYPES = ['play.started', 'play.progress', 'play.ended'] as const;
export type PlayEventType = (typeof PLAY_EVENT_TYPES)[number];
export const PLAY_MAX_LISTENED_MS = 24 * 60 * 60 * 1000;
export const PLAY_REPORT_MAX_EVENTS = 200;
export const PlayEventSchema = Type.Object(
  {
    type: Type.Enum(PLAY_EVENT_TYPES),
    playId: UuidSchema,
    trackId: UuidSchema,
    positionMs: Type.Integer({ minimum: 0, maximum: PLAY_MAX_LISTENED_MS }),
    listenedMs: Type.Integer({ minimum: 0, maximum: PLAY_MAX_LISTENED_MS }),
    /** When it happened on the client (reports from the offline queue arrive later). */
    occurredAt: TimestampSchema,
    source: Type.Optional(Type.Enum(['stream', 'offline'])),
  },
  { additionalProperties: false },
);
export type PlayEvent = Static<typeof PlayEventSchema>;
export const PlayReportBodySchema = Type.Object(
  { events: Type.Array(PlayEventSchema, { minItems: 1, maxItems: PLAY_REPORT_MAX_EVENTS }) },
  { additionalProperties: false },
);
export type PlayReportBody = Static<typeof PlayReportBodySchema>;
export const PlayStatsSchema = Type.Object({
  trackId: UuidSchema,
  playCount: Type.Integer({ minimum: 0 }),
  listenedMs: Type.Integer({ minimum: 0 }),
  myPlayCount: Type.Integer({ minimum: 0 }),
  myListenedMs: Type.Integer({ minimum: 0 }),
});
export type PlayStats = Static<typeof PlayStatsSchema>;
