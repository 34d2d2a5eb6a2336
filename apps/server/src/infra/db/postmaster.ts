import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../logger.js';
import { EmbeddedPostgresError } from './postgres-failure.js';
import { isProcessAlive } from './process-alive.js';

/** A running PostgreSQL as its `postmaster.pid` describes it. */
export interface PostmasterInfo {
  pid: number;
  /** The cluster directory PostgreSQL was given (the real one when `<data dir>/postgres` is a symlink). */
  clusterDir: string;
  port: number;
}

async function processCommandLine(pid: number): Promise<string | undefined> {
  try {
    return (await fs.readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ');
  } catch {
    return undefined;
  }
}

/** Reads `postmaster.pid` (pid, data dir, start time, port on its first lines). */
export async function readPostmasterPid(clusterDir: string): Promise<PostmasterInfo | undefined> {
  let text: string;
  try {
    text = await fs.readFile(path.join(clusterDir, 'postmaster.pid'), 'utf8');
  } catch {
    return undefined;
  }
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  return { pid, clusterDir: lines[1]?.trim() ?? '', port };
}

const realPath = (dir: string): Promise<string> => fs.realpath(dir).catch(() => path.resolve(dir));

/** A postmaster that is alive and is PostgreSQL serving this very cluster. */
export async function findLivePostmaster(clusterDir: string): Promise<PostmasterInfo | undefined> {
  const info = await readPostmasterPid(clusterDir);
  if (!info || !isProcessAlive(info.pid)) return undefined;
  if ((await realPath(info.clusterDir)) !== (await realPath(clusterDir))) return undefined;
  const cmdline = await processCommandLine(info.pid);
  // Where /proc exists, make sure the pid was not reused by an unrelated process.
  if (cmdline !== undefined && !cmdline.includes('postgres')) return undefined;
  return info;
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isProcessAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !isProcessAlive(pid);
}

/**
 * Stops a postmaster left behind by a server that was killed (SIGKILL leaves PostgreSQL
 * running with a postmaster.pid that makes a new start fail).
 */
export async function stopOrphan(info: PostmasterInfo, logger: Logger, timeoutMs: number): Promise<void> {
  logger.warn({ pid: info.pid }, 'stopping a PostgreSQL left running by a previous server');
  process.kill(info.pid, 'SIGINT');
  if (await waitForExit(info.pid, timeoutMs)) return;
  process.kill(info.pid, 'SIGQUIT');
  if (!(await waitForExit(info.pid, 5_000))) {
    throw new EmbeddedPostgresError(
      `A previous PostgreSQL (pid ${info.pid}) did not stop; stop it and retry.`,
      'EMBEDDED_POSTGRES_STOP_FAILED',
    );
  }
}
