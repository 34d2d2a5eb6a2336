import type { ApiKey, Permission } from '@veza/shared';
import type { Queryable } from '../../infra/db/db.js';
import { hashOpaqueToken } from '../auth/index.js';

interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  scopes: Permission[];
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const COLUMNS = 'id, name, prefix, scopes, created_at, last_used_at, revoked_at';

const toDto = (row: ApiKeyRow): ApiKey => ({
  id: row.id,
  name: row.name,
  prefix: row.prefix,
  scopes: row.scopes,
  createdAt: row.created_at.toISOString(),
  lastUsedAt: row.last_used_at?.toISOString() ?? null,
  revokedAt: row.revoked_at?.toISOString() ?? null,
});

export async function insertApiKey(
  db: Queryable,
  key: { id: string; userId: string; name: string; secret: string; scopes: Permission[]; now: Date },
): Promise<ApiKey> {
  const { rows } = await db.query<ApiKeyRow>(
    `INSERT INTO api_keys (id, user_id, name, prefix, key_hash, scopes, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
    [key.id, key.userId, key.name, key.secret.slice(0, 10), hashOpaqueToken(key.secret), key.scopes, key.now],
  );
  return toDto(rows[0]!);
}

export async function listApiKeys(db: Queryable, userId: string): Promise<ApiKey[]> {
  const { rows } = await db.query<ApiKeyRow>(
    `SELECT ${COLUMNS} FROM api_keys WHERE user_id = $1 ORDER BY created_at DESC, id`,
    [userId],
  );
  return rows.map(toDto);
}

/** Revokes one of the user's own keys; false when there is no such live key. */
export async function revokeApiKey(db: Queryable, userId: string, id: string, now: Date): Promise<boolean> {
  const result = await db.query(
    'UPDATE api_keys SET revoked_at = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL',
    [id, userId, now],
  );
  return (result.rowCount ?? 0) > 0;
}

/** The ids of the user's keys that are not revoked. */
export async function liveApiKeyIds(db: Queryable, userId: string): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    'SELECT id FROM api_keys WHERE user_id = $1 AND revoked_at IS NULL ORDER BY id',
    [userId],
  );
  return rows.map((row) => row.id);
}
