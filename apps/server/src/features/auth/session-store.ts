import type { Queryable } from '../../infra/db/db.js';

export type RevokeReason = 'logout' | 'reuse' | 'admin';

export async function insertSession(db: Queryable, session: { id: string; userId: string; now: Date }): Promise<void> {
  await db.query('INSERT INTO auth_sessions (id, user_id, created_at, last_used_at) VALUES ($1, $2, $3, $3)', [
    session.id,
    session.userId,
    session.now,
  ]);
}

export async function touchSession(db: Queryable, id: string, now: Date): Promise<void> {
  await db.query('UPDATE auth_sessions SET last_used_at = $2 WHERE id = $1', [id, now]);
}

/** Revoking the session revokes every refresh token of its family, and its access tokens. */
export async function revokeSession(db: Queryable, id: string, reason: RevokeReason, now: Date): Promise<boolean> {
  const result = await db.query(
    'UPDATE auth_sessions SET revoked_at = $2, revoked_reason = $3 WHERE id = $1 AND revoked_at IS NULL',
    [id, now, reason],
  );
  return (result.rowCount ?? 0) > 0;
}

/** Returns the sessions it ended, so their open connections can be told. */
export async function revokeAllSessionsOfUser(
  db: Queryable,
  userId: string,
  reason: RevokeReason,
  now: Date,
): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    'UPDATE auth_sessions SET revoked_at = $2, revoked_reason = $3 WHERE user_id = $1 AND revoked_at IS NULL RETURNING id',
    [userId, now, reason],
  );
  return rows.map((row) => row.id);
}

/** Those of these sessions that have ended (revoked, or gone with their user). */
export async function findEndedSessions(db: Queryable, ids: readonly string[]): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM unnest($1::uuid[]) AS asked (id)
     WHERE NOT EXISTS (SELECT 1 FROM auth_sessions s WHERE s.id = asked.id AND s.revoked_at IS NULL)`,
    [ids],
  );
  return rows.map((row) => row.id);
}

export interface RefreshTokenRow {
  id: string;
  session_id: string;
  user_id: string;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
  session_revoked_at: Date | null;
  /** Whether a token issued from this one has itself been used already. */
  successor_used: boolean;
}

export async function insertRefreshToken(
  db: Queryable,
  token: { id: string; sessionId: string; hash: Buffer; parentId: string | null; now: Date; expiresAt: Date },
): Promise<void> {
  await db.query(
    `INSERT INTO refresh_tokens (id, session_id, token_hash, parent_id, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [token.id, token.sessionId, token.hash, token.parentId, token.now, token.expiresAt],
  );
}

/** Locks the token row so two refreshes with the same token are decided one after the other. */
export async function lockRefreshToken(db: Queryable, hash: Buffer): Promise<RefreshTokenRow | undefined> {
  const { rows } = await db.query<RefreshTokenRow>(
    `SELECT t.id, t.session_id, s.user_id, t.created_at, t.expires_at, t.used_at,
            s.revoked_at AS session_revoked_at,
            EXISTS (SELECT 1 FROM refresh_tokens c WHERE c.parent_id = t.id AND c.used_at IS NOT NULL) AS successor_used
     FROM refresh_tokens t JOIN auth_sessions s ON s.id = t.session_id
     WHERE t.token_hash = $1
     FOR UPDATE OF t`,
    [hash],
  );
  return rows[0];
}

export async function markRefreshTokenUsed(db: Queryable, id: string, now: Date): Promise<void> {
  await db.query('UPDATE refresh_tokens SET used_at = $2 WHERE id = $1 AND used_at IS NULL', [id, now]);
}
