import type { Statement } from 'better-sqlite3';
import type { CacheDb } from '../../cache/database.js';
import { toFtsQuery } from './fts-query.js';
import type { MessageRow, RoomRow } from './rows.js';

/** Marks around matched words in snippets: private-use characters, never HTML. */
export const SNIPPET_OPEN = '\uE000';
export const SNIPPET_CLOSE = '\uE001';
/** Tokens of context on each side of the match in a snippet. */
const SNIPPET_TOKENS = 24;

export type SearchRow = MessageRow & Pick<RoomRow, 'kind' | 'name' | 'dm_peer_username'> & { snippet: string };

const SELECT = `
  SELECT m.pk, m.id, m.client_id, m.room_id, m.seq, m.author_id, u.username AS author_username, m.body,
    m.reply_to, m.mentions, m.created_at, m.edited_at, m.deleted_at,
    r.kind, r.name, r.dm_peer_username,
    snippet(messages_fts, 0, '${SNIPPET_OPEN}', '${SNIPPET_CLOSE}', '…', ${SNIPPET_TOKENS}) AS snippet
  FROM messages_fts
  JOIN messages m ON m.pk = messages_fts.rowid
  JOIN rooms r ON r.id = m.room_id
  LEFT JOIN users u ON u.id = m.author_id
  WHERE messages_fts MATCH @query`;

/**
 * Full-text search over the cached messages (works offline). Newest first: FTS5 walks its
 * index by rowid backwards and stops at the limit, where ranking would score every match (a
 * common word in a million messages).
 */
export class SearchStore {
  private readonly everywhere: Statement<{ query: string; limit: number }, SearchRow>;
  private readonly inRoom: Statement<{ query: string; limit: number; roomId: string }, SearchRow>;

  constructor(db: CacheDb) {
    this.everywhere = db.prepare(`${SELECT} ORDER BY messages_fts.rowid DESC LIMIT @limit`);
    this.inRoom = db.prepare(`${SELECT} AND m.room_id = @roomId ORDER BY messages_fts.rowid DESC LIMIT @limit`);
  }

  search(input: string, options: { roomId?: string; limit: number }): SearchRow[] {
    const query = toFtsQuery(input);
    if (!query) return [];
    return options.roomId
      ? this.inRoom.all({ query, limit: options.limit, roomId: options.roomId })
      : this.everywhere.all({ query, limit: options.limit });
  }
}
