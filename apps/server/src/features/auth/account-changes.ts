import { isRole, type Role } from '@veza/shared';
import type { Queryable } from '../../infra/db/db.js';

/**
 * Changes to an account that open connections must follow at once: a new role (its permissions
 * apply to the connection's next frame) or a disabled account (its connections close).
 *
 * They travel as PostgreSQL notifications on this channel rather than on the bus: every process
 * that can change an account shares the database, and only the database. The CLI run next to a
 * single server has no way onto that server's in-process bus; NOTIFY reaches every instance
 * listening on the database, and only once the changing transaction commits.
 */
export const ACCOUNT_CHANGES_CHANNEL = 'veza_account_changes';

export type AccountChange = { kind: 'role'; userId: string; role: Role } | { kind: 'disabled'; userId: string };

/**
 * Announces a change from inside the transaction that makes it: the notice is sent when (and
 * only if) that transaction commits. Whoever disables or bans an account calls this with
 * `{ kind: 'disabled' }`.
 */
export async function announceAccountChange(tx: Queryable, change: AccountChange): Promise<void> {
  await tx.query('SELECT pg_notify($1, $2)', [ACCOUNT_CHANGES_CHANNEL, JSON.stringify(change)]);
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
  const { kind, userId, role } = value as Record<string, unknown>;
  if (typeof userId !== 'string') return undefined;
  if (kind === 'role' && isRole(role)) return { kind, userId, role };
  if (kind === 'disabled') return { kind, userId };
  return undefined;
}
