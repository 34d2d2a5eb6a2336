import type { Role, User } from '@veza/shared';
import type { Queryable } from '../../infra/db/db.js';

export interface UserRecord {
  id: string;
  email: string;
  username: string;
  role: Role;
  createdAt: Date;
}

interface UserRow {
  id: string;
  email: string;
  username: string;
  role: Role;
  created_at: Date;
}

const COLUMNS = 'id, email, username, role, created_at';

export const toUserRecord = (row: UserRow): UserRecord => ({
  id: row.id,
  email: row.email,
  username: row.username,
  role: row.role,
  createdAt: row.created_at,
});

export const toUserDto = (user: UserRecord): User => ({
  id: user.id,
  email: user.email,
  username: user.username,
  role: user.role,
  createdAt: user.createdAt.toISOString(),
});

export class DuplicateUserError extends Error {
  constructor(readonly field: 'email' | 'username') {
    super(`${field} already taken`);
  }
}

export async function insertUser(
  db: Queryable,
  user: { id: string; email: string; username: string; passwordHash: string; role: Role; now: Date },
): Promise<UserRecord> {
  try {
    const { rows } = await db.query<UserRow>(
      `INSERT INTO users (id, email, username, password_hash, role, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING ${COLUMNS}`,
      [user.id, user.email, user.username, user.passwordHash, user.role, user.now],
    );
    return toUserRecord(rows[0]!);
  } catch (error) {
    const pgError = error as { code?: string; constraint?: string };
    if (pgError.code === '23505') {
      throw new DuplicateUserError(pgError.constraint === 'users_email_lower_key' ? 'email' : 'username');
    }
    throw error;
  }
}

/** Finds by email or username, case-insensitively. */
export async function findUserForLogin(
  db: Queryable,
  login: string,
): Promise<(UserRecord & { passwordHash: string; disabled: boolean }) | undefined> {
  const { rows } = await db.query<UserRow & { password_hash: string; disabled: boolean }>(
    `SELECT ${COLUMNS}, password_hash, disabled_at IS NOT NULL AS disabled FROM users
     WHERE lower(email) = lower($1) OR lower(username) = lower($1) LIMIT 1`,
    [login],
  );
  const row = rows[0];
  return row ? { ...toUserRecord(row), passwordHash: row.password_hash, disabled: row.disabled } : undefined;
}

export async function findUserById(db: Queryable, id: string): Promise<UserRecord | undefined> {
  const { rows } = await db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
  return rows[0] ? toUserRecord(rows[0]) : undefined;
}

/** The user, unless the account is disabled. */
export async function findActiveUserById(db: Queryable, id: string): Promise<UserRecord | undefined> {
  const { rows } = await db.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = $1 AND disabled_at IS NULL`, [id]);
  return rows[0] ? toUserRecord(rows[0]) : undefined;
}

/** The user behind an access token, provided its session is still live and the account active. One indexed query. */
export async function findUserInLiveSession(
  db: Queryable,
  userId: string,
  sessionId: string,
): Promise<UserRecord | undefined> {
  const { rows } = await db.query<UserRow>(
    `SELECT u.id, u.email, u.username, u.role, u.created_at
     FROM users u JOIN auth_sessions s ON s.user_id = u.id
     WHERE u.id = $1 AND s.id = $2 AND s.revoked_at IS NULL AND u.disabled_at IS NULL`,
    [userId, sessionId],
  );
  return rows[0] ? toUserRecord(rows[0]) : undefined;
}

export async function updateUserRole(
  db: Queryable,
  id: string,
  role: Role,
  now: Date,
): Promise<UserRecord | undefined> {
  const { rows } = await db.query<UserRow>(
    `UPDATE users SET role = $2, updated_at = $3 WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, role, now],
  );
  return rows[0] ? toUserRecord(rows[0]) : undefined;
}

export async function countUsers(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ count: string }>('SELECT count(*) FROM users');
  return Number(rows[0]?.count ?? 0);
}

