import type { ServerConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { acquireDataDir, readOwner } from './data-dir-lock.js';
import { EmbeddedPostgres, connectionStringForRunningCluster } from './embedded-postgres.js';

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
}

export async function openDatabase(
  config: Pick<ServerConfig, 'databaseUrl' | 'dataDir'>,
  logger: Logger,
  options: OpenDatabaseOptions = {},
): Promise<DatabaseHandle> {
  if (config.databaseUrl) {
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
