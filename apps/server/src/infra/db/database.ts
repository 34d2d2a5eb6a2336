import type { ServerConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { acquireDataDir, readOwner } from './data-dir-lock.js';
import { EmbeddedPostgres, connectionStringForRunningCluster } from './embedded-postgres.js';
import { withClient } from './with-client.js';

/** Where the database is and how to let go of it. */
export interface DatabaseHandle {
  connectionString: string;
  /** Stops the embedded PostgreSQL this process started, if any, and releases the data dir. */
  shutdown(): Promise<void>;
  embedded: boolean;
}

export interface OpenDatabaseOptions {
  /** The CLI may borrow the cluster of a server already running on the same data dir. */
  allowShared?: boolean;
  unsafeFast?: boolean;
  /** The server says so in its log when an external DATABASE_URL connects as a superuser. */
  warnIfSuperuser?: boolean;
}

/** The role a connection string logs in as, and whether it is a superuser. */
export async function describeRole(connectionString: string): Promise<{ role: string; superuser: boolean }> {
  return withClient(connectionString, async (client) => {
    const { rows } = await client.query<{ role: string; superuser: boolean }>(
      'SELECT current_user AS role, rolsuper AS superuser FROM pg_roles WHERE rolname = current_user',
    );
    return rows[0]!;
  });
}

/**
 * A superuser can read the server's files and run programs through SQL (COPY … TO PROGRAM), so a
 * flaw that lets a request run SQL would reach the whole machine. Warn; do not refuse: it works.
 */
async function warnIfSuperuser(connectionString: string, logger: Logger): Promise<void> {
  let described: { role: string; superuser: boolean };
  try {
    described = await describeRole(connectionString);
  } catch (error) {
    // Not reachable yet: the migrations that follow report that with PostgreSQL's message.
    logger.debug({ message: (error as Error).message }, 'could not check the DATABASE_URL role');
    return;
  }
  if (described.superuser)
    logger.warn(
      { role: described.role },
      `DATABASE_URL connects as "${described.role}", a PostgreSQL superuser; connect as a role that owns ` +
        'the database and is not a superuser (docs/operations.md, "Database roles")',
    );
}

export async function openDatabase(
  config: Pick<ServerConfig, 'databaseUrl' | 'dataDir'>,
  logger: Logger,
  options: OpenDatabaseOptions = {},
): Promise<DatabaseHandle> {
  if (config.databaseUrl) {
    if (options.warnIfSuperuser) await warnIfSuperuser(config.databaseUrl, logger);
    return { connectionString: config.databaseUrl, embedded: false, shutdown: async () => undefined };
  }
  if (options.allowShared && (await readOwner(config.dataDir))) {
    const connectionString = await connectionStringForRunningCluster(config.dataDir);
    if (connectionString) {
      logger.debug('using the embedded PostgreSQL of the running server');
      return { connectionString, embedded: true, shutdown: async () => undefined };
    }
  }
  const release = await acquireDataDir(config.dataDir);
  const postgres = new EmbeddedPostgres({ dataDir: config.dataDir, logger, unsafeFast: options.unsafeFast ?? false });
  try {
    await postgres.start();
  } catch (error) {
    await release();
    throw error;
  }
  return {
    connectionString: postgres.connectionString(),
    embedded: true,
    async shutdown() {
      await postgres.stop();
      await release();
    },
  };
}
