import pg from 'pg';
import type { Logger } from '../logger.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';

/** Any constant works; it only has to be the same for every Veza instance. */
const MIGRATION_LOCK_KEY = 0x7665_7a61; // "veza"

export interface MigrationResult {
  applied: number[];
  current: number;
}

/**
 * Applies pending migrations in order, each in its own transaction, under a session advisory
 * lock so several instances starting at once apply each migration exactly once.
 */
export async function migrate(
  connectionString: string,
  logger: Logger,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<MigrationResult> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
    const done = new Set(rows.map((r) => r.version));
    const applied: number[] = [];
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(migration.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
          migration.version,
          migration.name,
        ]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`Migration ${migration.version} (${migration.name}) failed: ${(error as Error).message}`, {
          cause: error,
        });
      }
      applied.push(migration.version);
      logger.info({ version: migration.version, name: migration.name }, 'migration applied');
    }
    const current = Math.max(0, ...done, ...applied);
    return { applied, current };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await client.end();
  }
}
