import type { EventKind, Message, Role, Room, RoomEvent, RoomKind, RoomRole } from '@veza/shared';
import type { Queryable } from '../../infra/db/db.js';

/*
 * Plain parameterised SQL for rooms, members, messages and the room event log. seq columns are
 * bigint; pg returns them as strings, and they are converted with Number (safe below 2^53).
 */

interface RoomRow {
  id: string;
  kind: RoomKind;
  name: string;
  topic: string | null;
  created_at: Date;
  last_seq: string;
  member_count: string;
  my_role: RoomRole | null;
  last_read_seq: string | null;
  unread_count: string | null;
  peer_id: string | null;
  peer_username: string | null;
}

const toRoom = (row: RoomRow): Room => ({
  id: row.id,
  kind: row.kind,
  name: row.name,
  topic: row.topic,
  createdAt: row.created_at.toISOString(),
  lastSeq: Number(row.last_seq),
  memberCount: Number(row.member_count),
  myRole: row.my_role,
  lastReadSeq: Number(row.last_read_seq ?? 0),
  unreadCount: Number(row.unread_count ?? 0),
  dmPeer: row.peer_id && row.peer_username ? { id: row.peer_id, username: row.peer_username } : null,
});

/** Room columns as seen by `$1` (the caller): role, read marker, unread count, DM peer. */
const ROOM_SELECT = `
  SELECT r.id, r.kind, r.name, r.topic, r.created_at, r.last_seq,
         r.member_count,
         me.role AS my_role, me.last_read_seq,
         CASE WHEN me.user_id IS NULL THEN 0 ELSE
           (SELECT count(*) FROM messages m
             WHERE m.room_id = r.id AND m.seq > me.last_read_seq AND m.author_id <> me.user_id AND m.deleted_at IS NULL)
         END AS unread_count,
         peer.id AS peer_id, peer.username AS peer_username
  FROM rooms r
  LEFT JOIN room_members me ON me.room_id = r.id AND me.user_id = $1
  LEFT JOIN LATERAL (
    SELECT u.id, u.username FROM room_members o JOIN users u ON u.id = o.user_id
    WHERE r.kind = 'dm' AND o.room_id = r.id AND o.user_id <> $1 LIMIT 1
  ) peer ON true`;

