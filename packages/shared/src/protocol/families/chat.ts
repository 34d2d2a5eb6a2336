import { Type } from 'typebox';
import { EmojiSchema, MessageBodySchema, SeqSchema } from '../../schemas/chat.js';
import { UuidSchema } from '../../schemas/common.js';
import { RoomEventSchema } from '../events.js';
import { FrameRefSchema as ref } from '../gateway.js';

/*
 * Chat's frame family: room events, the per-room sync (cursors in hello, rooms in welcome,
 * replay, reset, fetch) and the writes (send, edit, delete, react, read, typing).
 */

/** Chat's part of `hello`: per room, the seq of the last event the client has applied. */
export const CHAT_HELLO_FIELDS = {
  cursors: Type.Record(Type.String({ format: 'uuid' }), SeqSchema, { maxProperties: 5000 }),
};
/** Chat's part of `welcome`: every room the user belongs to, with its latest seq. */
export const CHAT_WELCOME_FIELDS = {
  rooms: Type.Array(Type.Object({ roomId: UuidSchema, lastSeq: SeqSchema })),
};

// ── client → server ────────────────────────────────────────────────────────────

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

export const CHAT_CLIENT_FRAMES = [
  SendFrameSchema,
  EditFrameSchema,
  DeleteFrameSchema,
  ReactFrameSchema,
  ReadFrameSchema,
  TypingFrameSchema,
  FetchFrameSchema,
] as const;

// ── server → client ────────────────────────────────────────────────────────────

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
export const FetchedFrameSchema = Type.Object({
  type: Type.Literal('fetched'),
  roomId: UuidSchema,
  after: SeqSchema,
  /** Seq of the last event sent; equal to `latestSeq` when the client is caught up. */
  until: SeqSchema,
  latestSeq: SeqSchema,
  ref: Type.Optional(Type.String()),
});
export const TypingNoticeFrameSchema = Type.Object({
  type: Type.Literal('typing'),
  roomId: UuidSchema,
  userId: UuidSchema,
});

export const CHAT_SERVER_FRAMES = [
  RoomEventSchema,
  SyncedFrameSchema,
  ResetFrameSchema,
  AckFrameSchema,
  FetchedFrameSchema,
  TypingNoticeFrameSchema,
] as const;
