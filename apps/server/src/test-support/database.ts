import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { createDb, type Db } from '../infra/db/db.js';
import { migrate } from '../infra/db/migrate.js';
import { createLogger } from '../infra/logger.js';

export interface TestDatabase {
  connectionString: string;
  db: Db;
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: inject('adminDatabaseUrl') });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A fresh, empty database on the run's PostgreSQL; `migrated: false` leaves it without schema. */
export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const name = `veza_test_${randomBytes(6).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE ${name}`));
  const connectionString = withDatabase(inject('adminDatabaseUrl'), name);
  if (options.migrated !== false) await migrate(connectionString, createLogger('silent'));
  const db = createDb({ connectionString, max: 5 });
  return {
    connectionString,
    db,
    async drop() {
      await db.close();
      await admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}
