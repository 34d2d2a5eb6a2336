import type { Permission } from '@veza/shared';
import type { Queryable } from '../../infra/db/db.js';
import { hashOpaqueToken } from './opaque-tokens.js';
import { toUserRecord, type UserRecord } from './user-store.js';

/**
 * An API key's secret checked against the api_keys table (which the api-keys feature manages):
 * the key's scopes and its owner, or undefined when it is unknown, revoked or the owner disabled.
 */
export async function authenticateApiKey(
  db: Queryable,
  secret: string,
  now: Date,
): Promise<{ apiKeyId: string; scopes: Permission[]; user: UserRecord } | undefined> {
  // last_used_at is written at most once a minute per key, so a busy key does not turn every
  // request into a write.
  const { rows } = await db.query<{
    key_id: string;
    scopes: Permission[];
    id: string;
    email: string;
    username: string;
    role: UserRecord['role'];
    created_at: Date;
  }>(
    `WITH used AS (
       UPDATE api_keys SET last_used_at = $2::timestamptz
       WHERE key_hash = $1 AND revoked_at IS NULL
         AND (last_used_at IS NULL OR last_used_at < $2::timestamptz - interval '1 minute')
         AND user_id IN (SELECT id FROM users WHERE disabled_at IS NULL)
     )
     SELECT k.id AS key_id, k.scopes, u.id, u.email, u.username, u.role, u.created_at
     FROM api_keys k JOIN users u ON u.id = k.user_id
     WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND u.disabled_at IS NULL`,
    [hashOpaqueToken(secret), now],
  );
  const row = rows[0];
  return row ? { apiKeyId: row.key_id, scopes: row.scopes, user: toUserRecord(row) } : undefined;
}
