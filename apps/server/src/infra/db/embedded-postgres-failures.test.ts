import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ClusterKit, linkedInstallCopy } from '../../test-support/embedded-clusters.js';
import { clusterPaths, type EmbeddedPostgresError } from './embedded-postgres.js';

/*
 * initdb and postgres failing for real, each for a reason a self-hoster can meet: the error
 * must carry PostgreSQL's own words and what to do, not just "initdb failed".
 */

const kit = new ClusterKit();
afterAll(() => kit.cleanup(), 120_000);

const failure = (promise: Promise<unknown>): Promise<EmbeddedPostgresError> =>
  promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error as EmbeddedPostgresError,
  );

describe('failures of the embedded PostgreSQL', () => {
  it('initdb on an incomplete PostgreSQL installation: initdb’s own message and what to do', async () => {
    const install = await linkedInstallCopy(path.join(await kit.tempDir('broken-install'), 'postgresql'));
    const missing = path.join(install.dir, 'share', 'postgresql', 'postgres.bki');
    await fs.rm(missing);
    const dataDir = await kit.tempDir('data');

    const error = await failure(kit.cluster({ dataDir, install }).start());

    expect(error.code).toBe('EMBEDDED_POSTGRES_INITDB_FAILED');
    expect(error.message).toContain(
      `initdb could not create the PostgreSQL cluster in ${clusterPaths(dataDir).clusterDir}`,
    );
    expect(error.message).toContain('PostgreSQL said:');
    // initdb's words, naming the file it lacks.
    expect(error.message).toMatch(new RegExp(`initdb: error: .*${missing.replaceAll('.', '\\.')}`));
    expect(error.message).toContain(`What to do: The PostgreSQL installation in ${install.dir} looks incomplete`);
  });

  it('a cluster made by another PostgreSQL version: the server’s log lines and what to do', async () => {
    const dataDir = await kit.tempDir('data');
    const cluster = kit.cluster({ dataDir });
    await cluster.start();
    await cluster.stop();
    const { clusterDir, logFile } = clusterPaths(dataDir);
    const versionFile = path.join(clusterDir, 'PG_VERSION');
    const version = await fs.readFile(versionFile, 'utf8');
    await fs.writeFile(versionFile, '11\n');

    const error = await failure(kit.cluster({ dataDir }).start());

    expect(error.code).toBe('EMBEDDED_POSTGRES_START_FAILED');
    expect(error.message).toMatch(/^PostgreSQL stopped during start-up \(exit code \d+\)\./);
    expect(error.message).toContain('PostgreSQL said:');
    expect(error.message).toMatch(/FATAL: +database files are incompatible with server/);
    expect(error.message).toContain(`What to do: The cluster in ${clusterDir} was made by another PostgreSQL version`);
    expect(error.message).toContain(`The full PostgreSQL log is ${logFile}.`);
    // Only this start's lines: the earlier, successful start is not quoted.
    expect(error.message).not.toContain('database system is ready to accept connections');

    // Nothing was harmed: with its PG_VERSION back the cluster starts.
    await fs.writeFile(versionFile, version);
    const again = kit.cluster({ dataDir });
    await again.start();
    await again.stop();
  });
});
