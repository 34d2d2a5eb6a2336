import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthSession } from '@veza/shared';
import { createLogger } from '../logger.js';
import { DataDirBusyError, acquireDataDir, readOwner } from './data-dir-lock.js';
import { CLI, buildServer } from '../../test-support/built-cli.js';
import { spawnServer, stopAllServers, stopChild } from '../../test-support/server-process.js';
import {
  EmbeddedPostgres,
  clusterPaths,
  findLivePostmaster,
  isProcessAlive,
  readPostmasterPid,
} from './embedded-postgres.js';
import { withClient } from './with-client.js';

/*
 * Always runs, whether or not DATABASE_URL is set: these tests start their own clusters in temp
 * data dirs (each a mkdtemp dir directly under the world-traversable tmpdir; data dirs the
 * postgres user cannot reach are embedded-postgres-private-dirs.test.ts's).
 *
 * The SIGKILL test needs the server as a separate process, so it spawns the built CLI
 * (apps/server/dist/cli.js) with plain node: tsx is not installed and vitest's transform does
 * not reach child processes. beforeAll builds with `tsc -b` first, because a dist left over from
 * an earlier commit would silently test old code. `tsc -b` is incremental (well under a second
 * when nothing changed) and a lock directory keeps two test files from building at once, so one
 * file's build never rewrites dist/ while another file's child is loading it.
 */

const DIST = path.dirname(CLI);
const logger = createLogger('silent');

const isRunning = async (pid: number): Promise<boolean> => isProcessAlive(pid);

async function waitUntil(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// Everything this file starts, so afterAll can stop it by pid even when a test failed midway.
const tempDirs: string[] = [];
const clusters: EmbeddedPostgres[] = [];
// Helper processes spawned here (servers are tracked by the server-process helper).
const children = new Set<ChildProcess>();

async function tempDataDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'veza-embedded-pg-'));
  tempDirs.push(dir);
  return dir;
}

beforeAll(async () => {
  await buildServer();
}, 180_000);

afterAll(async () => {
  for (const cluster of clusters) await cluster.stop().catch(() => undefined);
  await stopAllServers();
  await Promise.all([...children].map((child) => stopChild(child)));
  // A PostgreSQL left behind by a server this file killed: stop it by the pid in its data dir.
  for (const dir of tempDirs) {
    const orphan = await findLivePostmaster(clusterPaths(dir).clusterDir).catch(() => undefined);
    if (orphan && (await isRunning(orphan.pid))) {
      process.kill(orphan.pid, 'SIGINT');
      await waitUntil(async () => !(await isRunning(orphan.pid)), 20_000, 'the orphaned PostgreSQL stopped').catch(() =>
        process.kill(orphan.pid, 'SIGKILL'),
      );
    }
  }
  await Promise.all(tempDirs.map((dir) => fs.rm(dir, { recursive: true, force: true })));
}, 120_000);

