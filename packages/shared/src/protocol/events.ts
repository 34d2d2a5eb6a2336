import { Type, type Static } from 'typebox';
import { MessageSchema, RoomRoleSchema, SeqSchema } from '../schemas/chat.js';
import { TimestampSchema, UuidSchema } from '../schemas/common.js';

/** Every change to a room is one of these, at one seq of the room's append-only log. */
export const EVENT_KINDS = [
  'message.created',
  'message.edited',
  'message.deleted',
  'reaction.added',
  'reaction.removed',
  'member.joined',
  'member.left',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

const base = {
  type: Type.Literal('event'),
  roomId: UuidSchema,
  seq: SeqSchema,
  /** Who caused the event. */
  actorId: UuidSchema,
  at: TimestampSchema,
};

const reactionData = Type.Object({ messageId: UuidSchema, emoji: Type.String(), userId: UuidSchema });

export const MessageCreatedEventSchema = Type.Object({
  ...base,
  kind: Type.Literal('message.created'),
  data: Type.Object({ message: MessageSchema }),
});
export const MessageEditedEventSchema = Type.Object({
  ...base,
  kind: Type.Literal('message.edited'),
  data: Type.Object({
    messageId: UuidSchema,
    body: Type.String(),
    mentions: Type.Array(UuidSchema),
    editedAt: TimestampSchema,
  }),
});
/** The tombstone: offline clients learn about deletions from it. */
export const MessageDeletedEventSchema = Type.Object({
  ...base,
  kind: Type.Literal('message.deleted'),
  data: Type.Object({ messageId: UuidSchema, deletedAt: TimestampSchema }),
});
export const ReactionAddedEventSchema = Type.Object({
  ...base,
  kind: Type.Literal('reaction.added'),
  data: reactionData,
});
export const ReactionRemovedEventSchema = Type.Object({
  ...base,
  kind: Type.Literal('reaction.removed'),
  data: reactionData,
});
export const MemberJoinedEventSchema = Type.Object({
  ...base,
  kind: Type.Literal('member.joined'),
  data: Type.Object({ userId: UuidSchema, username: Type.String(), role: RoomRoleSchema }),
});
export const MemberLeftEventSchema = Type.Object({
  ...base,
  kind: Type.Literal('member.left'),
  data: Type.Object({ userId: UuidSchema, reason: Type.Enum(['left', 'removed']) }),
});

export const RoomEventSchema = Type.Union([
  MessageCreatedEventSchema,
  MessageEditedEventSchema,
  MessageDeletedEventSchema,
  ReactionAddedEventSchema,
  ReactionRemovedEventSchema,
  MemberJoinedEventSchema,
  MemberLeftEventSchema,
]);
export type RoomEvent = Static<typeof RoomEventSchema>;
export type RoomEventOf<K extends EventKind> = Extract<RoomEvent, { kind: K }>;
