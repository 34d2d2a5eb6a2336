import type { Statement } from 'better-sqlite3';
import type { CacheDb } from '../../cache/database.js';
import { uuidv7 } from '../uuidv7.js';
import type { OutboxKind, OutboxRow } from './rows.js';

/** What each outbox kind carries: exactly the fields of the frame it becomes. */
export interface OutboxPayloads {
  send: { roomId: string; clientId: string; body: string; replyTo?: string };
  edit: { messageId: string; body: string };
  delete: { messageId: string };
  react: { messageId: string; emoji: string; op: 'add' | 'remove' };
  read: { roomId: string; seq: number };
}

export interface OutboxEntry<K extends OutboxKind = OutboxKind> extends Omit<OutboxRow, 'payload' | 'kind'> {
  kind: K;
  payload: OutboxPayloads[K];
}

/**
 * What the user did that the server has not confirmed: a table, so it survives a crash. Entries
 * leave in insertion order (the autoincrement id). `client_id` is the message's clientId for
 * sends and the frame's `ref` for the others: the key the server's answer comes back with.
 */
export class OutboxStore {
  private readonly insert: Statement;
  private readonly firstPending: Statement<[number], OutboxRow>;
  private readonly byClientId: Statement<[string], OutboxRow>;
  private readonly ofRoom: Statement<[string], OutboxRow>;
  private readonly remove: Statement<[string]>;

  constructor(private readonly db: CacheDb) {
    this.insert = db.prepare(
      `INSERT INTO chat_outbox (kind, room_id, client_id, payload, created_at)
       VALUES (@kind, @roomId, @clientId, @payload, @createdAt)`,
    );
    this.firstPending = db.prepare("SELECT * FROM chat_outbox WHERE state = 'pending' AND id > ? ORDER BY id LIMIT 1");
    this.byClientId = db.prepare('SELECT * FROM chat_outbox WHERE client_id = ?');
    this.ofRoom = db.prepare('SELECT * FROM chat_outbox WHERE room_id = ? ORDER BY id');
    this.remove = db.prepare('DELETE FROM chat_outbox WHERE client_id = ?');
  }

  add<K extends OutboxKind>(
    kind: K,
    roomId: string,
    payload: OutboxPayloads[K],
    clientId: string = uuidv7(),
  ): OutboxEntry<K> {
    const createdAt = new Date().toISOString();
    this.insert.run({ kind, roomId, clientId, payload: JSON.stringify(payload), createdAt });
    return this.get(clientId) as OutboxEntry<K>;
  }

  /** A read marker supersedes the one still waiting for the same room (only the highest matters). */
  addRead(roomId: string, seq: number): void {
    this.db.transaction(() => {
      const waiting = this.db
        .prepare("SELECT * FROM chat_outbox WHERE kind = 'read' AND room_id = ? AND state = 'pending'")
        .get(roomId) as OutboxRow | undefined;
      if (!waiting) {
        this.add('read', roomId, { roomId, seq });
        return;
      }
      const previous = (JSON.parse(waiting.payload) as OutboxPayloads['read']).seq;
      if (seq <= previous) return;
      this.db
        .prepare('UPDATE chat_outbox SET payload = ? WHERE id = ?')
        .run(JSON.stringify({ roomId, seq }), waiting.id);
    })();
  }

  /** The oldest pending entry after `afterId` (0 for the very first). */
  nextPending(afterId = 0): OutboxEntry | undefined {
    const row = this.firstPending.get(afterId);
    return row ? toEntry(row) : undefined;
  }

  get(clientId: string): OutboxEntry | undefined {
    const row = this.byClientId.get(clientId);
    return row ? toEntry(row) : undefined;
  }

  forRoom(roomId: string): OutboxEntry[] {
    return this.ofRoom.all(roomId).map(toEntry);
  }

  delete(clientId: string): boolean {
    return this.remove.run(clientId).changes > 0;
  }

  /** A transient refusal (rate limit, mute) or a lost answer: still pending, one more attempt. */
  recordAttempt(clientId: string, error: string | null): void {
    this.db
      .prepare('UPDATE chat_outbox SET attempts = attempts + 1, last_error = ? WHERE client_id = ?')
      .run(error, clientId);
  }

  markFailed(clientId: string, error: string): void {
    this.db
      .prepare("UPDATE chat_outbox SET state = 'failed', attempts = attempts + 1, last_error = ? WHERE client_id = ?")
      .run(error, clientId);
  }

  /** A rule held the message for review: not resent, not failed; the approval's event removes it. */
  markHeld(clientId: string, reason: string | null): boolean {
    return (
      this.db
        .prepare("UPDATE chat_outbox SET state = 'held', last_error = ? WHERE client_id = ? AND kind = 'send'")
        .run(reason, clientId).changes > 0
    );
  }

  /** Back to pending, keeping its place in the queue (its id). */
  retry(clientId: string): boolean {
    return (
      this.db
        .prepare("UPDATE chat_outbox SET state = 'pending', last_error = NULL WHERE client_id = ? AND state = 'failed'")
        .run(clientId).changes > 0
    );
  }

  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  pendingCount(): number {
    return (this.db.prepare("SELECT count(*) AS n FROM chat_outbox WHERE state = 'pending'").get() as { n: number }).n;
  }
}

function toEntry(row: OutboxRow): OutboxEntry {
  return { ...row, payload: JSON.parse(row.payload) as OutboxPayloads[OutboxKind] };
}
