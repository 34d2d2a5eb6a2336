import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { ROLES, UuidSchema, isRole, type Role } from '@veza/shared';
import type { AccountRef } from '../features/auth/user-store.js';
import { usageError } from './usage.js';

const ajv = new Ajv({ allErrors: false });
addFormats.default(ajv);

/** The value of a required option, checked against the wire schema the API uses for it. */
export function requiredOption(name: string, schema: object, value: string | undefined): string {
  if (value === undefined) throw usageError('MISSING_OPTION', `--${name} is required.`);
  return checkedOption(name, schema, value);
}

export function checkedOption(name: string, schema: object, value: string): string {
  if (!ajv.validate(schema, value))
    throw usageError('INVALID_OPTION', `--${name} is invalid: ${ajv.errorsText(ajv.errors, { dataVar: name })}.`);
  return value;
}

export function roleOption(value: string | undefined): Role {
  if (value === undefined) throw usageError('MISSING_OPTION', '--role is required.');
  if (!isRole(value)) throw usageError('INVALID_OPTION', `--role must be one of ${ROLES.join(', ')}.`);
  return value;
}

/** Options that name an account; exactly one of them must be given. */
export const ACCOUNT_OPTIONS = {
  email: { type: 'string' },
  username: { type: 'string' },
  id: { type: 'string' },
} as const;

export function accountOption(values: { email?: string; username?: string; id?: string }): AccountRef {
  const given = (['email', 'username', 'id'] as const).filter((name) => values[name] !== undefined);
  if (given.length !== 1) {
    throw usageError(
      given.length === 0 ? 'MISSING_OPTION' : 'INVALID_OPTION',
      `Name the account with exactly one of --email, --username or --id${given.length > 1 ? ` (got ${given.map((n) => `--${n}`).join(' and ')})` : ''}.`,
    );
  }
  if (values.id !== undefined) return { id: checkedOption('id', UuidSchema, values.id) };
  if (values.email !== undefined) return { email: values.email };
  return { username: values.username! };
}
