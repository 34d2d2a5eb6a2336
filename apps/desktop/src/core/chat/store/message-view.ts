import type { ChatMessage } from '../../../common/contract.js';
import type { MessageStore, ReactionRow } from './message-store.js';
import type { OutboxEntry } from './outbox-store.js';
import type { MessageRow } from './rows.js';

/** Characters of the replied-to message shown above a reply. */
const EXCERPT_LENGTH = 140;

/**
 * Turns cached rows into what the UI shows: authors' names, reactions grouped by emoji, the
 * excerpt of the message replied to, and whatever the outbox still holds for them (an edit, a
 * deletion or a reaction not yet confirmed is shown as if done).
 */
export class MessageView {
  constructor(
    private readonly messages: MessageStore,
    private readonly me: { id: string; username: string },
  ) {}

  /** Rows in any order → ChatMessages in the same order. */
  build(rows: readonly MessageRow[], overlay: readonly OutboxEntry[] = []): ChatMessage[] {
    const ids = rows.map((row) => row.id);
    const reactions = groupReactions(this.messages.reactions(ids));
    const replyIds = [...new Set(rows.flatMap((row) => (row.reply_to ? [row.reply_to] : [])))];
    const replies = new Map(this.messages.getMany(replyIds).map((row) => [row.id, row]));
    const built = rows.map((row) => this.fromRow(row, reactions.get(row.id) ?? new Map(), replies));
    return overlay.length === 0 ? built : applyOverlay(built, overlay, this.me.id);
  }

  /** A send still in the outbox, shown at the end of its room's window. */
  fromOutbox(entry: OutboxEntry<'send'>): ChatMessage {
    const { payload } = entry;
    const reply = payload.replyTo ? this.messages.get(payload.replyTo) : undefined;
    return {
      id: null,
      clientId: payload.clientId,
      roomId: payload.roomId,
      seq: null,
      authorId: this.me.id,
      authorUsername: this.me.username,
      body: payload.body,
      replyTo: payload.replyTo ? replyOf(payload.replyTo, reply) : null,
      mentions: [],
      mentionsMe: false,
      createdAt: entry.created_at,
      editedAt: null,
      deletedAt: null,
      reactions: [],
      delivery: entry.state,
      deliveryError: entry.last_error,
    };
  }

  private fromRow(row: MessageRow, reactions: Map<string, string[]>, replies: Map<string, MessageRow>): ChatMessage {
    const mentions = parseMentions(row.mentions);
    return {
      id: row.id,
      clientId: row.client_id,
      roomId: row.room_id,
      seq: row.seq,
      authorId: row.author_id,
      authorUsername: row.author_username ?? '',
      body: row.body,
      replyTo: row.reply_to ? replyOf(row.reply_to, replies.get(row.reply_to)) : null,
      mentions,
      mentionsMe: mentions.includes(this.me.id),
      createdAt: row.created_at,
      editedAt: row.edited_at,
      deletedAt: row.deleted_at,
      reactions: [...reactions].map(([emoji, userIds]) => ({ emoji, userIds, byMe: userIds.includes(this.me.id) })),
      delivery: 'sent',
      deliveryError: null,
    };
  }
}

/** The quoted message; when it is not cached (older than the cache) only its id is known. */
function replyOf(messageId: string, row: MessageRow | undefined): NonNullable<ChatMessage['replyTo']> {
  if (!row) return { messageId, authorUsername: '', excerpt: '' };
  const excerpt = row.deleted_at
    ? ''
    : row.body.length > EXCERPT_LENGTH
      ? `${row.body.slice(0, EXCERPT_LENGTH)}…`
      : row.body;
  return { messageId, authorUsername: row.author_username ?? '', excerpt };
}

function parseMentions(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
  } catch {
    return [];
  }
}

function groupReactions(rows: readonly ReactionRow[]): Map<string, Map<string, string[]>> {
  const byMessage = new Map<string, Map<string, string[]>>();
  for (const row of rows) {
    let byEmoji = byMessage.get(row.message_id);
    if (!byEmoji) byMessage.set(row.message_id, (byEmoji = new Map()));
    const users = byEmoji.get(row.emoji);
    if (users) users.push(row.user_id);
    else byEmoji.set(row.emoji, [row.user_id]);
  }
  return byMessage;
}

/** Lays the outbox's unconfirmed edits, deletions and reactions over the confirmed messages. */
function applyOverlay(messages: ChatMessage[], overlay: readonly OutboxEntry[], meId: string): ChatMessage[] {
  const byId = new Map(messages.filter((m) => m.id).map((m) => [m.id!, m]));
  for (const entry of overlay) {
    if (entry.state !== 'pending' || !('messageId' in entry.payload)) continue;
    const message = byId.get(entry.payload.messageId);
    if (!message || message.deletedAt) continue;
    if (entry.kind === 'edit') {
      const { body } = entry.payload as { body: string };
      message.body = body;
      message.editedAt = entry.created_at;
    } else if (entry.kind === 'delete') {
      message.body = '';
      message.deletedAt = entry.created_at;
      message.reactions = [];
    } else if (entry.kind === 'react') {
      const { emoji, op } = entry.payload as { emoji: string; op: 'add' | 'remove' };
      message.reactions = react(message.reactions, emoji, op, meId);
    }
  }
  return messages;
}

function react(reactions: ChatMessage['reactions'], emoji: string, op: 'add' | 'remove', meId: string) {
  const existing = reactions.find((r) => r.emoji === emoji);
  if (op === 'add') {
    if (existing?.byMe) return reactions;
    if (existing)
      return reactions.map((r) => (r === existing ? { ...r, userIds: [...r.userIds, meId], byMe: true } : r));
    return [...reactions, { emoji, userIds: [meId], byMe: true }];
  }
  if (!existing?.byMe) return reactions;
  const userIds = existing.userIds.filter((id) => id !== meId);
  return userIds.length === 0
    ? reactions.filter((r) => r !== existing)
    : reactions.map((r) => (r === existing ? { ...r, userIds, byMe: false } : r));
}
