import { parseArgs } from 'node:util';
import { EmailSchema, PasswordSchema, UsernameSchema } from '@veza/shared';
import { newPassword } from '../demo/seed.js';
import {
  type AccountAdminDeps,
  disableAccount,
  enableAccount,
  requireAccount,
  resetAccountPassword,
  setAccountRole,
} from '../features/auth/account-admin.js';
import { createAccount } from '../features/auth/accounts.js';
import { listAccounts, type AccountRef, type AccountRow } from '../features/auth/user-store.js';
import { systemClock } from '../infra/clock.js';
import type { ServerConfig } from '../infra/config.js';
import { formatAccountTable } from './account-table.js';
import { withDatabase } from './database.js';
import { usageError } from './usage.js';
import { ACCOUNT_OPTIONS, accountOption, checkedOption, requiredOption, roleOption } from './user-options.js';

const USER_VERBS = ['create', 'list', 'set-role', 'reset-password', 'disable', 'enable'] as const;

const print = (text: string): void => void process.stdout.write(`${text}\n`);
const describe = (account: Pick<AccountRow, 'username' | 'email'>): string => `${account.username} <${account.email}>`;
const sessions = (count: number): string => `${count} session${count === 1 ? '' : 's'}`;

/**
 * `veza-server user <verb>`. Every argument is checked before the database is opened, so a
 * typo never starts (or waits for) PostgreSQL.
 */
export async function userCommand(config: ServerConfig, args: string[]): Promise<number> {
  const [verb, ...rest] = args;
  switch (verb) {
    case 'create':
      return createUser(config, rest);
    case 'list':
      return listUsers(config, rest);
    case 'set-role':
      return setRole(config, rest);
    case 'reset-password':
      return resetPassword(config, rest);
    case 'disable':
      return disable(config, rest);
    case 'enable':
      return enable(config, rest);
    default:
      throw usageError(
        'UNKNOWN_COMMAND',
        verb === undefined
          ? `"user" needs one of: ${USER_VERBS.join(', ')}.`
          : `Unknown user command "${verb}"; use one of ${USER_VERBS.join(', ')}.`,
      );
  }
}

async function createUser(config: ServerConfig, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      email: { type: 'string' },
      username: { type: 'string' },
      password: { type: 'string' },
      role: { type: 'string', default: 'listener' },
    },
    strict: true,
  });
  const email = requiredOption('email', EmailSchema, values.email);
  const username = requiredOption('username', UsernameSchema, values.username);
  const generated = values.password === undefined;
  const password = generated ? newPassword() : checkedOption('password', PasswordSchema, values.password!);
  const role = roleOption(values.role);

  return withDatabase(config, async ({ db }) => {
    const user = await createAccount(db, systemClock, { email, username, password, role });
    print(`Created ${user.role} ${user.username} <${user.email}> (id ${user.id}).`);
    if (generated) print(`Password: ${password}`);
    return 0;
  });
}

async function listUsers(config: ServerConfig, args: string[]): Promise<number> {
  parseArgs({ args, options: {}, strict: true });
  return withDatabase(config, async ({ db }) => {
    const accounts = await listAccounts(db);
    if (accounts.length === 0) {
      print('No accounts yet. Create the first admin with:');
      print('  veza-server user create --email <email> --username <name> --role admin');
    } else process.stdout.write(formatAccountTable(accounts));
    return 0;
  });
}

/**
 * Runs a command on one account: opens the database, finds the account `ref` names (a coded
 * error when none does) and hands it to `change`. Exit code 0 once the change is done.
 */
async function onAccount(
  config: ServerConfig,
  ref: AccountRef,
  change: (deps: AccountAdminDeps, account: AccountRow) => Promise<void>,
): Promise<number> {
  return withDatabase(config, async ({ db }) => {
    await change({ db, clock: systemClock }, await requireAccount(db, ref));
    return 0;
  });
}

async function setRole(config: ServerConfig, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { ...ACCOUNT_OPTIONS, role: { type: 'string' } }, strict: true });
  const ref = accountOption(values);
  const role = roleOption(values.role);
  return onAccount(config, ref, async (deps, account) => {
    if (account.role === role) {
      print(`${describe(account)} is already ${role}; nothing changed.`);
      return;
    }
    await setAccountRole(deps, account, role);
    print(`${describe(account)} is now ${role} (was ${account.role}).`);
  });
}

async function resetPassword(config: ServerConfig, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { ...ACCOUNT_OPTIONS, password: { type: 'string' } }, strict: true });
  const ref = accountOption(values);
  const generated = values.password === undefined;
  const password = generated ? newPassword() : checkedOption('password', PasswordSchema, values.password!);
  return onAccount(config, ref, async (deps, account) => {
    const { sessionsEnded } = await resetAccountPassword(deps, account, password);
    print(`New password set for ${describe(account)}; ${sessions(sessionsEnded)} ended.`);
    if (generated) print(`Password: ${password}`);
  });
}

async function disable(config: ServerConfig, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: ACCOUNT_OPTIONS, strict: true });
  return onAccount(config, accountOption(values), async (deps, account) => {
    const { alreadyDisabled, sessionsEnded } = await disableAccount(deps, account);
    print(
      alreadyDisabled
        ? `${describe(account)} was already disabled; ${sessions(sessionsEnded)} ended.`
        : `Disabled ${describe(account)}: ${sessions(sessionsEnded)} ended and its open connections closed. \`veza-server user enable\` undoes it.`,
    );
  });
}

async function enable(config: ServerConfig, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: ACCOUNT_OPTIONS, strict: true });
  return onAccount(config, accountOption(values), async (deps, account) => {
    const changed = await enableAccount(deps, account);
    print(changed ? `Enabled ${describe(account)}; it can sign in again.` : `${describe(account)} is not disabled.`);
  });
}
