import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { EmbeddedPostgres } from '../infra/db/embedded-postgres.js';
import { createLogger } from '../infra/logger.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A superuser connection string; each test file creates its own database from it. */
    adminDatabaseUrl: string;
    databaseKind: 'embedded' | 'external';
  }
}

/**
 * Tests run against a real PostgreSQL: the external one when DATABASE_URL is set (CI runs the
 * suite both ways), otherwise one embedded cluster started once for the whole run.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.DATABASE_URL;
  if (external) {
    project.provide('adminDatabaseUrl', external);
    project.provide('databaseKind', 'external');
    return async () => undefined;
  }
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'veza-test-pg-'));
  const postgres = new EmbeddedPostgres({ dataDir, logger: createLogger('warn'), unsafeFast: true });
  await postgres.start();
  project.provide('adminDatabaseUrl', postgres.adminConnectionString());
  project.provide('databaseKind', 'embedded');
  return async () => {
    await postgres.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  };
}