/** What an administrator sees of an account. */
export interface AccountRow extends UserRecord {
  disabledAt: Date | null;
}

/** How an administrator names an account: by id, or by email or username (ignoring case). */
export type AccountRef = { id: string } | { email: string } | { username: string };

const toAccountRow = (row: UserRow & { disabled_at: Date | null }): AccountRow => ({
  ...toUserRecord(row),
  disabledAt: row.disabled_at,
});

export async function listAccounts(db: Queryable): Promise<AccountRow[]> {
  const { rows } = await db.query<UserRow & { disabled_at: Date | null }>(
    `SELECT ${COLUMNS}, disabled_at FROM users ORDER BY created_at, lower(username)`,
  );
  return rows.map(toAccountRow);
}

export async function findAccount(db: Queryable, ref: AccountRef): Promise<AccountRow | undefined> {
  const [where, value] =
    'id' in ref
      ? ['id = $1', ref.id]
      : 'email' in ref
        ? ['lower(email) = lower($1)', ref.email.trim()]
        : ['lower(username) = lower($1)', ref.username.trim()];
  const { rows } = await db.query<UserRow & { disabled_at: Date | null }>(
    `SELECT ${COLUMNS}, disabled_at FROM users WHERE ${where}`,
    [value],
  );
  return rows[0] ? toAccountRow(rows[0]) : undefined;
}

export async function updatePasswordHash(db: Queryable, id: string, passwordHash: string, now: Date): Promise<void> {
  await db.query('UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1', [id, passwordHash, now]);
}

/** Disables (with `now`) or re-enables (with null) an account; false when it already was. */
export async function setDisabledAt(db: Queryable, id: string, disabledAt: Date | null, now: Date): Promise<boolean> {
  const result = await db.query(
    `UPDATE users SET disabled_at = $2, updated_at = $3
     WHERE id = $1 AND (disabled_at IS NULL) = ($2::timestamptz IS NOT NULL)`,
    [id, disabledAt, now],
  );
  return (result.rowCount ?? 0) > 0;
}

/** The current role of each of these users (those that still exist), and whether the account is disabled. */
export async function findRoles(
  db: Queryable,
  ids: readonly string[],
): Promise<{ id: string; role: Role; disabled: boolean }[]> {
  const { rows } = await db.query<{ id: string; role: Role; disabled: boolean }>(
    'SELECT id, role, disabled_at IS NOT NULL AS disabled FROM users WHERE id = ANY($1::uuid[])',
    [ids],
  );
  return rows;
}

/** Where an account and one of its credentials stand now. */
export type Standing = { kind: 'active'; role: Role } | { kind: 'disabled' } | { kind: 'credential-ended' };

/**
 * Reads an account's role and status with the credential it connected with (a session or an
 * API key) in one statement, for a connection that must not miss a change made while it was
 * being authenticated.
 */
export async function findStanding(
  db: Queryable,
  userId: string,
  credential: { sessionId: string | null; apiKeyId: string | null },
): Promise<Standing> {
  const { rows } = await db.query<{ role: Role; disabled: boolean; credential_live: boolean }>(
    `SELECT u.role, u.disabled_at IS NOT NULL AS disabled,
            CASE WHEN $2::uuid IS NOT NULL THEN EXISTS (
                   SELECT 1 FROM auth_sessions s WHERE s.id = $2 AND s.user_id = u.id AND s.revoked_at IS NULL)
                 WHEN $3::uuid IS NOT NULL THEN EXISTS (
                   SELECT 1 FROM api_keys k WHERE k.id = $3 AND k.user_id = u.id AND k.revoked_at IS NULL)
                 ELSE true END AS credential_live
     FROM users u WHERE u.id = $1`,
    [userId, credential.sessionId, credential.apiKeyId],
  );
  const row = rows[0];
  if (!row || !row.credential_live) return { kind: 'credential-ended' };
  if (row.disabled) return { kind: 'disabled' };
  return { kind: 'active', role: row.role };
}