describe('EmbeddedPostgres', () => {
  let dataDir: string;

  const startCluster = async (): Promise<EmbeddedPostgres> => {
    const cluster = new EmbeddedPostgres({ dataDir, logger });
    clusters.push(cluster);
    await cluster.start();
    return cluster;
  };

  beforeAll(async () => {
    dataDir = await tempDataDir();
  });

  it('initialises the cluster on first start and serves it on 127.0.0.1, not on 5432, with passwords', async () => {
    const { clusterDir, passwordFile, appPasswordFile } = clusterPaths(dataDir);
    expect(existsSync(path.join(clusterDir, 'PG_VERSION'))).toBe(false);

    const cluster = await startCluster();

    expect(existsSync(path.join(clusterDir, 'PG_VERSION'))).toBe(true);
    for (const file of [passwordFile, appPasswordFile]) {
      expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
      expect((await fs.readFile(file, 'utf8')).trim().length).toBeGreaterThanOrEqual(32);
    }
    const password = (await fs.readFile(passwordFile, 'utf8')).trim();
    const appPassword = (await fs.readFile(appPasswordFile, 'utf8')).trim();
    expect(appPassword).not.toBe(password);

    expect(cluster.listeningPort).toBeGreaterThan(0);
    expect(cluster.listeningPort).not.toBe(5432);
    expect(cluster.connectionString()).toBe(
      `postgres://veza_app:${encodeURIComponent(appPassword)}@127.0.0.1:${cluster.listeningPort}/veza`,
    );
    expect(cluster.adminConnectionString()).toBe(
      `postgres://veza:${encodeURIComponent(password)}@127.0.0.1:${cluster.listeningPort}/postgres`,
    );
    expect(await readPostmasterPid(clusterDir)).toMatchObject({ clusterDir, port: cluster.listeningPort });

    await withClient(cluster.adminConnectionString(), async (client) => {
      const { rows } = await client.query<{ listen: string; sockets: string }>(
        `SELECT current_setting('listen_addresses') AS listen, current_setting('unix_socket_directories') AS sockets`,
      );
      expect(rows[0]).toEqual({ listen: '127.0.0.1', sockets: '' });
    });
    await withClient(cluster.connectionString(), async (client) => {
      const { rows } = await client.query<{ user: string; db: string }>(
        'SELECT current_user AS user, current_database() AS db',
      );
      expect(rows[0]).toEqual({ user: 'veza_app', db: 'veza' });
      await client.query('CREATE TABLE survivors (name text NOT NULL)');
      await client.query("INSERT INTO survivors VALUES ('first start')");
    });

    for (const user of ['veza', 'veza_app']) {
      const wrong = new pg.Client({
        connectionString: `postgres://${user}:wrong-password@127.0.0.1:${cluster.listeningPort}/veza`,
      });
      await expect(wrong.connect()).rejects.toMatchObject({ code: '28P01' });
      await wrong.end().catch(() => undefined);
    }
  });

  it('keeps data across stop and start', async () => {
    const first = clusters.at(-1)!;
    const { clusterDir, passwordFile } = clusterPaths(dataDir);
    const pid = (await readPostmasterPid(clusterDir))!.pid;
    const password = await fs.readFile(passwordFile, 'utf8');

    await first.stop();
    expect(await isRunning(pid)).toBe(false);
    expect(await readPostmasterPid(clusterDir)).toBeUndefined();

    const second = await startCluster();
    expect(await fs.readFile(passwordFile, 'utf8')).toBe(password);
    const rows = await withClient(second.connectionString(), async (client) => {
      await client.query("INSERT INTO survivors VALUES ('second start')");
      return (await client.query<{ name: string }>('SELECT name FROM survivors ORDER BY name')).rows;
    });
    expect(rows.map((r) => r.name)).toEqual(['first start', 'second start']);
    await second.stop();
  });

  const writePostmasterPid = async (pid: number): Promise<void> => {
    const { clusterDir } = clusterPaths(dataDir);
    // The layout PostgreSQL writes: pid, data dir, start time, port, socket dir, listen address, …
    await fs.writeFile(
      path.join(clusterDir, 'postmaster.pid'),
      `${pid}\n${clusterDir}\n${Math.floor(Date.now() / 1000)}\n54329\n\n127.0.0.1\n  5432001    131072\nready   \n`,
    );
  };

  it('starts despite a stale postmaster.pid whose process is dead', async () => {
    const done = spawn(process.execPath, ['-e', '']);
    const deadPid = done.pid!;
    await new Promise((resolve) => done.once('exit', resolve));
    expect(await isRunning(deadPid)).toBe(false);
    await writePostmasterPid(deadPid);

    const cluster = await startCluster();
    const info = await readPostmasterPid(clusterPaths(dataDir).clusterDir);
    expect(info?.pid).not.toBe(deadPid);
    expect(info?.port).toBe(cluster.listeningPort);
    const { rows } = await withClient(cluster.connectionString(), (client) =>
      client.query<{ count: string }>('SELECT count(*) FROM survivors'),
    );
    expect(Number(rows[0]!.count)).toBe(2);
    await cluster.stop();
  });

  it('starts when the stale pid now belongs to an unrelated live process, and leaves that process alone', async () => {
    const unrelated = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    children.add(unrelated);
    unrelated.once('exit', () => children.delete(unrelated));
    await writePostmasterPid(unrelated.pid!);

    const cluster = await startCluster();
    expect((await readPostmasterPid(clusterPaths(dataDir).clusterDir))?.pid).not.toBe(unrelated.pid);
    expect(await isRunning(unrelated.pid!)).toBe(true);
    await cluster.stop();
    await stopChild(unrelated);
  });
});

