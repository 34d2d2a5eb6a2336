import type { Message } from '@veza/shared';
import type { Statement } from 'better-sqlite3';
import type { CacheDb } from '../../cache/database.js';
import type { MessageRow } from './rows.js';

const SELECT_MESSAGE = `SELECT m.pk, m.id, m.client_id, m.room_id, m.seq, m.author_id, u.username AS author_username,
  m.body, m.reply_to, m.mentions, m.created_at, m.edited_at, m.deleted_at
  FROM messages m LEFT JOIN users u ON u.id = m.author_id`;

export interface ReactionRow {
  message_id: string;
  emoji: string;
  user_id: string;
}

/**
 * Cached messages and their reactions. Every write names the seq it comes from (`version`): a
 * row only moves forward, so replayed events, REST snapshots and acks can land in any order.
 * Callers wrap batches in a transaction; the statements are prepared once.
 */
export class MessageStore {
  private readonly upsert: Statement;
  private readonly clearReactions: Statement<[string]>;
  private readonly insertReaction: Statement<[string, string, string]>;
  private readonly deleteReaction: Statement<[string, string, string]>;
  private readonly bump: Statement<[number, string, number]>;
  private readonly edit: Statement;
  private readonly tombstone: Statement;
  private readonly localEdit: Statement;
  private readonly localTombstone: Statement;
  private readonly olderThan: Statement<[string, number], { id: string }>;
  private readonly latest: Statement<[string, number], MessageRow>;
  private readonly before: Statement<[string, number, number], MessageRow>;
  private readonly oldest: Statement<[string], { seq: number }>;
  private readonly byId: Statement<[string], MessageRow>;
  private readonly byIds: Statement<[string], MessageRow>;
  private readonly reactionsOf: Statement<[string], ReactionRow>;

  constructor(
    private readonly db: CacheDb,
    private readonly meId: string,
  ) {
    this.upsert = db.prepare(
      `INSERT INTO messages (id, client_id, room_id, seq, author_id, body, reply_to, mentions, mentions_me,
         created_at, edited_at, deleted_at, version_seq)
       VALUES (@id, @clientId, @roomId, @seq, @authorId, @body, @replyTo, @mentions, @mentionsMe,
         @createdAt, @editedAt, @deletedAt, @version)
       ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, client_id = excluded.client_id, body = excluded.body,
         reply_to = excluded.reply_to, mentions = excluded.mentions, mentions_me = excluded.mentions_me,
         created_at = excluded.created_at, edited_at = excluded.edited_at, deleted_at = excluded.deleted_at,
         version_seq = excluded.version_seq
       WHERE messages.version_seq < excluded.version_seq`,
    );
    this.clearReactions = db.prepare('DELETE FROM message_reactions WHERE message_id = ?');
    this.insertReaction = db.prepare(
      'INSERT OR IGNORE INTO message_reactions (message_id, emoji, user_id) VALUES (?, ?, ?)',
    );
    this.deleteReaction = db.prepare(
      'DELETE FROM message_reactions WHERE message_id = ? AND emoji = ? AND user_id = ?',
    );
    this.bump = db.prepare('UPDATE messages SET version_seq = ? WHERE id = ? AND version_seq < ?');
    this.edit = db.prepare(
      `UPDATE messages SET body = @body, mentions = @mentions, mentions_me = @mentionsMe, edited_at = @editedAt,
         version_seq = @version
       WHERE id = @id AND version_seq < @version AND deleted_at IS NULL`,
    );
    this.tombstone = db.prepare(
      `UPDATE messages SET body = '', mentions = '[]', mentions_me = 0, deleted_at = @deletedAt, version_seq = @version
       WHERE id = @id AND version_seq < @version`,
    );
    // Local confirmations (a `done` whose event has not landed yet) change what is shown but not
    // version_seq: events below the confirmed seq (someone else's reaction) must still apply.
    this.localEdit = db.prepare(
      `UPDATE messages SET body = @body, mentions = @mentions, mentions_me = @mentionsMe, edited_at = @editedAt
       WHERE id = @id AND version_seq < @seq AND deleted_at IS NULL`,
    );
    this.localTombstone = db.prepare(
      `UPDATE messages SET body = '', mentions = '[]', mentions_me = 0, deleted_at = @deletedAt
       WHERE id = @id AND version_seq < @seq`,
    );
    this.olderThan = db.prepare('SELECT id FROM messages WHERE id = ? AND version_seq < ?');
    this.latest = db.prepare(`${SELECT_MESSAGE} WHERE m.room_id = ? ORDER BY m.seq DESC LIMIT ?`);
    this.before = db.prepare(`${SELECT_MESSAGE} WHERE m.room_id = ? AND m.seq < ? ORDER BY m.seq DESC LIMIT ?`);
    this.oldest = db.prepare('SELECT seq FROM messages WHERE room_id = ? ORDER BY seq ASC LIMIT 1');
    this.byId = db.prepare(`${SELECT_MESSAGE} WHERE m.id = ?`);
    this.byIds = db.prepare(`${SELECT_MESSAGE} WHERE m.id IN (SELECT value FROM json_each(?))`);
    this.reactionsOf = db.prepare(
      `SELECT message_id, emoji, user_id FROM message_reactions
       WHERE message_id IN (SELECT value FROM json_each(?)) ORDER BY rowid`,
    );
  }

