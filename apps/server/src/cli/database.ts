import type { ServerConfig } from '../infra/config.js';
import { openDatabase } from '../infra/db/database.js';
import { createDb, type Db } from '../infra/db/db.js';
import { migrate } from '../infra/db/migrate.js';
import { createConsoleLogger, type Logger } from '../infra/logger.js';

export interface CliContext {
  db: Db;
  logger: Logger;
}

/**
 * A logger for commands whose stdout is their output: on stderr, and one level quieter than the
 * server's default (a command says what it did; `info` lines would only repeat it).
 */
export function commandLogger(config: ServerConfig): Logger {
  const level = config.logLevel === 'info' ? 'warn' : config.logLevel;
  return createConsoleLogger(level, { format: config.logFormat, output: process.stderr });
}

/**
 * Opens the data dir's database (sharing a running server's embedded PostgreSQL), migrates, runs
 * `work`. Account changes reach the running servers through this database (account-changes.ts).
 */
export async function withDatabase(
  config: ServerConfig,
  work: (context: CliContext) => Promise<number>,
): Promise<number> {
  const logger = commandLogger(config);
  const database = await openDatabase(config, logger, { allowShared: true });
  try {
    const result = await migrate(database.connectionString, logger);
    if (result.applied.length > 0)
      process.stderr.write(`Applied migrations ${result.applied.join(', ')}; schema is at ${result.current}.\n`);
    const db = createDb({ connectionString: database.connectionString, max: 2 });
    try {
      return await work({ db, logger });
    } finally {
      await db.close();
    }
  } finally {
    await database.shutdown();
  }
}