describe('data dir lock', () => {
  it('refuses a second owner while the first is alive, and lets a dead owner be taken over', async () => {
    const dataDir = await tempDataDir();
    const lockModule = pathToFileURL(path.join(DIST, 'infra/db/data-dir-lock.js')).href;
    const holder = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { acquireDataDir } = await import(${JSON.stringify(lockModule)});
         await acquireDataDir(${JSON.stringify(dataDir)});
         process.stdout.write('held\\n');
         setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    children.add(holder);
    const holderExited = new Promise((resolve) => holder.once('exit', resolve));
    void holderExited.then(() => children.delete(holder));
    await new Promise<void>((resolve, reject) => {
      holder.stdout!.on('data', () => resolve());
      holder.once('exit', (code) => reject(new Error(`lock holder exited with ${code}`)));
    });

    expect(await readOwner(dataDir)).toEqual({ pid: holder.pid });
    const refused = await acquireDataDir(dataDir).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(DataDirBusyError);
    expect(refused).toMatchObject({ dataDir, ownerPid: holder.pid });
    expect((refused as Error).message).toContain(`pid ${holder.pid}`);

    // Killed without a chance to clean up: the lock file stays, naming a dead pid.
    holder.kill('SIGKILL');
    await holderExited;
    const lockFile = path.join(dataDir, 'owner.pid');
    expect((await fs.readFile(lockFile, 'utf8')).trim()).toBe(String(holder.pid));
    expect(await readOwner(dataDir)).toBeUndefined();

    const release = await acquireDataDir(dataDir);
    expect((await fs.readFile(lockFile, 'utf8')).trim()).toBe(String(process.pid));
    expect((await fs.stat(lockFile)).mode & 0o777).toBe(0o600);
    await release();
    expect(existsSync(lockFile)).toBe(false);
  });

  it('does not remove a lock that another process took since (release only drops its own)', async () => {
    const dataDir = await tempDataDir();
    const release = await acquireDataDir(dataDir);
    const lockFile = path.join(dataDir, 'owner.pid');
    await fs.writeFile(lockFile, `${process.ppid}\n`);
    await release();
    expect((await fs.readFile(lockFile, 'utf8')).trim()).toBe(String(process.ppid));
  });
});

describe('recovery after the server is killed', () => {
  it('restarts on the same data dir after SIGKILL with the data intact, and stops PostgreSQL on SIGTERM', async () => {
    const dataDir = await tempDataDir();
    const { clusterDir } = clusterPaths(dataDir);
    const account = { email: 'survivor@example.test', username: 'survivor', password: 'survivor-password-1' };

    const first = await spawnServer(dataDir);
    const registered = await fetch(`${first.url}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(account),
    });
    expect(registered.status, await registered.clone().text()).toBe(201);
    const userId = ((await registered.json()) as AuthSession).user.id;
    const orphanPid = (await readPostmasterPid(clusterDir))!.pid;

    // SIGKILL gives the server no chance to stop its PostgreSQL, which keeps running.
    first.child.kill('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(await isRunning(orphanPid)).toBe(true);
    expect(await findLivePostmaster(clusterDir)).toMatchObject({ pid: orphanPid });

    const second = await spawnServer(dataDir);
    expect(second.output()).toContain('stopping a PostgreSQL left running by a previous server');
    expect(await isRunning(orphanPid)).toBe(false);
    const newPid = (await readPostmasterPid(clusterDir))!.pid;
    expect(newPid).not.toBe(orphanPid);

    const ready = await fetch(`${second.url}/readyz`);
    expect(ready.status).toBe(200);
    const login = await fetch(`${second.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: account.username, password: account.password }),
    });
    expect(login.status, await login.clone().text()).toBe(200);
    expect(((await login.json()) as AuthSession).user.id).toBe(userId);

    second.child.kill('SIGTERM');
    expect(await second.exited, second.output()).toEqual({ code: 0, signal: null });
    // The server exits only after PostgreSQL has stopped, and releases the data dir.
    expect(await isRunning(newPid)).toBe(false);
    expect(existsSync(path.join(clusterDir, 'postmaster.pid'))).toBe(false);
    expect(existsSync(path.join(dataDir, 'owner.pid'))).toBe(false);
    expect(await findLivePostmaster(clusterDir)).toBeUndefined();
  }, 120_000);
});
