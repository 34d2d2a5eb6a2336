import { Type, type Static } from 'typebox';
import { NON_BLANK_TEXT, STORABLE_TEXT, TimestampSchema, UuidSchema } from './common.js';

/** Room kinds: public channels anyone may join, private rooms by invitation, direct messages. */
export const ROOM_KINDS = ['public', 'private', 'dm'] as const;
export type RoomKind = (typeof ROOM_KINDS)[number];
export const ROOM_ROLES = ['owner', 'moderator', 'member'] as const;
export type RoomRole = (typeof ROOM_ROLES)[number];

export const MESSAGE_MAX_LENGTH = 4000;
export const RoomKindSchema = Type.Enum(ROOM_KINDS);
export const RoomRoleSchema = Type.Enum(ROOM_ROLES);
/** A non-negative position in a room's event log; 0 means "before the first event". */
export const SeqSchema = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
export const MessageBodySchema = Type.String({ minLength: 1, maxLength: MESSAGE_MAX_LENGTH, pattern: NON_BLANK_TEXT });
/** One emoji (or a short emoji sequence such as a flag or a skin-tone variant). */
export const EmojiSchema = Type.String({ minLength: 1, maxLength: 32, pattern: '^[^\\s\\u0000\\uD800-\\uDFFF]+$' });

export const RoomSchema = Type.Object({
  id: UuidSchema,
  kind: RoomKindSchema,
  name: Type.String(),
  topic: Type.Union([Type.String(), Type.Null()]),
  createdAt: TimestampSchema,
  /** Seq of the latest event in the room's log. */
  lastSeq: SeqSchema,
  memberCount: Type.Integer({ minimum: 0 }),
  /** The caller's role, null when not a member (public room listing). */
  myRole: Type.Union([RoomRoleSchema, Type.Null()]),
  lastReadSeq: SeqSchema,
  unreadCount: Type.Integer({ minimum: 0 }),
  /** For direct messages: the other participant. */
  dmPeer: Type.Union([Type.Object({ id: UuidSchema, username: Type.String() }), Type.Null()]),
});
export type Room = Static<typeof RoomSchema>;

export const RoomCreateBodySchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 80, pattern: NON_BLANK_TEXT }),
    visibility: Type.Enum(['public', 'private']),
    topic: Type.Optional(Type.String({ maxLength: 500, pattern: STORABLE_TEXT })),
  },
  { additionalProperties: false },
);
export type RoomCreateBody = Static<typeof RoomCreateBodySchema>;

export const UserRefBodySchema = Type.Object({ userId: UuidSchema }, { additionalProperties: false });
export type UserRefBody = Static<typeof UserRefBodySchema>;

export const ReactionSummarySchema = Type.Object({ emoji: Type.String(), userIds: Type.Array(UuidSchema) });

export const MessageSchema = Type.Object({
  id: UuidSchema,
  roomId: UuidSchema,
  /** Seq of the message.created event. */
  seq: SeqSchema,
  authorId: UuidSchema,
  authorUsername: Type.String(),
  clientId: UuidSchema,
  /** Plain text; clients render a small markdown subset (bold, italic, code, links) safely. */
  body: Type.String(),
  replyTo: Type.Union([UuidSchema, Type.Null()]),
  mentions: Type.Array(UuidSchema),
  createdAt: TimestampSchema,
  editedAt: Type.Union([TimestampSchema, Type.Null()]),
  /** Set on tombstones: the body is then empty. */
  deletedAt: Type.Union([TimestampSchema, Type.Null()]),
  reactions: Type.Array(ReactionSummarySchema),
});
export type Message = Static<typeof MessageSchema>;

export const MessagePageSchema = Type.Object({
  messages: Type.Array(MessageSchema),
  /** Seq of the room's latest event when the page was read: a cursor for the WebSocket. */
  latestSeq: SeqSchema,
  hasMore: Type.Boolean(),
});
export type MessagePage = Static<typeof MessagePageSchema>;

export const MessageSearchHitSchema = Type.Object({ message: MessageSchema, roomName: Type.String() });
export type MessageSearchHit = Static<typeof MessageSearchHitSchema>;
