import { isRole, type Role } from '@veza/shared';
import type { Queryable } from '../../infra/db/db.js';

/**
 * Changes to an account that open connections must follow at once: a new role (its permissions
 * apply to the connection's next frame), a disabled account (its connections close), or sessions
 * ended by an administrator (a password reset: the connections opened with them close).
 *
 * They travel as PostgreSQL notifications on this channel rather than on the bus: every process
 * that can change an account shares the database, and only the database. The CLI run next to a
 * single server has no way onto that server's in-process bus; NOTIFY reaches every instance
 * listening on the database, and only once the changing transaction commits.
 */
export const ACCOUNT_CHANGES_CHANNEL = 'veza_account_changes';

export type AccountChange =
  | { kind: 'role'; userId: string; role: Role }
  | { kind: 'disabled'; userId: string }
  /** A server ban (moderation): connections are told why and until when, then close like a disabled account's. */
  | { kind: 'banned'; userId: string; reason: string | null; until: string | null }
  | { kind: 'sessions-ended'; userId: string; sessionIds: string[] };

/** NOTIFY payloads are limited to 8000 bytes: ended sessions go out this many per notice. */
export const SESSIONS_PER_NOTICE = 100;

/**
 * Announces a change from inside the transaction that makes it: the notice is sent when (and
 * only if) that transaction commits. Whoever disables or bans an account calls this with
 * `{ kind: 'disabled' }`.
 */
export async function announceAccountChange(tx: Queryable, change: AccountChange): Promise<void> {
  await tx.query('SELECT pg_notify($1, $2)', [ACCOUNT_CHANGES_CHANNEL, JSON.stringify(change)]);
}

/** Announces sessions ended together (a password reset), in as many notices as their number needs. */
export async function announceSessionsEnded(
  tx: Queryable,
  userId: string,
  sessionIds: readonly string[],
): Promise<void> {
  for (let i = 0; i < sessionIds.length; i += SESSIONS_PER_NOTICE) {
    const chunk = sessionIds.slice(i, i + SESSIONS_PER_NOTICE);
    await announceAccountChange(tx, { kind: 'sessions-ended', userId, sessionIds: chunk });
  }
}

/** A notice's payload, or undefined when it is not one this server understands. */
export function parseAccountChange(text: string): AccountChange | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { kind, userId, role, sessionIds, reason, until } = value as Record<string, unknown>;
  if (typeof userId !== 'string') return undefined;
  if (kind === 'role' && isRole(role)) return { kind, userId, role };
  if (kind === 'disabled') return { kind, userId };
  if (
    kind === 'banned' &&
    (reason === null || typeof reason === 'string') &&
    (until === null || typeof until === 'string')
  )
    return { kind, userId, reason, until };
  if (kind === 'sessions-ended' && Array.isArray(sessionIds) && sessionIds.every((id) => typeof id === 'string'))
    return { kind, userId, sessionIds: sessionIds as string[] };
  return undefined;
}
