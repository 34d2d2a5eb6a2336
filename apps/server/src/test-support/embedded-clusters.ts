import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  EmbeddedPostgres,
  clusterPaths,
  findLivePostmaster,
  isProcessAlive,
  type EmbeddedPostgresOptions,
} from '../infra/db/embedded-postgres.js';
import { findPackagedInstall, type PostgresInstall } from '../infra/db/postgres-install.js';
import { createLogger, type Logger } from '../infra/logger.js';

const execFileAsync = promisify(execFile);

export const isRoot = process.getuid?.() === 0;

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** A logger whose JSON lines the test can read. */
export function capturingLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = createLogger('debug', {
    write(chunk: string) {
      for (const text of chunk.split('\n')) if (text.trim() !== '') lines.push(JSON.parse(text) as LogLine);
    },
  });
  return { logger, lines };
}

/** Hard-linked copy of the packaged PostgreSQL into `dir` (cheap: no data is copied). */
export async function linkedInstallCopy(dir: string): Promise<PostgresInstall> {
  const packaged = await findPackagedInstall();
  await fs.mkdir(dir, { recursive: true });
  for (const part of ['bin', 'lib', 'share']) await execFileAsync('cp', ['-al', path.join(packaged.dir, part), dir]);
  return { dir, version: packaged.version };
}

/**
 * Temp dirs and clusters of one test file, so afterAll stops and removes all of them even when
 * a test failed midway (a PostgreSQL is stopped by the pid in its cluster's postmaster.pid).
 */
export class ClusterKit {
  private readonly dirs: string[] = [];
  private readonly clusters: EmbeddedPostgres[] = [];
  private readonly dataDirs: string[] = [];

  /** A temp dir with `mode` (0755 by default: root-owned and reachable by the postgres user). */
  async tempDir(prefix: string, mode = 0o755): Promise<string> {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), `veza-${prefix}-`));
    await fs.chmod(dir, mode);
    this.dirs.push(dir);
    return dir;
  }

  /** A cluster that afterAll stops; `start()` is up to the test. */
  cluster(options: Omit<EmbeddedPostgresOptions, 'logger'> & { logger?: Logger }): EmbeddedPostgres {
    const cluster = new EmbeddedPostgres({ logger: createLogger('silent'), ...options });
    this.clusters.push(cluster);
    this.dataDirs.push(options.dataDir);
    return cluster;
  }

  async cleanup(): Promise<void> {
    for (const cluster of this.clusters) await cluster.stop().catch(() => undefined);
    for (const dataDir of this.dataDirs) {
      const orphan = await findLivePostmaster(clusterPaths(dataDir).clusterDir).catch(() => undefined);
      if (!orphan) continue;
      process.kill(orphan.pid, 'SIGINT');
      for (let i = 0; i < 400 && isProcessAlive(orphan.pid); i++) await new Promise((r) => setTimeout(r, 50));
      if (isProcessAlive(orphan.pid)) process.kill(orphan.pid, 'SIGKILL');
    }
    await Promise.all(this.dirs.map((dir) => fs.rm(dir, { recursive: true, force: true })));
  }
}
