import type { Room } from '@veza/shared';
import type { Statement } from 'better-sqlite3';
import type { RoomSummary } from '../../../common/contract.js';
import type { CacheDb } from '../../cache/database.js';
import type { RoomRow } from './rows.js';

type SummaryRow = RoomRow & { unread_local: number; mention_count: number; last_message_at: string | null };

/**
 * The rooms this account belongs to: what the server said about them (name, role, read marker)
 * and where the local log stands (cursor, history floor). Details come from REST; the cursor
 * moves only when events are applied or a reset says so.
 */
export class RoomStore {
  private readonly insertNew: Statement;
  private readonly updateDetails: Statement;
  private readonly insertPlaceholder: Statement<[string, number, number, number]>;
  private readonly selectOne: Statement<[string], RoomRow>;
  private readonly selectCursors: Statement<[], { id: string; cursor: number }>;
  private readonly updateCursor: Statement<[number, number, string]>;
  private readonly summaries: Statement<{ me: string }, SummaryRow>;
  private readonly summary: Statement<{ me: string; id: string }, SummaryRow>;

  constructor(
    private readonly db: CacheDb,
    private readonly meId: string,
  ) {
    const columns = `kind, name, topic, created_at, my_role, member_count, last_read_seq, unread_hint,
      unread_hint_read_seq, dm_peer_id, dm_peer_username`;
    const values = `@kind, @name, @topic, @createdAt, @myRole, @memberCount, @lastReadSeq, @unreadCount,
      @lastReadSeq, @dmPeerId, @dmPeerUsername`;
    // A room first seen over REST starts "reset" at its lastSeq with nothing cached below it.
    this.insertNew = db.prepare(
      `INSERT INTO rooms (id, ${columns}, last_seq, cursor, history_floor, details_known)
       VALUES (@id, ${values}, @lastSeq, @lastSeq, @lastSeq + 1, 1)`,
    );
    // The server's read marker may lag ours (a read marker still in the outbox): never move back.
    this.updateDetails = db.prepare(
      `UPDATE rooms SET kind = @kind, name = @name, topic = @topic, created_at = @createdAt, my_role = @myRole,
         member_count = @memberCount, last_seq = max(last_seq, @lastSeq),
         last_read_seq = max(last_read_seq, @lastReadSeq), unread_hint = @unreadCount,
         unread_hint_read_seq = @lastReadSeq, dm_peer_id = @dmPeerId, dm_peer_username = @dmPeerUsername,
         details_known = 1
       WHERE id = @id`,
    );
    this.insertPlaceholder = db.prepare(
      `INSERT OR IGNORE INTO rooms (id, kind, cursor, last_seq, history_floor, details_known)
       VALUES (?, 'private', ?, ?, ?, 0)`,
    );
    this.selectOne = db.prepare('SELECT * FROM rooms WHERE id = ?');
    this.selectCursors = db.prepare('SELECT id, cursor FROM rooms');
    this.updateCursor = db.prepare('UPDATE rooms SET cursor = ?, last_seq = max(last_seq, ?) WHERE id = ?');
    const summarySelect = `
      SELECT r.*,
        (SELECT count(*) FROM messages m WHERE m.room_id = r.id AND m.seq > r.last_read_seq
           AND m.author_id <> @me AND m.deleted_at IS NULL) AS unread_local,
        (SELECT count(*) FROM messages m WHERE m.room_id = r.id AND m.seq > r.last_read_seq
           AND m.author_id <> @me AND m.deleted_at IS NULL AND m.mentions_me = 1) AS mention_count,
        (SELECT m.created_at FROM messages m WHERE m.room_id = r.id ORDER BY m.seq DESC LIMIT 1) AS last_message_at
      FROM rooms r`;
    this.summaries = db.prepare(`${summarySelect} WHERE r.details_known = 1`);
    this.summary = db.prepare(`${summarySelect} WHERE r.id = @id`);
  }