  /**
   * Stores a message as of `version` (the seq of the event or the snapshot it comes from). Its
   * reactions are replaced only when the row was written: an older snapshot changes nothing.
   * `fresh`: the message.created event itself. It can only land on nothing or on the
   * reaction-less copy an ack left, so there are no old reactions to clear (one statement less
   * per message of a 10k catch-up).
   */
  put(message: Message, version: number, options: { fresh?: boolean } = {}): boolean {
    const written =
      this.upsert.run({
        id: message.id,
        clientId: message.clientId,
        roomId: message.roomId,
        seq: message.seq,
        authorId: message.authorId,
        body: message.deletedAt ? '' : message.body,
        replyTo: message.replyTo,
        mentions: JSON.stringify(message.mentions),
        mentionsMe: message.mentions.includes(this.meId) ? 1 : 0,
        createdAt: message.createdAt,
        editedAt: message.editedAt,
        deletedAt: message.deletedAt,
        version,
      }).changes > 0;
    if (written) {
      if (!options.fresh) this.clearReactions.run(message.id);
      for (const reaction of message.reactions) {
        for (const userId of reaction.userIds) this.insertReaction.run(message.id, reaction.emoji, userId);
      }
    }
    return written;
  }

  applyEdit(messageId: string, body: string, mentions: string[], editedAt: string, version: number): boolean {
    return (
      this.edit.run({
        id: messageId,
        body,
        mentions: JSON.stringify(mentions),
        mentionsMe: mentions.includes(this.meId) ? 1 : 0,
        editedAt,
        version,
      }).changes > 0
    );
  }

  applyDelete(messageId: string, deletedAt: string, version: number): boolean {
    const written = this.tombstone.run({ id: messageId, deletedAt, version }).changes > 0;
    if (written) this.clearReactions.run(messageId);
    return written;
  }

  applyReaction(messageId: string, emoji: string, userId: string, op: 'add' | 'remove', version: number): boolean {
    // Unknown messages (older than the cache) are skipped: their reactions come with their history.
    if (this.bump.run(version, messageId, version).changes === 0) return false;
    if (op === 'add') this.insertReaction.run(messageId, emoji, userId);
    else this.deleteReaction.run(messageId, emoji, userId);
    return true;
  }

  /**
   * Shows a change the server confirmed at `seq` before its event arrives, without moving the
   * row's version: the event at `seq` still lands on top, and so do earlier events that have not
   * arrived yet (bumping the version to seq - 1 would make them look already applied and drop
   * them). Nothing happens when the event, or anything newer, is already there.
   */
  confirmEdit(messageId: string, body: string, mentions: string[], editedAt: string, seq: number): boolean {
    return (
      this.localEdit.run({
        id: messageId,
        body,
        mentions: JSON.stringify(mentions),
        mentionsMe: mentions.includes(this.meId) ? 1 : 0,
        editedAt,
        seq,
      }).changes > 0
    );
  }

  confirmDelete(messageId: string, deletedAt: string, seq: number): boolean {
    const written = this.localTombstone.run({ id: messageId, deletedAt, seq }).changes > 0;
    if (written) this.clearReactions.run(messageId);
    return written;
  }

  confirmReaction(messageId: string, emoji: string, userId: string, op: 'add' | 'remove', seq: number): boolean {
    if (!this.olderThan.get(messageId, seq)) return false;
    if (op === 'add') this.insertReaction.run(messageId, emoji, userId);
    else this.deleteReaction.run(messageId, emoji, userId);
    return true;
  }

  /** Newest first: the latest `limit` messages, or those before `beforeSeq`. */
  page(roomId: string, beforeSeq: number | undefined, limit: number): MessageRow[] {
    return beforeSeq === undefined ? this.latest.all(roomId, limit) : this.before.all(roomId, beforeSeq, limit);
  }

  oldestSeq(roomId: string): number | null {
    return this.oldest.get(roomId)?.seq ?? null;
  }

  get(messageId: string): MessageRow | undefined {
    return this.byId.get(messageId);
  }

  getMany(messageIds: readonly string[]): MessageRow[] {
    return messageIds.length === 0 ? [] : this.byIds.all(JSON.stringify(messageIds));
  }

  reactions(messageIds: readonly string[]): ReactionRow[] {
    return messageIds.length === 0 ? [] : this.reactionsOf.all(JSON.stringify(messageIds));
  }

  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }
}
