/** Row shapes of the chat tables, as better-sqlite3 returns them. */

export interface RoomRow {
  id: string;
  kind: 'public' | 'private' | 'dm';
  name: string;
  topic: string | null;
  created_at: string | null;
  my_role: 'owner' | 'moderator' | 'member' | null;
  member_count: number;
  last_seq: number;
  cursor: number;
  last_read_seq: number;
  unread_hint: number;
  unread_hint_read_seq: number;
  dm_peer_id: string | null;
  dm_peer_username: string | null;
  history_floor: number;
  details_known: number;
}

export interface MessageRow {
  pk: number;
  id: string;
  client_id: string;
  room_id: string;
  seq: number;
  author_id: string;
  /** Joined from users; null when the author was never seen. */
  author_username: string | null;
  body: string;
  reply_to: string | null;
  mentions: string;
  created_at: string;
  edited_at: string | null;
  deleted_at: string | null;
}

export type OutboxKind = 'send' | 'edit' | 'delete' | 'react' | 'read';

export interface OutboxRow {
  id: number;
  kind: OutboxKind;
  room_id: string;
  client_id: string;
  payload: string;
  state: 'pending' | 'failed' | 'held';
  attempts: number;
  last_error: string | null;
  created_at: string;
}
