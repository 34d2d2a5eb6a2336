import type { Role } from '@veza/shared';
import type { Clock } from '../../infra/clock.js';
import type { Db, Queryable } from '../../infra/db/db.js';
import { AppError } from '../../infra/errors.js';
import { changeUserRole } from './change-role.js';
import { announceAccountChange, announceSessionsEnded } from './account-changes.js';
import { checkPasswordStrength } from './password-policy.js';
import { hashPassword } from './passwords.js';
import { revokeAllSessionsOfUser } from './session-store.js';
import { findAccount, setDisabledAt, updatePasswordHash, type AccountRef, type AccountRow } from './user-store.js';

/**
 * What an administrator does to an account from outside the API (the CLI): change its role,
 * reset its password, disable and re-enable it. Each change is announced in its own transaction
 * (account-changes.ts), so the account's open connections follow it on every instance at once,
 * whichever process made it.
 */
export interface AccountAdminDeps {
  db: Db;
  clock: Clock;
}

export async function requireAccount(db: Queryable, ref: AccountRef): Promise<AccountRow> {
  const account = await findAccount(db, ref);
  if (account) return account;
  const [field, value] = Object.entries(ref)[0]!;
  throw new AppError(404, 'NOT_FOUND', `No account has the ${field} "${String(value)}".`);
}

/** Returns the account with its new role. */
export async function setAccountRole(deps: AccountAdminDeps, account: AccountRow, role: Role): Promise<AccountRow> {
  const updated = await changeUserRole(deps.db, deps.clock, account.id, role);
  if (!updated) throw new AppError(404, 'NOT_FOUND', `The account ${account.username} no longer exists.`);
  return { ...account, role: updated.role };
}

/** Sets a new password and ends every session: whoever knew the old one is signed out, sockets included. */
export async function resetAccountPassword(
  deps: AccountAdminDeps,
  account: AccountRow,
  password: string,
): Promise<{ sessionsEnded: number }> {
  checkPasswordStrength(password, { username: account.username, email: account.email });
  const passwordHash = await hashPassword(password);
  const now = deps.clock.now();
  const ended = await deps.db.transaction(async (tx) => {
    await updatePasswordHash(tx, account.id, passwordHash, now);
    const sessionIds = await revokeAllSessionsOfUser(tx, account.id, 'admin', now);
    await announceSessionsEnded(tx, account.id, sessionIds);
    return sessionIds;
  });
  return { sessionsEnded: ended.length };
}

/**
 * The account can no longer sign in, refresh or use its API keys; its sessions end and every
 * connection it has open closes. Its keys are not revoked: enabling the account gives them back.
 */
export async function disableAccount(
  deps: AccountAdminDeps,
  account: AccountRow,
): Promise<{ alreadyDisabled: boolean; sessionsEnded: number }> {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const changed = await setDisabledAt(tx, account.id, now, now);
    // Ended and announced even when it was disabled already: a session or socket left over is one too many.
    const ended = await revokeAllSessionsOfUser(tx, account.id, 'admin', now);
    await announceAccountChange(tx, { kind: 'disabled', userId: account.id });
    return { alreadyDisabled: !changed, sessionsEnded: ended.length };
  });
}

/** Returns false when the account was not disabled. */
export async function enableAccount(deps: AccountAdminDeps, account: AccountRow): Promise<boolean> {
  return setDisabledAt(deps.db, account.id, null, deps.clock.now());
}