export async function insertRoom(
  db: Queryable,
  room: {
    id: string;
    kind: RoomKind;
    name: string;
    topic: string | null;
    createdBy: string;
    now: Date;
    dmKey: string | null;
  },
): Promise<void> {
  await db.query(
    `INSERT INTO rooms (id, kind, name, topic, created_by, created_at, dm_key) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [room.id, room.kind, room.name, room.topic, room.createdBy, room.now, room.dmKey],
  );
}

export async function findRoomForUser(db: Queryable, userId: string, roomId: string): Promise<Room | undefined> {
  const { rows } = await db.query<RoomRow>(`${ROOM_SELECT} WHERE r.id = $2`, [userId, roomId]);
  return rows[0] ? toRoom(rows[0]) : undefined;
}

export async function findDmRoomId(db: Queryable, dmKey: string): Promise<string | undefined> {
  const { rows } = await db.query<{ id: string }>('SELECT id FROM rooms WHERE dm_key = $1', [dmKey]);
  return rows[0]?.id;
}

export async function listRoomsOfUser(db: Queryable, userId: string): Promise<Room[]> {
  const { rows } = await db.query<RoomRow>(`${ROOM_SELECT} WHERE me.user_id IS NOT NULL ORDER BY r.created_at, r.id`, [
    userId,
  ]);
  return rows.map(toRoom);
}

export async function listPublicRooms(db: Queryable, userId: string, limit: number, offset: number): Promise<Room[]> {
  const { rows } = await db.query<RoomRow>(
    `${ROOM_SELECT} WHERE r.kind = 'public' ORDER BY r.created_at DESC, r.id LIMIT $2 OFFSET $3`,
    [userId, limit, offset],
  );
  return rows.map(toRoom);
}

export interface RoomState {
  kind: RoomKind;
  lastSeq: number;
}

/**
 * Locks the room row for the rest of the transaction. Every writer of a room's log takes this
 * lock first, so events are appended one at a time in seq order.
 */
export async function lockRoom(db: Queryable, roomId: string): Promise<RoomState | undefined> {
  const { rows } = await db.query<{ kind: RoomKind; last_seq: string }>(
    'SELECT kind, last_seq FROM rooms WHERE id = $1 FOR UPDATE',
    [roomId],
  );
  return rows[0] ? { kind: rows[0].kind, lastSeq: Number(rows[0].last_seq) } : undefined;
}

/** Appends one event; the caller holds the room lock. */
export async function appendEvent<K extends EventKind>(
  db: Queryable,
  event: { roomId: string; kind: K; actorId: string; at: Date; data: Extract<RoomEvent, { kind: K }>['data'] },
): Promise<Extract<RoomEvent, { kind: K }>> {
  const { rows } = await db.query<{ last_seq: string }>(
    'UPDATE rooms SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq',
    [event.roomId],
  );
  const seq = Number(rows[0]!.last_seq);
  await db.query(
    'INSERT INTO room_events (room_id, seq, kind, actor_id, at, payload) VALUES ($1, $2, $3, $4, $5, $6)',
    [event.roomId, seq, event.kind, event.actorId, event.at, JSON.stringify(event.data)],
  );
  return {
    type: 'event',
    roomId: event.roomId,
    seq,
    kind: event.kind,
    actorId: event.actorId,
    at: event.at.toISOString(),
    data: event.data,
  } as Extract<RoomEvent, { kind: K }>;
}

interface EventRow {
  room_id: string;
  seq: string;
  kind: EventKind;
  actor_id: string;
  at: Date;
  payload: unknown;
}

const toEvent = (row: EventRow): RoomEvent =>
  ({
    type: 'event',
    roomId: row.room_id,
    seq: Number(row.seq),
    kind: row.kind,
    actorId: row.actor_id,
    at: row.at.toISOString(),
    data: row.payload,
  }) as RoomEvent;

/** Events with after < seq ≤ until, in seq order. */
export async function readEvents(
  db: Queryable,
  roomId: string,
  after: number,
  limit: number,
  until = Number.MAX_SAFE_INTEGER,
): Promise<RoomEvent[]> {
  const { rows } = await db.query<EventRow>(
    `SELECT room_id, seq, kind, actor_id, at, payload FROM room_events
     WHERE room_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT $4`,
    [roomId, after, until, limit],
  );
  return rows.map(toEvent);
}

// ── members ────────────────────────────────────────────────────────────────────

export async function findMemberRole(db: Queryable, roomId: string, userId: string): Promise<RoomRole | undefined> {
  const { rows } = await db.query<{ role: RoomRole }>(
    'SELECT role FROM room_members WHERE room_id = $1 AND user_id = $2',
    [roomId, userId],
  );
  return rows[0]?.role;
}

export async function insertMember(
  db: Queryable,
  member: { roomId: string; userId: string; role: RoomRole; now: Date; lastReadSeq: number },
): Promise<boolean> {
  const result = await db.query(
    `INSERT INTO room_members (room_id, user_id, role, joined_at, last_read_seq) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT DO NOTHING`,
    [member.roomId, member.userId, member.role, member.now, member.lastReadSeq],
  );
  const added = (result.rowCount ?? 0) > 0;
  if (added) await db.query('UPDATE rooms SET member_count = member_count + 1 WHERE id = $1', [member.roomId]);
  return added;
}

export async function deleteMember(db: Queryable, roomId: string, userId: string): Promise<boolean> {
  const result = await db.query('DELETE FROM room_members WHERE room_id = $1 AND user_id = $2', [roomId, userId]);
  const removed = (result.rowCount ?? 0) > 0;
  if (removed) await db.query('UPDATE rooms SET member_count = member_count - 1 WHERE id = $1', [roomId]);
  return removed;
}

export async function countOwners(db: Queryable, roomId: string): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    "SELECT count(*) AS n FROM room_members WHERE room_id = $1 AND role = 'owner'",
    [roomId],
  );
  return Number(rows[0]?.n ?? 0);
}

export async function countMembers(db: Queryable, roomId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT member_count AS n FROM rooms WHERE id = $1', [roomId]);
  return rows[0]?.n ?? 0;
}

/** Moves the read marker forward only, and never past the room's log. */
export async function advanceReadMarker(
  db: Queryable,
  roomId: string,
  userId: string,
  seq: number,
): Promise<number | undefined> {
  // Only a marker that moves forward is written: a repeated or stale read costs a lookup, not a
  // row version (and its WAL, and its vacuum).
  const { rows } = await db.query<{ last_read_seq: string }>(
    `WITH target AS (
       SELECT m.last_read_seq AS current, LEAST($3::bigint, r.last_seq) AS wanted
       FROM room_members m JOIN rooms r ON r.id = m.room_id
       WHERE m.room_id = $1 AND m.user_id = $2
     ), moved AS (
       UPDATE room_members m SET last_read_seq = target.wanted FROM target
       WHERE m.room_id = $1 AND m.user_id = $2 AND m.last_read_seq < target.wanted
       RETURNING m.last_read_seq
     )
     SELECT COALESCE((SELECT last_read_seq FROM moved), current) AS last_read_seq FROM target`,
    [roomId, userId, seq],
  );
  return rows[0] ? Number(rows[0].last_read_seq) : undefined;
}

/** A room's latest seq and the caller's role in it (undefined role: not a member). */
export async function findRoomAccess(
  db: Queryable,
  roomId: string,
  userId: string,
): Promise<{ lastSeq: number; role: RoomRole | undefined } | undefined> {
  const { rows } = await db.query<{ last_seq: string; role: RoomRole | null }>(
    `SELECT r.last_seq, m.role FROM rooms r
     LEFT JOIN room_members m ON m.room_id = r.id AND m.user_id = $2
     WHERE r.id = $1`,
    [roomId, userId],
  );
  const row = rows[0];
  return row ? { lastSeq: Number(row.last_seq), role: row.role ?? undefined } : undefined;
}

export interface Membership {
  lastSeq: number;
  memberCount: number;
}

/** For the WebSocket hello: the user's rooms, their latest seq and size. */
export async function listMemberships(db: Queryable, userId: string): Promise<Map<string, Membership>> {
  const { rows } = await db.query<{ id: string; last_seq: string; member_count: number }>(
    `SELECT r.id, r.last_seq, r.member_count FROM rooms r JOIN room_members m ON m.room_id = r.id
     WHERE m.user_id = $1`,
    [userId],
  );
  return new Map(rows.map((r) => [r.id, { lastSeq: Number(r.last_seq), memberCount: r.member_count }]));
}

// ── messages ───────────────────────────────────────────────────────────────────

interface MessageRow {
  id: string;
  room_id: string;
  seq: string;
  author_id: string;
  author_username: string;
  client_id: string;
  body: string;
  reply_to: string | null;
  mentions: string[];
  created_at: Date;
  edited_at: Date | null;
  deleted_at: Date | null;
  reactions: { emoji: string; userIds: string[] }[] | null;
}

const MESSAGE_COLUMNS = `
  m.id, m.room_id, m.seq, m.author_id, u.username AS author_username, m.client_id,
  CASE WHEN m.deleted_at IS NULL THEN m.body ELSE '' END AS body,
  m.reply_to, m.mentions, m.created_at, m.edited_at, m.deleted_at,
  (SELECT json_agg(json_build_object('emoji', g.emoji, 'userIds', g.user_ids) ORDER BY g.first_at)
     FROM (SELECT emoji, array_agg(user_id ORDER BY created_at) AS user_ids, min(created_at) AS first_at
           FROM reactions WHERE message_id = m.id GROUP BY emoji) g) AS reactions`;

const MESSAGE_SELECT = `SELECT ${MESSAGE_COLUMNS} FROM messages m JOIN users u ON u.id = m.author_id`;

export const toMessage = (row: MessageRow): Message => ({
  id: row.id,
  roomId: row.room_id,
  seq: Number(row.seq),
  authorId: row.author_id,
  authorUsername: row.author_username,
  clientId: row.client_id,
  body: row.body,
  replyTo: row.reply_to,
  mentions: row.mentions,
  createdAt: row.created_at.toISOString(),
  editedAt: row.edited_at?.toISOString() ?? null,
  deletedAt: row.deleted_at?.toISOString() ?? null,
  reactions: row.reactions ?? [],
});

export async function findMessage(db: Queryable, messageId: string): Promise<Message | undefined> {
  const { rows } = await db.query<MessageRow>(`${MESSAGE_SELECT} WHERE m.id = $1`, [messageId]);
  return rows[0] ? toMessage(rows[0]) : undefined;
}

export async function findMessageByClientId(
  db: Queryable,
  roomId: string,
  authorId: string,
  clientId: string,
): Promise<{ id: string; seq: number } | undefined> {
  const { rows } = await db.query<{ id: string; seq: string }>(
    'SELECT id, seq FROM messages WHERE room_id = $1 AND author_id = $2 AND client_id = $3',
    [roomId, authorId, clientId],
  );
  return rows[0] ? { id: rows[0].id, seq: Number(rows[0].seq) } : undefined;
}

export async function insertMessage(
  db: Queryable,
  message: {
    id: string;
    roomId: string;
    authorId: string;
    clientId: string;
    seq: number;
    body: string;
    replyTo: string | null;
    mentions: string[];
    now: Date;
  },
): Promise<void> {
  await db.query(
    `INSERT INTO messages (id, room_id, author_id, client_id, seq, body, reply_to, mentions, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      message.id,
      message.roomId,
      message.authorId,
      message.clientId,
      message.seq,
      message.body,
      message.replyTo,
      message.mentions,
      message.now,
    ],
  );
}

