import { Type, type Static } from 'typebox';
import { ERROR_CODES } from '../errors.js';
import { EmojiSchema, MessageBodySchema, SeqSchema } from '../schemas/chat.js';
import { TimestampSchema, UuidSchema } from '../schemas/common.js';
import { TrackStateSchema } from '../schemas/media.js';
import { RoomEventSchema } from './events.js';

/*
 * The WebSocket protocol (GET /api/v1/ws): JSON text frames, one object each, keyed on `type`.
 * docs/protocol.md explains the exchange; these schemas are the contract both ends validate.
 */

/** Optional client-chosen correlation id, echoed in the `done` or `error` that answers a frame. */
const ref = Type.Optional(Type.String({ minLength: 1, maxLength: 64 }));
const token = Type.String({ minLength: 1, maxLength: 4096 });

// ── client → server ────────────────────────────────────────────────────────────

export const HelloFrameSchema = Type.Object(
  {
    type: Type.Literal('hello'),
    protocol: Type.Integer({ minimum: 0 }),
    token,
    /** Per room: the seq of the last event the client has applied. */
    cursors: Type.Record(Type.String({ format: 'uuid' }), SeqSchema, { maxProperties: 5000 }),
  },
  { additionalProperties: false },
);
/** Replaces the connection's credential before the access token expires. */
export const AuthFrameSchema = Type.Object({ type: Type.Literal('auth'), token, ref }, { additionalProperties: false });
export const SendFrameSchema = Type.Object(
  {
    type: Type.Literal('send'),
    roomId: UuidSchema,
    /** UUID chosen by the client (v7 recommended); a resend with the same clientId creates nothing new. */
    clientId: UuidSchema,
    body: MessageBodySchema,
    replyTo: Type.Optional(UuidSchema),
  },
  { additionalProperties: false },
);
export const EditFrameSchema = Type.Object(
  { type: Type.Literal('edit'), messageId: UuidSchema, body: MessageBodySchema, ref },
  { additionalProperties: false },
);
export const DeleteFrameSchema = Type.Object(
  { type: Type.Literal('delete'), messageId: UuidSchema, ref },
  { additionalProperties: false },
);
export const ReactFrameSchema = Type.Object(
  { type: Type.Literal('react'), messageId: UuidSchema, emoji: EmojiSchema, op: Type.Enum(['add', 'remove']), ref },
  { additionalProperties: false },
);
/** Moves the caller's read marker forward (never back). */
export const ReadFrameSchema = Type.Object(
  { type: Type.Literal('read'), roomId: UuidSchema, seq: SeqSchema, ref },
  { additionalProperties: false },
);
export const TypingFrameSchema = Type.Object(
  { type: Type.Literal('typing'), roomId: UuidSchema },
  { additionalProperties: false },
);
/** Asks again for events after `after` (a gap the client noticed); answered by events then `fetched`. */
export const FetchFrameSchema = Type.Object(
  {
    type: Type.Literal('fetch'),
    roomId: UuidSchema,
    after: SeqSchema,
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
    ref,
  },
  { additionalProperties: false },
);

export const ClientFrameSchema = Type.Union([
  HelloFrameSchema,
  AuthFrameSchema,
  SendFrameSchema,
  EditFrameSchema,
  DeleteFrameSchema,
  ReactFrameSchema,
  ReadFrameSchema,
  TypingFrameSchema,
  FetchFrameSchema,
]);
export type ClientFrame = Static<typeof ClientFrameSchema>;
export type ClientFrameOf<T extends ClientFrame['type']> = Extract<ClientFrame, { type: T }>;
export const CLIENT_FRAME_TYPES = [
  'hello',
  'auth',
  'send',
  'edit',
  'delete',
  'react',
  'read',
  'typing',
  'fetch',
] as const;

// ── server → client ────────────────────────────────────────────────────────────

