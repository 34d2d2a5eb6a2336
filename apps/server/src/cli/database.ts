import type { Bus } from '../infra/bus.js';
import type { ServerConfig } from '../infra/config.js';
import { databaseRelayPublisher } from '../infra/db/bus-relay.js';
import { openDatabase } from '../infra/db/database.js';
import { createDb, type Db } from '../infra/db/db.js';
import { migrate } from '../infra/db/migrate.js';
import { createConsoleLogger, type Logger } from '../infra/logger.js';
import { NatsBus } from '../infra/nats-bus.js';
import { CliError } from './usage.js';

export interface CliContext {
  db: Db;
  logger: Logger;
  /**
   * Reaches the running servers' bus: NATS when the configuration names it (as the servers'
   * does), else the database relay that a server without NATS listens to.
   */
  openBus(): Promise<Pick<Bus, 'publish'>>;
}

/**
 * A logger for commands whose stdout is their output: on stderr, and one level quieter than the
 * server's default (a command says what it did; `info` lines would only repeat it).
 */
export function commandLogger(config: ServerConfig): Logger {
  const level = config.logLevel === 'info' ? 'warn' : config.logLevel;
  return createConsoleLogger(level, { format: config.logFormat, output: process.stderr });
}

/** Opens the data dir's database (sharing a running server's embedded PostgreSQL), migrates, runs `work`. */
export async function withDatabase(
  config: ServerConfig,
  work: (context: CliContext) => Promise<number>,
): Promise<number> {
  const logger = commandLogger(config);
  const database = await openDatabase(config, logger, { allowShared: true });
  const closers: (() => Promise<void>)[] = [];
  try {
    const result = await migrate(database.connectionString, logger);
    if (result.applied.length > 0)
      process.stderr.write(`Applied migrations ${result.applied.join(', ')}; schema is at ${result.current}.\n`);
    const db = createDb({ connectionString: database.connectionString, max: 2 });
    closers.push(() => db.close());
    const openBus = async (): Promise<Pick<Bus, 'publish'>> => {
      if (!config.natsUrl) return databaseRelayPublisher(db);
      try {
        const bus = await NatsBus.connect(config.natsUrl, logger);
        closers.push(() => bus.close());
        return bus;
      } catch (error) {
        throw new CliError(
          'NATS_UNREACHABLE',
          `Nothing was changed: the running servers could not be told (${(error as Error).message}).`,
        );
      }
    };
    return await work({ db, logger, openBus });
  } finally {
    for (const close of closers.reverse()) await close();
    await database.shutdown();
  }
}
