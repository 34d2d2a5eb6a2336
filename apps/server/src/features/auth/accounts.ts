import { randomUUID } from 'node:crypto';
import type { Role } from '@veza/shared';
import type { Clock } from '../../infra/clock.js';
import type { Queryable } from '../../infra/db/db.js';
import { AppError } from '../../infra/errors.js';
import { checkPasswordStrength } from './password-policy.js';
import { hashPassword } from './passwords.js';
import { DuplicateUserError, insertUser, type UserRecord } from './user-store.js';

/**
 * Creates an account; used by registration, the CLI and the demo seed alike, so the password
 * rules hold for every one of them.
 */
export async function createAccount(
  db: Queryable,
  clock: Clock,
  input: { email: string; username: string; password: string; role: Role },
): Promise<UserRecord> {
  checkPasswordStrength(input.password, { username: input.username, email: input.email });
  const passwordHash = await hashPassword(input.password);
  try {
    return await insertUser(db, {
      id: randomUUID(),
      email: input.email.trim(),
      username: input.username.trim(),
      passwordHash,
      role: input.role,
      now: clock.now(),
    });
  } catch (error) {
    if (error instanceof DuplicateUserError) {
      throw error.field === 'email'
        ? new AppError(409, 'EMAIL_TAKEN', 'An account with this email already exists.')
        : new AppError(409, 'USERNAME_TAKEN', 'This username is taken.');
    }
    throw error;
  }
}