  /** Stores what the server said about a room; true when the room was not cached before. */
  upsertFromServer(room: Room): boolean {
    const params = {
      id: room.id,
      kind: room.kind,
      name: room.name,
      topic: room.topic,
      createdAt: room.createdAt,
      myRole: room.myRole,
      memberCount: room.memberCount,
      lastSeq: room.lastSeq,
      lastReadSeq: room.lastReadSeq,
      unreadCount: room.unreadCount,
      dmPeerId: room.dmPeer?.id ?? null,
      dmPeerUsername: room.dmPeer?.username ?? null,
    };
    if (this.updateDetails.run(params).changes > 0) return false;
    this.insertNew.run(params);
    return true;
  }

  /** A room the socket talks about before REST described it (joined from another device). */
  ensurePlaceholder(roomId: string, cursor: number): boolean {
    return this.insertPlaceholder.run(roomId, cursor, cursor, cursor + 1).changes > 0;
  }

  get(roomId: string): RoomRow | undefined {
    return this.selectOne.get(roomId);
  }

  cursors(): Map<string, number> {
    return new Map(this.selectCursors.all().map((row) => [row.id, row.cursor]));
  }

  setCursor(roomId: string, cursor: number): void {
    this.updateCursor.run(cursor, cursor, roomId);
  }

  /** The cursor cannot be replayed: forget the room's messages and continue from `latestSeq`. */
  resetTo(roomId: string, latestSeq: number): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM messages WHERE room_id = ?').run(roomId);
      this.db
        .prepare('UPDATE rooms SET cursor = ?, last_seq = max(last_seq, ?), history_floor = ? WHERE id = ?')
        .run(latestSeq, latestSeq, latestSeq + 1, roomId);
    })();
  }

  /** Messages from `floor` up are now all cached (REST history pages lower it). */
  lowerHistoryFloor(roomId: string, floor: number): void {
    this.db.prepare('UPDATE rooms SET history_floor = min(history_floor, ?) WHERE id = ?').run(floor, roomId);
  }

  markRead(roomId: string, seq: number): void {
    this.db.prepare('UPDATE rooms SET last_read_seq = max(last_read_seq, ?) WHERE id = ?').run(seq, roomId);
  }

  adjustMembers(roomId: string, delta: number, myRole?: string): void {
    this.db
      .prepare('UPDATE rooms SET member_count = max(0, member_count + ?), my_role = coalesce(?, my_role) WHERE id = ?')
      .run(delta, myRole ?? null, roomId);
  }

  /** Left or removed: the room, its messages and reactions (cascade) and its outbox go. */
  remove(roomId: string): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM chat_outbox WHERE room_id = ?').run(roomId);
      this.db.prepare('DELETE FROM rooms WHERE id = ?').run(roomId);
    })();
  }

  ids(): string[] {
    return [...this.cursors().keys()];
  }

  listSummaries(): RoomSummary[] {
    return this.summaries
      .all({ me: this.meId })
      .map(toSummary)
      .sort((a, b) => (b.lastMessageAt ?? '').localeCompare(a.lastMessageAt ?? '') || a.name.localeCompare(b.name));
  }

  getSummary(roomId: string): RoomSummary | null {
    const row = this.summary.get({ me: this.meId, id: roomId });
    return row ? toSummary(row) : null;
  }
}

/** What the sidebar shows for a room; a DM is named after the other participant. */
export function roomDisplayName(row: Pick<RoomRow, 'kind' | 'name' | 'dm_peer_username'>): string {
  if (row.kind === 'dm') return row.dm_peer_username ?? (row.name || 'Direct message');
  return row.name;
}

function toSummary(row: SummaryRow): RoomSummary {
  // The server's unread count covers messages older than the cache; it holds while our read
  // marker has not moved since it was read.
  const hint = row.unread_hint_read_seq === row.last_read_seq ? row.unread_hint : 0;
  return {
    id: row.id,
    kind: row.kind,
    name: roomDisplayName(row),
    topic: row.topic,
    myRole: row.my_role,
    memberCount: row.member_count,
    lastSeq: Math.max(row.last_seq, row.cursor),
    lastReadSeq: row.last_read_seq,
    unreadCount: Math.max(row.unread_local, hint),
    mentionCount: row.mention_count,
    dmPeer: row.dm_peer_id && row.dm_peer_username ? { id: row.dm_peer_id, username: row.dm_peer_username } : null,
    lastMessageAt: row.last_message_at,
  };
}
