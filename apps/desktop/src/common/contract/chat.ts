/** Chat: rooms, messages (with the outbox's delivery state), search, typing and presence. */
import { EmojiSchema, MESSAGE_MAX_LENGTH, SeqSchema, UuidSchema, type RoomKind, type RoomRole } from '@veza/shared';
import { Type } from 'typebox';
import { command } from './command.js';

export interface RoomSummary {
  id: string;
  kind: RoomKind;
  name: string;
  topic: string | null;
  myRole: RoomRole | null;
  memberCount: number;
  lastSeq: number;
  lastReadSeq: number;
  unreadCount: number;
  /** Unread messages that mention me. */
  mentionCount: number;
  dmPeer: { id: string; username: string } | null;
  /** Time of the newest cached message, for sorting the sidebar. */
  lastMessageAt: string | null;
}

export interface PublicRoomSummary {
  id: string;
  name: string;
  topic: string | null;
  memberCount: number;
  joined: boolean;
}

/**
 * `sent`: in the server's log. `pending`: in the outbox. `failed`: the server refused it (a rule
 * blocked it, a moderator rejected it…). `held`: a rule held it for review; others see it only if
 * a moderator approves it.
 */
export type DeliveryState = 'sent' | 'pending' | 'failed' | 'held';

export interface ChatMessage {
  /** Server id; null while the message is only in the outbox. */
  id: string | null;
  /** Stable key for the UI: the same before and after the server acknowledges. */
  clientId: string;
  roomId: string;
  /** Seq of the message.created event; null while pending. */
  seq: number | null;
  authorId: string;
  authorUsername: string;
  body: string;
  replyTo: { messageId: string; authorUsername: string; excerpt: string } | null;
  mentions: string[];
  mentionsMe: boolean;
  createdAt: string;
  editedAt: string | null;
  deletedAt: string | null;
  reactions: { emoji: string; userIds: string[]; byMe: boolean }[];
  delivery: DeliveryState;
  /** Why the outbox could not deliver it (failed) or the last transient error (pending). */
  deliveryError: string | null;
}

/** Messages oldest → newest. Without `beforeSeq`, the latest page plus pending outbox messages. */
export interface MessageWindow {
  roomId: string;
  messages: ChatMessage[];
  hasOlder: boolean;
}

export interface MessageSearchHit {
  message: ChatMessage;
  roomName: string;
  /** The body with matches wrapped in U+E000 … U+E001 markers (never HTML): the UI highlights them. */
  snippet: string;
}

export interface TypingNotice {
  roomId: string;
  userId: string;
  username: string;
}

const RoomRef = Type.Object({ roomId: UuidSchema }, { additionalProperties: false });
const MessageRef = Type.Object({ messageId: UuidSchema }, { additionalProperties: false });
const ClientRef = Type.Object({ clientId: UuidSchema }, { additionalProperties: false });
const Body = Type.String({ minLength: 1, maxLength: MESSAGE_MAX_LENGTH });

export const chatCommands = {
  listRooms: command().returns<RoomSummary[]>(),
  listPublicRooms: command().returns<PublicRoomSummary[]>(),
  createRoom: command(
    Type.Object(
      {
        name: Type.String({ minLength: 1, maxLength: 80 }),
        visibility: Type.Enum(['public', 'private']),
        topic: Type.Optional(Type.String({ maxLength: 500 })),
      },
      { additionalProperties: false },
    ),
  ).returns<RoomSummary>(),
  joinRoom: command(RoomRef).returns<RoomSummary>(),
  leaveRoom: command(RoomRef).returns<void>(),
  openDirectMessage: command(
    Type.Object({ userId: UuidSchema }, { additionalProperties: false }),
  ).returns<RoomSummary>(),
  getMessages: command(
    Type.Object(
      {
        roomId: UuidSchema,
        beforeSeq: Type.Optional(SeqSchema),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
      },
      { additionalProperties: false },
    ),
  ).returns<MessageWindow>(),
  sendMessage: command(
    Type.Object(
      { roomId: UuidSchema, body: Body, replyTo: Type.Optional(UuidSchema) },
      { additionalProperties: false },
    ),
  ).returns<ChatMessage>(),
  retryMessage: command(ClientRef).returns<void>(),
  discardMessage: command(ClientRef).returns<void>(),
  editMessage: command(
    Type.Object({ messageId: UuidSchema, body: Body }, { additionalProperties: false }),
  ).returns<void>(),
  deleteMessage: command(MessageRef).returns<void>(),
  react: command(
    Type.Object(
      { messageId: UuidSchema, emoji: EmojiSchema, op: Type.Enum(['add', 'remove']) },
      { additionalProperties: false },
    ),
  ).returns<void>(),
  markRead: command(
    Type.Object({ roomId: UuidSchema, seq: SeqSchema }, { additionalProperties: false }),
  ).returns<void>(),
  notifyTyping: command(RoomRef).returns<void>(),
  searchMessages: command(
    Type.Object(
      {
        query: Type.String({ minLength: 1, maxLength: 200 }),
        roomId: Type.Optional(UuidSchema),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
      },
      { additionalProperties: false },
    ),
  ).returns<MessageSearchHit[]>(),
};

/** "changed" events carry no data: the store re-queries what it shows. */
export type ChatEvent =
  | { type: 'rooms.changed' }
  | { type: 'messages.changed'; roomId: string }
  | { type: 'typing'; notice: TypingNotice }
  | { type: 'presence'; userId: string; status: 'online' | 'offline' }
  | { type: 'mention'; roomId: string; roomName: string; message: ChatMessage };
