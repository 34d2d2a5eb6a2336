import type { Role } from '@veza/shared';
import type { Clock } from '../../infra/clock.js';
import type { Db } from '../../infra/db/db.js';
import { announceAccountChange } from './account-changes.js';
import { updateUserRole, type UserRecord } from './user-store.js';

/**
 * Gives a user a new role; the one way to do it (admin API, CLI). The change is announced in the
 * same transaction, so every open connection of the user, on every instance, takes the new
 * role's permissions as soon as it commits. Undefined when there is no such user.
 */
export function changeUserRole(db: Db, clock: Clock, userId: string, role: Role): Promise<UserRecord | undefined> {
  return db.transaction(async (tx) => {
    const user = await updateUserRole(tx, userId, role, clock.now());
    if (user) await announceAccountChange(tx, { kind: 'role', userId, role });
    return user;
  });
}
