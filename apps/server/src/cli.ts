#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { EmailSchema, PasswordSchema, ROLES, UsernameSchema, isRole } from '@veza/shared';
import { newPassword } from './demo/seed.js';
import { createAccount } from './features/auth/accounts.js';
import { systemClock } from './infra/clock.js';
import { ConfigError, loadConfig, type ServerConfig } from './infra/config.js';
import { openDatabase } from './infra/db/database.js';
import { DataDirBusyError } from './infra/db/data-dir-lock.js';
import { createDb } from './infra/db/db.js';
import { migrate } from './infra/db/migrate.js';
import { AppError } from './infra/errors.js';
import { createLogger, type Logger } from './infra/logger.js';
import { startServer } from './runtime.js';

const USAGE = `Usage: veza-server [command]

Commands:
  serve [--demo]          Start the server (default). --demo creates demo accounts on a fresh data dir.
  migrate                 Apply database migrations and exit.
  user create --email <email> --username <name> [--password <pw>] [--role <role>]
                          Create an account (prints a generated password when none is given).
                          Roles: ${ROLES.join(', ')} (default listener).

Configuration comes from the environment; see docs/configuration.md.`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const [command = 'serve', ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const config = loadConfig();
  switch (command) {
    case 'serve':
      return serve(config, rest);
    case 'migrate':
      return withDatabase(config, async () => 0);
    case 'user':
      if (rest[0] !== 'create') throw new UsageError(`Unknown user command "${rest[0] ?? ''}".`);
      return createUserCommand(config, rest.slice(1));
    default:
      throw new UsageError(`Unknown command "${command}".`);
  }
}

async function serve(config: ServerConfig, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { demo: { type: 'boolean', default: false } }, strict: true });
  const demo = !config.production && (config.demo || values.demo);
  const server = await startServer({ ...config, demo });
  const logger = server.app.log;
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) {
        logger.warn({ signal }, 'second signal: exiting now');
        process.exit(1);
      }
      stopping = true;
      logger.info({ signal }, 'shutting down');
      // Never hang forever on a stuck request or database.
      setTimeout(() => {
        logger.error('shutdown took longer than 30 s; exiting');
        process.exit(1);
      }, 30_000).unref();
      void server.close().then(resolve);
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  return 0;
}

/** Opens the data dir's database (sharing a running server's embedded PostgreSQL), migrates, runs `work`. */
async function withDatabase(
  config: ServerConfig,
  work: (db: ReturnType<typeof createDb>, logger: Logger) => Promise<number>,
): Promise<number> {
  const logger = createLogger(process.env.VEZA_LOG_LEVEL ? config.logLevel : 'warn');
  const database = await openDatabase(config, logger, { allowShared: true });
  try {
    const result = await migrate(database.connectionString, logger);
    if (result.applied.length > 0)
      process.stderr.write(`Applied migrations ${result.applied.join(', ')}; schema is at ${result.current}.\n`);
    const db = createDb({ connectionString: database.connectionString, max: 2 });
    try {
      return await work(db, logger);
    } finally {
      await db.close();
    }
  } finally {
    await database.shutdown();
  }
}

async function createUserCommand(config: ServerConfig, args: string[]): Promise<number> {
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
  const ajv = new Ajv({ allErrors: false });
  addFormats.default(ajv);
  const check = (name: string, schema: object, value: string | undefined): string => {
    if (value === undefined) throw new UsageError(`--${name} is required.`);
    if (!ajv.validate(schema, value))
      throw new UsageError(`--${name} is invalid: ${ajv.errorsText(ajv.errors, { dataVar: name })}.`);
    return value;
  };
  const email = check('email', EmailSchema, values.email);
  const username = check('username', UsernameSchema, values.username);
  const generated = values.password === undefined;
  const password = generated ? newPassword() : check('password', PasswordSchema, values.password);
  const role = values.role;
  if (!isRole(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}.`);

  return withDatabase(config, async (db) => {
    const user = await createAccount(db, systemClock, { email, username, password, role });
    process.stdout.write(`Created ${user.role} ${user.username} <${user.email}> (id ${user.id}).\n`);
    if (generated) process.stdout.write(`Password: ${password}\n`);
    return 0;
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) process.stderr.write(`${error.message}\n\n${USAGE}\n`);
    else if (error instanceof ConfigError || error instanceof DataDirBusyError || error instanceof AppError) {
      process.stderr.write(`${error.message}\n`);
    } else if (error instanceof TypeError && (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`${error.message}\n\n${USAGE}\n`);
    } else process.stderr.write(`veza-server failed: ${error instanceof Error ? error.message : String(error)}\n`);
    const badArguments =
      error instanceof TypeError && (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true;
    process.exitCode = error instanceof UsageError || error instanceof ConfigError || badArguments ? 2 : 1;
  },
);
