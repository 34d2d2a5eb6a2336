import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterKit, capturingLogger, isRoot, linkedInstallCopy } from '../../test-support/embedded-clusters.js';
import { clusterPaths, readPostmasterPid, type SystemDirs } from './embedded-postgres.js';

/*
 * A checkout in a directory only its owner can enter (/root/veza, 0700), run as root: PostgreSQL
 * runs as the postgres user, which can reach neither the binaries under node_modules nor a
 * cluster under the data dir. These tests make such directories under /tmp, and give the
 * cluster their own stand-ins for /var/cache/veza and /var/lib/veza/clusters.
 *
 * Not as root, PostgreSQL runs as the user who owns those directories: everything stays in place.
 */

const execFileAsync = promisify(execFile);
const kit = new ClusterKit();
let system: SystemDirs;

afterAll(() => kit.cleanup(), 120_000);

beforeAll(async () => {
  const root = await kit.tempDir('system');
  system = { installCache: [path.join(root, 'cache')], clusters: path.join(root, 'clusters') };
});

async function query<T extends pg.QueryResultRow>(connectionString: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

const postgresUid = async (): Promise<number> => Number((await execFileAsync('id', ['-u', 'postgres'])).stdout.trim());

describe('a data dir inside a directory the postgres user cannot enter', () => {
  let privateParent: string;
  let dataDir: string;
  let pgdata: string;

  beforeAll(async () => {
    privateParent = await kit.tempDir('private', 0o700);
    dataDir = path.join(privateParent, 'data');
  });

  it('keeps the cluster outside, says where once, leaves the directories alone, and finds it again', async () => {
    const { logger, lines } = capturingLogger();
    const first = kit.cluster({ dataDir, logger, systemDirs: system });
    await first.start();
    await query(first.connectionString(), "CREATE TABLE kept (note text); INSERT INTO kept VALUES ('first start')");

    const link = clusterPaths(dataDir).clusterDir;
    expect((await fs.stat(privateParent)).mode & 0o777).toBe(0o700);
    if (!isRoot) {
      expect((await fs.lstat(link)).isDirectory()).toBe(true);
      await first.stop();
      return;
    }
    expect((await fs.lstat(link)).isSymbolicLink()).toBe(true);
    pgdata = await fs.readlink(link);
    expect(path.dirname(pgdata)).toBe(system.clusters);
    const cluster = await fs.stat(pgdata);
    expect(cluster.uid).toBe(await postgresUid());
    expect(cluster.mode & 0o777).toBe(0o700);
    expect((await readPostmasterPid(link))?.clusterDir).toBe(pgdata);
    const told = lines.filter((line) => line.msg.includes(`keeps its cluster in ${pgdata}`));
    expect(told).toHaveLength(1);
    expect(told[0]!.msg).toContain(`cannot enter ${privateParent}`);
    await first.stop();

    const second = kit.cluster({ dataDir, systemDirs: system });
    await second.start();
    expect(await query(second.connectionString(), 'SELECT note FROM kept')).toEqual([{ note: 'first start' }]);
    expect(await fs.readlink(link)).toBe(pgdata);
    await second.stop();
  });

  // Root only: not as root, PostgreSQL runs as the owner of these directories and none of this happens.
  it.runIf(isRoot)(
    'does not reuse the cluster of a deleted data dir made again at the same path, and keeps it aside',
    async () => {
      await fs.rm(dataDir, { recursive: true });
      const { logger, lines } = capturingLogger();
      const fresh = kit.cluster({ dataDir, logger, systemDirs: system });
      await fresh.start();

      expect(await fs.readlink(clusterPaths(dataDir).clusterDir)).toBe(pgdata);
      expect(await query(fresh.connectionString(), "SELECT to_regclass('kept') IS NULL AS gone")).toEqual([
        { gone: true },
      ]);
      const aside = (await fs.readdir(system.clusters)).filter((name) =>
        name.startsWith(`${path.basename(pgdata)}.orphaned-`),
      );
      expect(aside).toHaveLength(1);
      await expect(fs.stat(path.join(system.clusters, aside[0]!, 'PG_VERSION'))).resolves.toBeTruthy();
      expect(lines.some((line) => line.msg.includes(`kept it in ${path.join(system.clusters, aside[0]!)}`))).toBe(true);
      await fresh.stop();
    },
  );

  // Root only: not as root, PostgreSQL runs as the owner of these directories and none of this happens.
  it.runIf(isRoot)('refuses to start over silently when the recorded cluster is gone', async () => {
    await fs.rm(pgdata, { recursive: true });
    const cluster = kit.cluster({ dataDir, systemDirs: system });
    const refused = await cluster.start().then(
      () => undefined,
      (error: unknown) => error as Error & { code?: string },
    );
    expect(refused?.code).toBe('EMBEDDED_POSTGRES_CLUSTER_LOCATION');
    expect(refused?.message).toContain(`points to ${pgdata}, which holds no PostgreSQL cluster`);
    expect(refused?.message).toContain('Restore');
  });
});

describe('PostgreSQL binaries inside a directory the postgres user cannot enter', () => {
  it('runs from a root-owned copy made once, and copies again when the copy is damaged', async () => {
    const privateInstall = await kit.tempDir('private-install', 0o700);
    const install = await linkedInstallCopy(path.join(privateInstall, 'postgresql'));
    const dataDir = await kit.tempDir('data');
    // A cache of its own: from a checkout that is itself private (a clone under /root), the tests
    // above already copied the same install into the shared stand-in.
    const cacheRoot = path.join(await kit.tempDir('install-cache'), 'cache');
    const systemDirs: SystemDirs = { ...system, installCache: [cacheRoot] };

    const { logger, lines } = capturingLogger();
    const copied = (): number => lines.filter((line) => line.msg.startsWith('copied PostgreSQL')).length;
    const start = async (): Promise<{ exe: string; stop: () => Promise<void> }> => {
      const cluster = kit.cluster({ dataDir, logger, install, systemDirs });
      await cluster.start();
      expect(await query(cluster.connectionString(), 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
      const pid = (await readPostmasterPid(clusterPaths(dataDir).clusterDir))!.pid;
      return { exe: await fs.readlink(`/proc/${pid}/exe`), stop: () => cluster.stop() };
    };

    const first = await start();
    await first.stop();
    if (!isRoot) {
      expect(first.exe).toBe(path.join(install.dir, 'bin', 'postgres'));
      return;
    }
    expect(copied()).toBe(1);
    const [copy] = await fs.readdir(cacheRoot);
    expect(copy).toMatch(new RegExp(`^postgres-${install.version.replaceAll('.', '\\.')}-[0-9a-f]{12}$`));
    const copyDir = path.join(cacheRoot, copy!);
    expect(first.exe).toBe(path.join(copyDir, 'bin', 'postgres'));
    for (const dir of [cacheRoot, copyDir, path.join(copyDir, 'bin'), path.join(copyDir, 'share')]) {
      const stat = await fs.stat(dir);
      expect({ dir, uid: stat.uid, mode: stat.mode & 0o777 }).toEqual({ dir, uid: 0, mode: 0o755 });
    }
    // Files that were one (hard links) stay one: ICU's 27 MB library is not copied three times.
    const icu = await Promise.all(
      ['libicudata.so', 'libicudata.so.60', 'libicudata.so.60.2'].map((name) =>
        fs.stat(path.join(copyDir, 'lib', name)),
      ),
    );
    expect(new Set(icu.map((stat) => stat.ino)).size).toBe(1);

    const second = await start();
    await second.stop();
    expect(second.exe).toBe(first.exe);
    expect(copied()).toBe(1);

    await fs.rm(path.join(copyDir, 'share', 'postgresql', 'postgres.bki'));
    const third = await start();
    await third.stop();
    expect(lines.some((line) => line.msg.includes('copy is incomplete; copying it again'))).toBe(true);
    expect(copied()).toBe(2);
    await expect(fs.stat(path.join(copyDir, 'share', 'postgresql', 'postgres.bki'))).resolves.toBeTruthy();
  });

  // Root only: not as root, PostgreSQL runs as the owner of these directories and none of this happens.
  it.runIf(isRoot)('never runs a copy from a cache directory someone other than root can change', async () => {
    const privateInstall = await kit.tempDir('private-install', 0o700);
    const install = await linkedInstallCopy(path.join(privateInstall, 'postgresql'));
    const untrusted = await kit.tempDir('untrusted-cache');
    await fs.chown(untrusted, await postgresUid(), 0);
    const trusted = await kit.tempDir('trusted-cache');
    const dataDir = await kit.tempDir('data');

    const alone = kit.cluster({ dataDir, install, systemDirs: { ...system, installCache: [untrusted] } });
    const refused = await alone.start().then(
      () => undefined,
      (error: unknown) => error as Error & { code?: string },
    );
    expect(refused?.code).toBe('EMBEDDED_POSTGRES_INSTALL');
    expect(refused?.message).toContain(`cannot enter ${privateInstall}`);
    expect(refused?.message).toContain(`${untrusted} must be a directory owned by root that only root can write to`);
    expect(await fs.readdir(untrusted)).toEqual([]);

    const cluster = kit.cluster({ dataDir, install, systemDirs: { ...system, installCache: [untrusted, trusted] } });
    await cluster.start();
    const pid = (await readPostmasterPid(clusterPaths(dataDir).clusterDir))!.pid;
    expect(await fs.readlink(`/proc/${pid}/exe`)).toMatch(new RegExp(`^${trusted}/postgres-[^/]+/bin/postgres$`));
    await cluster.stop();
  });
});
