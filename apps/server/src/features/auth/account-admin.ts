import type { Role } from '@veza/shared';
import type { Bus } from '../../infra/bus.js';
import type { Clock } from '../../infra/clock.js';
import type { Db, Queryable } from '../../infra/db/db.js';
import { AppError } from '../../infra/errors.js';
import { API_KEY_REVOKED_SUBJECT, liveApiKeyIds } from '../api-keys/store.js';
import { hashPassword } from './passwords.js';
import { SESSION_REVOKED_SUBJECT } from './service.js';
import { revokeAllSessionsOfUser } from './session-store.js';
import {
  findAccount,
  setDisabledAt,
  updatePasswordHash,
  updateUserRole,
  type AccountRef,
  type AccountRow,
} from './user-store.js';

/**
 * What an administrator does to an account from outside the API (the CLI): change its role,
 * reset its password, disable and re-enable it. Ending sessions is announced on the bus like a
 * sign-out, so the account's open connections close on every instance at once.
 */
export interface AccountAdminDeps {
  db: Db;
  clock: Clock;
  /** The servers' bus, or the CLI's way to reach it (see infra/db/bus-relay.ts). */
  bus: Pick<Bus, 'publish'>;
}

/** The subjects these operations publish: a server relaying the CLI's announcements passes exactly these. */
export const ACCOUNT_ADMIN_SUBJECTS = [SESSION_REVOKED_SUBJECT, API_KEY_REVOKED_SUBJECT] as const;

export async function requireAccount(db: Queryable, ref: AccountRef): Promise<AccountRow> {
  const account = await findAccount(db, ref);
  if (account) return account;
  const [field, value] = Object.entries(ref)[0]!;
  throw new AppError(404, 'NOT_FOUND', `No account has the ${field} "${String(value)}".`);
}

/** Returns the account with its new role. */
export async function setAccountRole(
  deps: Pick<AccountAdminDeps, 'db' | 'clock'>,
  account: AccountRow,
  role: Role,
): Promise<AccountRow> {
  const updated = await updateUserRole(deps.db, account.id, role, deps.clock.now());
  if (!updated) throw new AppError(404, 'NOT_FOUND', `The account ${account.username} no longer exists.`);
  return { ...account, role: updated.role };
}

/** Sets a new password and ends every session: whoever knew the old one is signed out. */
export async function resetAccountPassword(
  deps: AccountAdminDeps,
  account: AccountRow,
  password: string,
): Promise<{ sessionsEnded: number }> {
  const passwordHash = await hashPassword(password);
  const now = deps.clock.now();
  const ended = await deps.db.transaction(async (tx) => {
    await updatePasswordHash(tx, account.id, passwordHash, now);
    return revokeAllSessionsOfUser(tx, account.id, 'admin', now);
  });
  await announceEnded(deps, ended, []);
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
  const outcome = await deps.db.transaction(async (tx) => {
    const changed = await setDisabledAt(tx, account.id, now, now);
    // Ended even when it was disabled already: a session opened before is one too many.
    const ended = await revokeAllSessionsOfUser(tx, account.id, 'admin', now);
    return { changed, ended, keys: await liveApiKeyIds(tx, account.id) };
  });
  await announceEnded(deps, outcome.ended, outcome.keys);
  return { alreadyDisabled: !outcome.changed, sessionsEnded: outcome.ended.length };
}

/** Returns false when the account was not disabled. */
export async function enableAccount(
  deps: Pick<AccountAdminDeps, 'db' | 'clock'>,
  account: AccountRow,
): Promise<boolean> {
  const now = deps.clock.now();
  return setDisabledAt(deps.db, account.id, null, now);
}

/**
 * After the commit, like every publish. An API-key connection has no session, so its key is
 * announced as revoked: the hub closes the connections using it, and the key itself stays valid
 * in the database for when the account is enabled again.
 */
async function announceEnded(deps: AccountAdminDeps, sessionIds: string[], apiKeyIds: string[]): Promise<void> {
  for (const sessionId of sessionIds) await deps.bus.publish(SESSION_REVOKED_SUBJECT, { sessionId });
  for (const apiKeyId of apiKeyIds) await deps.bus.publish(API_KEY_REVOKED_SUBJECT, { apiKeyId });
}