export const WelcomeFrameSchema = Type.Object({
  type: Type.Literal('welcome'),
  protocol: Type.Integer(),
  userId: UuidSchema,
  /** Every room the user belongs to, with its latest seq. */
  rooms: Type.Array(Type.Object({ roomId: UuidSchema, lastSeq: SeqSchema })),
  /** When the credential expires (send `auth` before); null for API keys. */
  expiresAt: Type.Union([TimestampSchema, Type.Null()]),
  heartbeatMs: Type.Integer(),
});
/** Replay of a room is complete up to `seq`: live events follow. */
export const SyncedFrameSchema = Type.Object({ type: Type.Literal('synced'), roomId: UuidSchema, seq: SeqSchema });
/** The cursor cannot be replayed: refetch recent history over REST, then continue from `latestSeq`. */
export const ResetFrameSchema = Type.Object({
  type: Type.Literal('reset'),
  roomId: UuidSchema,
  reason: Type.Enum(['cursor_too_old', 'unknown_cursor', 'not_member']),
  latestSeq: SeqSchema,
});
export const AckFrameSchema = Type.Object({
  type: Type.Literal('ack'),
  clientId: UuidSchema,
  messageId: UuidSchema,
  roomId: UuidSchema,
  seq: SeqSchema,
});
/** Answers an edit, delete, react, read, fetch or auth frame that carried a `ref`. */
export const DoneFrameSchema = Type.Object({
  type: Type.Literal('done'),
  ref: Type.String(),
  seq: Type.Union([SeqSchema, Type.Null()]),
});
export const FetchedFrameSchema = Type.Object({
  type: Type.Literal('fetched'),
  roomId: UuidSchema,
  after: SeqSchema,
  /** Seq of the last event sent; equal to `latestSeq` when the client is caught up. */
  until: SeqSchema,
  latestSeq: SeqSchema,
  ref: Type.Optional(Type.String()),
});
export const ErrorFrameSchema = Type.Object({
  type: Type.Literal('error'),
  code: Type.Enum(ERROR_CODES),
  message: Type.String(),
  ref: Type.Optional(Type.String()),
  /** When a `send` was refused: its clientId, so the client knows which outbox entry failed. */
  clientId: Type.Optional(UuidSchema),
});
export const PresenceFrameSchema = Type.Object({
  type: Type.Literal('presence'),
  userId: UuidSchema,
  status: Type.Enum(['online', 'offline']),
});
export const TypingNoticeFrameSchema = Type.Object({
  type: Type.Literal('typing'),
  roomId: UuidSchema,
  userId: UuidSchema,
});

/**
 * Sent to the uploader's connections while their track is processed: progress in percent, then
 * the final state (with the reason when it failed).
 */
export const TrackProgressFrameSchema = Type.Object({
  type: Type.Literal('track'),
  trackId: UuidSchema,
  state: TrackStateSchema,
  percent: Type.Number({ minimum: 0, maximum: 100 }),
  failureReason: Type.Optional(Type.String()),
});

export const ServerFrameSchema = Type.Union([
  WelcomeFrameSchema,
  RoomEventSchema,
  SyncedFrameSchema,
  ResetFrameSchema,
  AckFrameSchema,
  DoneFrameSchema,
  FetchedFrameSchema,
  ErrorFrameSchema,
  PresenceFrameSchema,
  TypingNoticeFrameSchema,
  TrackProgressFrameSchema,
]);
export type ServerFrame = Static<typeof ServerFrameSchema>;
export type ServerFrameOf<T extends ServerFrame['type']> = Extract<ServerFrame, { type: T }>;
/** Every server frame type, once (e.g. a bounded label set for the server's frame counters). */
export const SERVER_FRAME_TYPES = [
  'welcome',
  'event',
  'synced',
  'reset',
  'ack',
  'done',
  'fetched',
  'error',
  'presence',
  'typing',
  'track',
] as const satisfies readonly ServerFrame['type'][];
// The list cannot fall behind the union: a frame type missing from it fails to compile here.
const serverFrameTypesComplete: Exclude<ServerFrame['type'], (typeof SERVER_FRAME_TYPES)[number]> extends never
  ? true
  : false = true;
void serverFrameTypesComplete;

/** WebSocket close codes the server uses (4000–4999 are application codes). */
export const CLOSE_CODES = {
  /** The first frame was not a valid hello, or a frame could not be handled at all. */
  PROTOCOL_ERROR: 4000,
  /** The credential was refused, or it expired and no `auth` frame replaced it. */
  UNAUTHORIZED: 4001,
  /** No hello within the time allowed. */
  HELLO_TIMEOUT: 4002,
  /** The protocol version is not supported. */
  UNSUPPORTED_PROTOCOL: 4003,
  /** The account was disabled or banned: reconnecting is refused until an admin restores it. */
  ACCOUNT_DISABLED: 4004,
  /** The client read too slowly and its send queue overflowed: reconnect and resume from the cursors. */
  TOO_SLOW: 4008,
  /**
   * A connection cap was hit: the account already has the most sockets allowed, or its address
   * has too many sockets that have not said hello yet. Reconnect later, with backoff.
   */
  TOO_MANY_CONNECTIONS: 4029,
  /** The server is shutting down: reconnect (to another instance). */
  GOING_AWAY: 1001,
} as const;

export const PROTOCOL_LIMITS = {
  helloTimeoutMs: 10_000,
  maxPayloadBytes: 64 * 1024,
  replayPageSize: 500,
  /** A cursor further behind than this gets a reset instead of a replay. */
  maxReplayEvents: 10_000,
} as const;
