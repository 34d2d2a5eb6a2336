import { Type } from 'typebox';
import { ERROR_CODES } from '../errors.js';
import { SeqSchema } from '../schemas/chat.js';
import { TimestampSchema, UuidSchema } from '../schemas/common.js';

/*
 * The gateway's own frames: the handshake (hello, welcome), credential renewal (auth), the
 * generic answers (done, error), presence, and the close codes. Every feature's frame family
 * (protocol/families/) travels inside this envelope; protocol/frames.ts composes them.
 */

/**
 * Version of the WebSocket protocol; the client sends it in `hello`. It changes only when what
 * travels on the wire changes: composing the frames from families (issue 11) did not, so it is
 * still 1 and every client that spoke 1 keeps working.
 */
export const PROTOCOL_VERSION = 1;
/** Versions this build accepts in `hello`; any other is refused with PROTOCOL_VERSION_UNSUPPORTED and 4003. */
export const SUPPORTED_PROTOCOL_VERSIONS: readonly number[] = [PROTOCOL_VERSION];

/** Optional client-chosen correlation id, echoed in the `done` or `error` that answers a frame. */
export const FrameRefSchema = Type.Optional(Type.String({ minLength: 1, maxLength: 64 }));
const token = Type.String({ minLength: 1, maxLength: 4096 });

// ── client → server ────────────────────────────────────────────────────────────

/** The gateway's part of `hello`; features add theirs (chat: `cursors`). */
export const GATEWAY_HELLO_FIELDS = {
  type: Type.Literal('hello'),
  protocol: Type.Integer({ minimum: 0 }),
  token,
};
/** Replaces the connection's credential before the access token expires. */
export const AuthFrameSchema = Type.Object(
  { type: Type.Literal('auth'), token, ref: FrameRefSchema },
  { additionalProperties: false },
);

// ── server → client ────────────────────────────────────────────────────────────

/** The gateway's part of `welcome`, around what features add (chat: `rooms`). */
export const GATEWAY_WELCOME_FIELDS = {
  type: Type.Literal('welcome'),
  protocol: Type.Integer(),
  userId: UuidSchema,
  /** When the credential expires (send `auth` before); null for API keys. */
  expiresAt: Type.Union([TimestampSchema, Type.Null()]),
  heartbeatMs: Type.Integer(),
};
/** Answers a frame that carried a `ref` (edit, delete, react, read, auth…). */
export const DoneFrameSchema = Type.Object({
  type: Type.Literal('done'),
  ref: Type.String(),
  seq: Type.Union([SeqSchema, Type.Null()]),
});
export const ErrorFrameSchema = Type.Object({
  type: Type.Literal('error'),
  code: Type.Enum(ERROR_CODES),
  message: Type.String(),
  ref: Type.Optional(Type.String()),
  /** When a `send` was refused: its clientId, so the client knows which outbox entry failed. */
  clientId: Type.Optional(UuidSchema),
});
/** A user who shares a room with the client came online or went offline. */
export const PresenceFrameSchema = Type.Object({
  type: Type.Literal('presence'),
  userId: UuidSchema,
  status: Type.Enum(['online', 'offline']),
});

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