export async function updateMessageBody(
  db: Queryable,
  messageId: string,
  body: string,
  mentions: string[],
  now: Date,
): Promise<void> {
  await db.query('UPDATE messages SET body = $2, mentions = $3, edited_at = $4 WHERE id = $1', [
    messageId,
    body,
    mentions,
    now,
  ]);
}

export async function markMessageDeleted(db: Queryable, messageId: string, now: Date): Promise<void> {
  // The body goes; the row stays as a tombstone so replies and the log still make sense.
  await db.query("UPDATE messages SET deleted_at = $2, body = '', mentions = '{}' WHERE id = $1", [messageId, now]);
  await db.query('DELETE FROM reactions WHERE message_id = $1', [messageId]);
  // The log is append-only in its order, not in its content: a deleted message's text must not
  // come back to a client that replays from an old cursor.
  await db.query(
    `UPDATE room_events e SET payload = jsonb_set(jsonb_set(e.payload, '{message,body}', '""'), '{message,mentions}', '[]')
     FROM messages m
     WHERE m.id = $1 AND e.room_id = m.room_id AND e.seq = m.seq AND e.kind = 'message.created'`,
    [messageId],
  );
  await db.query(
    `UPDATE room_events SET payload = jsonb_set(jsonb_set(payload, '{body}', '""'), '{mentions}', '[]')
     WHERE kind = 'message.edited' AND room_id = (SELECT room_id FROM messages WHERE id = $1)
       AND payload ->> 'messageId' = $1::text`,
    [messageId],
  );
}

