import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../infra/clock.js';
import type { Db } from '../infra/db/db.js';
import type { Logger } from '../infra/logger.js';
import { createAccount } from '../features/auth/accounts.js';
import { findUserForLogin } from '../features/auth/user-store.js';

export const DEMO_CREDENTIALS_FILE = 'demo-credentials.txt';

export interface DemoAccount {
  role: 'admin' | 'artist' | 'listener';
  email: string;
  username: string;
  password: string;
}

/**
 * Creates a demo admin, artist and listener on a fresh data dir so a new user can sign in at
 * once. Passwords are random; they are shown once (returned for the console) and kept in
 * `<dataDir>/demo-credentials.txt` (0600). Never runs in production.
 */
export async function seedDemo(deps: {
  db: Db;
  clock: Clock;
  logger: Logger;
  dataDir: string;
  production: boolean;
}): Promise<DemoAccount[] | undefined> {
  if (deps.production) {
    deps.logger.warn('demo content is never created when NODE_ENV=production');
    return undefined;
  }
  const file = path.join(deps.dataDir, DEMO_CREDENTIALS_FILE);
  if ((await findUserForLogin(deps.db, 'demo-admin')) !== undefined) {
    deps.logger.info({ file }, 'demo accounts exist; their credentials are in the data dir');
    return undefined;
  }
  const accounts: DemoAccount[] = [
    { role: 'admin', email: 'admin@demo.veza.local', username: 'demo-admin', password: newPassword() },
    { role: 'artist', email: 'artist@demo.veza.local', username: 'demo-artist', password: newPassword() },
    { role: 'listener', email: 'listener@demo.veza.local', username: 'demo-listener', password: newPassword() },
  ];
  await deps.db.transaction(async (tx) => {
    for (const account of accounts) await createAccount(tx, deps.clock, account);
  });
  const lines = [
    '# Veza demo accounts (created on first start; delete this file once noted)',
    ...accounts.map((a) => `${a.role}\t${a.username}\t${a.email}\t${a.password}`),
    '',
  ];
  await fs.writeFile(file, lines.join('\n'), { mode: 0o600 });
  await fs.chmod(file, 0o600);
  return accounts;
}

export function newPassword(): string {
  return randomBytes(18).toString('base64url');
}

export function formatDemoBanner(accounts: DemoAccount[], dataDir: string, url: string): string {
  const rows = accounts.map((a) => `  ${a.role.padEnd(9)} login: ${a.username.padEnd(14)} password: ${a.password}`);
  return [
    '',
    `Demo accounts created (shown once; also in ${path.join(dataDir, DEMO_CREDENTIALS_FILE)}):`,
    ...rows,
    `Sign in with one of them in the Veza desktop app (\`npm start\` opens it), with ${url} as its Server URL.`,
    `${url} in a browser says what this server is and links to its API documentation.`,
    '',
  ].join('\n');
}
