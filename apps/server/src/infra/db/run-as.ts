import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { EmbeddedPostgresError, type EmbeddedPostgresErrorCode } from './postgres-failure.js';

const execFileAsync = promisify(execFile);

/** The user PostgreSQL runs as: this process's own (empty), or, as root, the postgres user. */
export interface RunAs {
  uid?: number;
  gid?: number;
  name?: string;
}

const RUN_AS_NAME = 'postgres';

/** PostgreSQL refuses to run as root; as root we run it as the `postgres` system user. */
export async function resolveRunAs(): Promise<RunAs> {
  if (process.platform === 'win32' || process.getuid?.() !== 0) return {};
  const lookup = async (): Promise<RunAs> => {
    const [uid, gid] = await Promise.all([
      execFileAsync('id', ['-u', RUN_AS_NAME]),
      execFileAsync('id', ['-g', RUN_AS_NAME]),
    ]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()), name: RUN_AS_NAME };
  };
  try {
    return await lookup();
  } catch {
    try {
      await execFileAsync('useradd', ['--system', '--user-group', '--no-create-home', RUN_AS_NAME]);
      return await lookup();
    } catch (error) {
      throw new EmbeddedPostgresError(
        `Running as root, PostgreSQL needs a "${RUN_AS_NAME}" system user and creating one failed: ${String(error)}`,
      );
    }
  }
}

/**
 * Whether `runAs` may search (x) a directory, by its owner, group and mode bits. Only the
 * primary group counts: Node drops supplementary groups when it starts a process as another user.
 */
function maySearch(stat: { uid: number; gid: number; mode: number }, runAs: RunAs): boolean {
  if (stat.uid === runAs.uid) return (stat.mode & 0o100) !== 0;
  if (stat.gid === runAs.gid) return (stat.mode & 0o010) !== 0;
  return (stat.mode & 0o001) !== 0;
}

/**
 * The first directory on the way to `dir` (`dir` included) that `runAs` cannot enter, or
 * undefined when it can reach `dir`. Always undefined when PostgreSQL runs as ourselves.
 */
export async function firstBlockedDirectory(dir: string, runAs: RunAs): Promise<string | undefined> {
  if (runAs.uid === undefined) return undefined;
  // The real path: the postgres user follows symlinks through their targets' directories.
  const target = await fs.realpath(dir);
  const chain: string[] = [];
  for (let current = target; ; current = path.dirname(current)) {
    chain.unshift(current);
    if (path.dirname(current) === current) break;
  }
  for (const current of chain) {
    if (!maySearch(await fs.stat(current), runAs)) return current;
  }
  return undefined;
}

/**
 * As root we run programs and keep clusters in `dir`: nobody but root may be able to change
 * it or any directory above it, or they could swap what root hands to PostgreSQL. A sticky
 * directory such as /tmp is fine above `dir` (others cannot rename what root put there).
 */
export async function assertOnlyRootCanWrite(dir: string, code: EmbeddedPostgresErrorCode): Promise<void> {
  const target = await fs.realpath(dir);
  for (let current = target; ; current = path.dirname(current)) {
    const stat = await fs.lstat(current);
    const sticky = (stat.mode & 0o1000) !== 0 && current !== target;
    if (!stat.isDirectory() || stat.uid !== 0 || ((stat.mode & 0o022) !== 0 && !sticky)) {
      throw new EmbeddedPostgresError(
        `${current} must be a directory owned by root that only root can write to (root keeps PostgreSQL's ` +
          `files below it); it is owned by uid ${stat.uid} with mode ${(stat.mode & 0o7777).toString(8)}.`,
        code,
      );
    }
    if (path.dirname(current) === current) return;
  }
}
