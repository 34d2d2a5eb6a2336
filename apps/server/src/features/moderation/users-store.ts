import type { ModeratedUser, Role, UserNote } from '@veza/shared';
import type { Queryable } from '../../infra/db/db.js';

/** A permanent ban shown as a date: the contract's `bannedUntil` has no "forever". */
export const PERMANENT = new Date('9999-12-31T23:59:59.000Z');

interface ModeratedRow {
  id: string;
  username: string;
  role: Role;
  created_at: Date;
  banned_until: Date | null;
  muted_until: Date | null;
}

// $N is the clock's now; a permanent ban reads as PERMANENT.
const moderatedColumns = (now: string) => `
  u.id, u.username, u.role, u.created_at,
  (SELECT CASE WHEN bool_or(b.until IS NULL) THEN '${PERMANENT.toISOString()}'::timestamptz ELSE max(b.until) END
     FROM bans b WHERE b.user_id = u.id AND b.lifted_at IS NULL AND (b.until IS NULL OR b.until > ${now})) AS banned_until,
  (SELECT max(m.until) FROM mutes m
     WHERE m.user_id = u.id AND m.room_id IS NULL AND m.lifted_at IS NULL AND m.until > ${now}) AS muted_until`;

export const toModeratedUser = (row: ModeratedRow): ModeratedUser => ({
  id: row.id,
  username: row.username,
  role: row.role,
  createdAt: row.created_at.toISOString(),
  bannedUntil: row.banned_until?.toISOString() ?? null,
  mutedUntil: row.muted_until?.toISOString() ?? null,
});

export async function findModeratedUser(db: Queryable, userId: string, now: Date): Promise<ModeratedUser | undefined> {
  const { rows } = await db.query<ModeratedRow>(`SELECT ${moderatedColumns('$2')} FROM users u WHERE u.id = $1`, [
    userId,
    now,
  ]);
  return rows[0] ? toModeratedUser(rows[0]) : undefined;
}

/** Username prefix search, case-insensitive; LIKE's wildcards in the input are matched literally. */
export async function searchModeratedUsers(
  db: Queryable,
  prefix: string,
  limit: number,
  now: Date,
): Promise<ModeratedUser[]> {
  const escaped = prefix.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);
  const { rows } = await db.query<ModeratedRow>(
    `SELECT ${moderatedColumns('$3')} FROM users u WHERE lower(u.username) LIKE $1 || '%' ESCAPE '\\'
     ORDER BY lower(u.username) LIMIT $2`,
    [escaped, limit, now],
  );
  return rows.map(toModeratedUser);
}

export async function insertNote(
  db: Queryable,
  note: { id: string; userId: string; author: { id: string; username: string }; body: string; now: Date },
): Promise<UserNote> {
  await db.query(
    'INSERT INTO user_notes (id, user_id, author_id, author_name, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
    [note.id, note.userId, note.author.id, note.author.username, note.body, note.now],
  );
  return { id: note.id, body: note.body, author: note.author, createdAt: note.now.toISOString() };
}

export async function listNotes(db: Queryable, userId: string): Promise<UserNote[]> {
  const { rows } = await db.query<{
    id: string;
    body: string;
    author_id: string | null;
    author_name: string;
    created_at: Date;
  }>('SELECT id, body, author_id, author_name, created_at FROM user_notes WHERE user_id = $1 ORDER BY created_at', [
    userId,
  ]);
  return rows.map((r) => ({
    id: r.id,
    body: r.body,
    // A deleted author keeps their name; the id of nobody is the nil UUID.
    author: { id: r.author_id ?? '00000000-0000-0000-0000-000000000000', username: r.author_name },
    createdAt: r.created_at.toISOString(),
  }));
}

export async function listLiveSessions(
  db: Queryable,
  userId: string,
): Promise<{ id: string; createdAt: string; lastUsedAt: string | null }[]> {
  const { rows } = await db.query<{ id: string; created_at: Date; last_used_at: Date | null }>(
    `SELECT id, created_at, last_used_at FROM auth_sessions WHERE user_id = $1 AND revoked_at IS NULL
     ORDER BY last_used_at DESC LIMIT 50`,
    [userId],
  );
  return rows.map((r) => ({
    id: r.id,
    createdAt: r.created_at.toISOString(),
    lastUsedAt: r.last_used_at?.toISOString() ?? null,
  }));
}

export async function countReportsAgainst(db: Queryable, userId: string): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    `SELECT coalesce(sum(r.report_count), 0) AS n FROM reports r
     WHERE r.source = 'user' AND (
       (r.target_type = 'user' AND r.target_id = $1)
       OR (r.target_type = 'message' AND EXISTS (SELECT 1 FROM messages m WHERE m.id = r.target_id AND m.author_id = $1))
       OR (r.target_type = 'track' AND EXISTS (SELECT 1 FROM tracks t WHERE t.id = r.target_id AND t.owner_id = $1)))`,
    [userId],
  );
  return Number(rows[0]!.n);
}

export async function findUserBrief(
  db: Queryable,
  userId: string,
): Promise<{ id: string; username: string; role: Role; createdAt: Date } | undefined> {
  const { rows } = await db.query<{ id: string; username: string; role: Role; created_at: Date }>(
    'SELECT id, username, role, created_at FROM users WHERE id = $1',
    [userId],
  );
  const row = rows[0];
  return row ? { id: row.id, username: row.username, role: row.role, createdAt: row.created_at } : undefined;
}