export async function insertReaction(
  db: Queryable,
  reaction: { messageId: string; userId: string; emoji: string; now: Date },
): Promise<boolean> {
  const result = await db.query(
    `INSERT INTO reactions (message_id, user_id, emoji, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
    [reaction.messageId, reaction.userId, reaction.emoji, reaction.now],
  );
  return (result.rowCount ?? 0) > 0;
}

export async function deleteReaction(
  db: Queryable,
  messageId: string,
  userId: string,
  emoji: string,
): Promise<boolean> {
  const result = await db.query('DELETE FROM reactions WHERE message_id = $1 AND user_id = $2 AND emoji = $3', [
    messageId,
    userId,
    emoji,
  ]);
  return (result.rowCount ?? 0) > 0;
}

/** Scrollback: messages before `before` (a seq), newest first, tombstones included. */
export async function listMessagesBefore(
  db: Queryable,
  roomId: string,
  before: number,
  limit: number,
): Promise<Message[]> {
  const { rows } = await db.query<MessageRow>(
    `${MESSAGE_SELECT} WHERE m.room_id = $1 AND m.seq < $2 ORDER BY m.seq DESC LIMIT $3`,
    [roomId, before, limit],
  );
  return rows.map(toMessage);
}

/** Full-text search over live messages in rooms the user belongs to now. */
export async function searchMessages(
  db: Queryable,
  userId: string,
  query: string,
  limit: number,
): Promise<{ message: Message; roomName: string }[]> {
  const { rows } = await db.query<MessageRow & { room_name: string }>(
    `SELECT ${MESSAGE_COLUMNS}, r.name AS room_name
     FROM messages m JOIN users u ON u.id = m.author_id JOIN rooms r ON r.id = m.room_id
     JOIN room_members me ON me.room_id = m.room_id AND me.user_id = $1
     WHERE m.deleted_at IS NULL AND m.search @@ websearch_to_tsquery('simple', $2)
     ORDER BY ts_rank(m.search, websearch_to_tsquery('simple', $2)) DESC, m.created_at DESC
     LIMIT $3`,
    [userId, query, limit],
  );
  return rows.map((row) => ({ message: toMessage(row), roomName: row.room_name }));
}

/** Resolves `@username` mentions to user ids (unknown names are ignored). */
export async function resolveUsernames(db: Queryable, usernames: string[]): Promise<string[]> {
  if (usernames.length === 0) return [];
  const { rows } = await db.query<{ id: string }>(
    'SELECT id FROM users WHERE lower(username) = ANY($1::text[]) ORDER BY id',
    [usernames.map((u) => u.toLowerCase())],
  );
  return rows.map((r) => r.id);
}

export async function findUsername(db: Queryable, userId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ username: string }>('SELECT username FROM users WHERE id = $1', [userId]);
  return rows[0]?.username;
}

/** The user's global role as committed now (undefined: no such user). */
export async function findUserRole(db: Queryable, userId: string): Promise<Role | undefined> {
  const { rows } = await db.query<{ role: Role }>('SELECT role FROM users WHERE id = $1', [userId]);
  return rows[0]?.role;
}

/** Messages after `after` (a seq), oldest first, tombstones included. */
export async function listMessagesAfter(
  db: Queryable,
  roomId: string,
  after: number,
  limit: number,
): Promise<Message[]> {
  const { rows } = await db.query<MessageRow>(
    `${MESSAGE_SELECT} WHERE m.room_id = $1 AND m.seq > $2 ORDER BY m.seq LIMIT $3`,
    [roomId, after, limit],
  );
  return rows.map(toMessage);
}

/** An author's latest messages in every room, newest first. */
export async function listMessagesOfAuthor(db: Queryable, authorId: string, limit: number): Promise<Message[]> {
  const { rows } = await db.query<MessageRow>(
    `${MESSAGE_SELECT} WHERE m.author_id = $1 ORDER BY m.created_at DESC, m.id DESC LIMIT $2`,
    [authorId, limit],
  );
  return rows.map(toMessage);
}

export async function findRoomSummary(
  db: Queryable,
  roomId: string,
): Promise<{ id: string; name: string; kind: 'public' | 'private' | 'dm' } | undefined> {
  const { rows } = await db.query<{ id: string; name: string; kind: 'public' | 'private' | 'dm' }>(
    'SELECT id, name, kind FROM rooms WHERE id = $1',
    [roomId],
  );
  return rows[0];
}

export async function listRoomsWithLiveMessagesOf(db: Queryable, authorId: string): Promise<string[]> {
  const { rows } = await db.query<{ room_id: string }>(
    'SELECT DISTINCT room_id FROM messages WHERE author_id = $1 AND deleted_at IS NULL',
    [authorId],
  );
  return rows.map((r) => r.room_id);
}

export async function listLiveMessageIdsOf(db: Queryable, roomId: string, authorId: string): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    'SELECT id FROM messages WHERE room_id = $1 AND author_id = $2 AND deleted_at IS NULL ORDER BY seq',
    [roomId, authorId],
  );
  return rows.map((r) => r.id);
}
