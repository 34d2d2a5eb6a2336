import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../logger.js';
import { EmbeddedPostgresError } from './postgres-failure.js';
import { assertOnlyRootCanWrite, firstBlockedDirectory, type RunAs } from './run-as.js';

/*
 * The cluster lives in `<data dir>/postgres`. As root, PostgreSQL runs as the postgres user; when
 * that user cannot enter a directory above the data dir (a checkout in /root, mode 0700), no
 * cluster under the data dir can work without opening those directories, which are the owner's
 * business. The cluster then lives in `<clusters root>/<hash of the data dir's real path>`, owned
 * by postgres with mode 0700, and `<data dir>/postgres` is a symlink to it: the record of where
 * it is for the next start, for backups, and for whoever lists the data dir.
 */

export interface ClusterLocation {
  /** The directory PostgreSQL is given (-D). */
  pgdata: string;
  /** Set when the cluster is outside the data dir: the directory the postgres user cannot enter. */
  outsideDataDir?: { blockedAt: string | undefined };
  /** After a first initdb outside the data dir, the symlink to make at `<data dir>/postgres`. */
  pendingLink?: string;
}

const hasCluster = (dir: string): boolean => existsSync(path.join(dir, 'PG_VERSION'));

export function clusterDirectoryName(realDataDir: string): string {
  return createHash('sha256').update(realDataDir).digest('hex').slice(0, 16);
}

export interface LocateClusterOptions {
  dataDir: string;
  runAs: RunAs;
  /** Where clusters go when the data dir is out of the postgres user's reach. */
  clustersRoot: string;
  logger: Logger;
}

export async function locateCluster({
  dataDir,
  runAs,
  clustersRoot,
  logger,
}: LocateClusterOptions): Promise<ClusterLocation> {
  const inDataDir = path.join(dataDir, 'postgres');
  const entry = await fs.lstat(inDataDir).catch(() => undefined);
  const realDataDir = await fs.realpath(dataDir);
  const blockedAt = await firstBlockedDirectory(path.dirname(realDataDir), runAs);

  if (entry?.isSymbolicLink()) {
    const pgdata = path.resolve(dataDir, await fs.readlink(inDataDir));
    if (!hasCluster(pgdata))
      throw new EmbeddedPostgresError(
        `${inDataDir} points to ${pgdata}, which holds no PostgreSQL cluster: the database of this data dir ` +
          `is missing. Restore ${pgdata} from a backup; or, to start over with an empty database, remove ` +
          `${inDataDir} and ${path.join(dataDir, 'postgres.password')}.`,
        'EMBEDDED_POSTGRES_CLUSTER_LOCATION',
      );
    return { pgdata, outsideDataDir: { blockedAt } };
  }

  if (blockedAt === undefined) {
    if (runAs.uid !== undefined) {
      // The postgres user must be able to traverse the data dir (not list it) to reach its cluster.
      await fs.chmod(dataDir, 0o711);
    }
    return { pgdata: inDataDir };
  }

  if (entry?.isDirectory() && hasCluster(inDataDir))
    throw new EmbeddedPostgresError(
      `Running as root, PostgreSQL runs as the "${runAs.name ?? 'postgres'}" user, which cannot enter ` +
        `${blockedAt} to reach the cluster in ${inDataDir}. Move the data dir where that user can enter, ` +
        `or move the cluster out and leave a symlink (the server then finds it): ` +
        `mv ${inDataDir} ${path.join(clustersRoot, clusterDirectoryName(realDataDir))} && ` +
        `ln -s ${path.join(clustersRoot, clusterDirectoryName(realDataDir))} ${inDataDir}`,
      'EMBEDDED_POSTGRES_CLUSTER_LOCATION',
    );

  const created = await fs.mkdir(clustersRoot, { recursive: true });
  if (created !== undefined) {
    // Traversable, not listable: the names say nothing to others anyway.
    for (let dir = clustersRoot; dir.startsWith(created); dir = path.dirname(dir)) await fs.chmod(dir, 0o711);
  }
  await assertOnlyRootCanWrite(clustersRoot, 'EMBEDDED_POSTGRES_CLUSTER_LOCATION');
  const unreachable = await firstBlockedDirectory(clustersRoot, runAs);
  if (unreachable !== undefined)
    throw new EmbeddedPostgresError(
      `The "${runAs.name ?? 'postgres'}" user can enter neither ${blockedAt} (above the data dir) nor ` +
        `${unreachable} (above ${clustersRoot}), so the embedded PostgreSQL has nowhere to keep its cluster. ` +
        'Choose a VEZA_DATA_DIR it can enter, or set DATABASE_URL to use an external PostgreSQL.',
      'EMBEDDED_POSTGRES_CLUSTER_LOCATION',
    );

  const pgdata = path.join(clustersRoot, clusterDirectoryName(realDataDir));
  if (hasCluster(pgdata)) {
    // A cluster for this path that the data dir does not point to: its data dir was deleted and
    // made again. Never reuse it (its passwords are gone with the old data dir), never delete it.
    const aside = `${pgdata}.orphaned-${new Date().toISOString().replaceAll(':', '-')}`;
    await fs.rename(pgdata, aside);
    logger.warn(
      { kept: aside, dataDir },
      `found a PostgreSQL cluster of an earlier data dir at this path; kept it in ${aside}`,
    );
  }
  return { pgdata, outsideDataDir: { blockedAt }, pendingLink: inDataDir };
}

/** Makes `<data dir>/postgres` point at a cluster that initdb just made outside the data dir. */
export async function recordLocation(location: ClusterLocation): Promise<void> {
  if (!location.pendingLink) return;
  // An empty directory left by an initdb that failed in an earlier version holds nothing.
  await fs.rm(location.pendingLink, { recursive: true, force: true });
  await fs.symlink(location.pgdata, location.pendingLink);
}
