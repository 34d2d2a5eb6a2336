import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type AuthSession } from '@veza/shared';
import { loadConfig } from './infra/config.js';
import { clusterPaths, findLivePostmaster, isProcessAlive, readPostmasterPid } from './infra/db/embedded-postgres.js';
import { createLogger } from './infra/logger.js';
import { startServer, type RunningServer } from './runtime.js';
import { CLI, buildServer } from './test-support/built-cli.js';
import { MIGRATIONS } from './infra/db/migrations/index.js';
import { createTestDatabase, type TestDatabase } from './test-support/database.js';

/*
 * Spawns the built CLI (apps/server/dist/cli.js) with plain node, as users run it: tsx is not
 * installed and vitest's transform does not reach child processes. beforeAll builds with
 * `tsc -b` first, because a dist left over from an earlier commit would silently test old code.
 * `tsc -b` is incremental (well under a second when nothing changed) and a lock directory keeps
 * two test files from building at once, so one file's build never rewrites dist/ while another
 * file's child is loading it.
 *
 * Data dirs are mkdtemp dirs directly under the tmpdir: as root, the embedded PostgreSQL runs as
 * the postgres user, which must be able to traverse every parent of its data dir.
 */

const USAGE_HEADER = 'Usage: veza-server [command]';

const isRunning = async (pid: number): Promise<boolean> => isProcessAlive(pid);

// Everything this file starts, so afterAll can stop it by pid even when a test failed midway.
const tempDirs: string[] = [];
const children = new Set<ChildProcess>();
const servers: RunningServer[] = [];
const databases: TestDatabase[] = [];
const logger = createLogger('silent');

async function tempDataDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'veza-cli-'));
  tempDirs.push(dir);
  return dir;
}

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to completion; the environment holds only what the test passes (no DATABASE_URL, no VEZA_*). */
async function runCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => key !== 'DATABASE_URL' && !key.startsWith('VEZA_')),
  );
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: env.VEZA_DATA_DIR ?? os.tmpdir(),
    env: { ...base, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const code = await new Promise<number | null>((resolve) => child.once('close', (exitCode) => resolve(exitCode)));
  clearTimeout(timer);
  children.delete(child);
  return { code, stdout, stderr };
}

/**
 * The CLI sends its PostgreSQL the stop signal before exiting; PostgreSQL is gone moments later.
 * (It does not wait for it today: see the report on EmbeddedPostgres.stop and child.unref.)
 */
async function expectNoPostgres(dataDir: string): Promise<void> {
  const { clusterDir } = clusterPaths(dataDir);
  // The CLI exits only after the PostgreSQL it started has stopped.
  expect(await findLivePostmaster(clusterDir)).toBeUndefined();
}

async function startInProcess(dataDir: string): Promise<RunningServer> {
  const server = await startServer(loadConfig({ VEZA_DATA_DIR: dataDir, VEZA_PORT: '0', VEZA_LOG_LEVEL: 'silent' }), {
    logger,
  });
  servers.push(server);
  return server;
}

async function login(server: RunningServer, loginName: string, password: string): Promise<Response> {
  return fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: loginName, password }),
  });
}

beforeAll(async () => {
  await buildServer();
}, 180_000);

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  for (const server of servers) await server.close().catch(() => undefined);
  // A PostgreSQL that a CLI child started and did not get to stop: stop it by its pid.
  for (const dir of tempDirs) {
    const postmaster = await findLivePostmaster(clusterPaths(dir).clusterDir).catch(() => undefined);
    if (postmaster && (await isRunning(postmaster.pid))) {
      process.kill(postmaster.pid, 'SIGINT');
      for (let i = 0; i < 400 && (await isRunning(postmaster.pid)); i++) await new Promise((r) => setTimeout(r, 50));
    }
  }
  await Promise.all(databases.map((database) => database.drop()));
  await Promise.all(tempDirs.map((dir) => fs.rm(dir, { recursive: true, force: true })));
}, 120_000);

describe('veza-server user create', () => {
  it('prints a generated password that signs in, with the given role (no server running)', async () => {
    const dataDir = await tempDataDir();
    const result = await runCli(
      ['user', 'create', '--email', 'root@example.test', '--username', 'rootadmin', '--role', 'admin'],
      { VEZA_DATA_DIR: dataDir },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Created admin rootadmin <root@example\.test> \(id [0-9a-f-]{36}\)\.$/m);
    const password = /^Password: (\S+)$/m.exec(result.stdout)?.[1];
    expect(password).toBeDefined();
    expect(password!.length).toBeGreaterThanOrEqual(20);
    expect(result.stderr).toContain('Applied migrations 1');

    // The CLI ran its own embedded PostgreSQL on the data dir and stopped it.
    expect(existsSync(path.join(clusterPaths(dataDir).clusterDir, 'PG_VERSION'))).toBe(true);
    await expectNoPostgres(dataDir);
    const server = await startInProcess(dataDir);
    const response = await login(server, 'rootadmin', password!);
    expect(response.status, await response.clone().text()).toBe(200);
    expect(((await response.json()) as AuthSession).user).toMatchObject({
      username: 'rootadmin',
      email: 'root@example.test',
      role: 'admin',
    });
    expect((await login(server, 'rootadmin', `${password}x`)).status).toBe(401);
    await server.close();
  });

  describe('while a server runs on the same data dir', () => {
    let dataDir: string;
    let server: RunningServer;
    let postmasterPid: number;

    beforeAll(async () => {
      dataDir = await tempDataDir();
      server = await startInProcess(dataDir);
      postmasterPid = (await readPostmasterPid(clusterPaths(dataDir).clusterDir))!.pid;
    });
    afterAll(async () => {
      await server?.close();
    });

    it("uses the server's PostgreSQL: the new account signs in through the running server", async () => {
      const result = await runCli(
        [
          'user',
          'create',
          '--email',
          'mod@example.test',
          '--username',
          'moddy',
          '--role',
          'moderator',
          '--password',
          'chosen-password-1',
        ],
        { VEZA_DATA_DIR: dataDir },
      );
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('Created moderator moddy <mod@example.test>');
      expect(result.stdout).not.toContain('Password:');

      // Same cluster, still running: the CLI neither started its own nor stopped the server's.
      expect((await readPostmasterPid(clusterPaths(dataDir).clusterDir))?.pid).toBe(postmasterPid);
      expect(await isRunning(postmasterPid)).toBe(true);
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);

      const response = await login(server, 'mod@example.test', 'chosen-password-1');
      expect(response.status, await response.clone().text()).toBe(200);
      expect(((await response.json()) as AuthSession).user).toMatchObject({ username: 'moddy', role: 'moderator' });
    });

    it('generates a password there too', async () => {
      const result = await runCli(['user', 'create', '--email', 'lis@example.test', '--username', 'lis'], {
        VEZA_DATA_DIR: dataDir,
      });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('Created listener lis <lis@example.test>');
      const password = /^Password: (\S+)$/m.exec(result.stdout)?.[1];
      expect((await login(server, 'lis', password!)).status).toBe(200);
    });

    it('refuses an email that is taken, with exit code 1', async () => {
      const result = await runCli(['user', 'create', '--email', 'MOD@example.test', '--username', 'other'], {
        VEZA_DATA_DIR: dataDir,
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('An account with this email already exists.');
      expect(result.stdout).not.toContain('Password:');
    });

    it('`migrate` exits 0 and has nothing to apply', async () => {
      const result = await runCli(['migrate'], { VEZA_DATA_DIR: dataDir });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toBe('');
      expect(await isRunning(postmasterPid)).toBe(true);
    });

    it('refuses a second server on the data dir and leaves the first one running', async () => {
      const result = await runCli(['serve'], { VEZA_DATA_DIR: dataDir, VEZA_PORT: '0' });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`The data dir ${dataDir} is in use by another Veza process (pid ${process.pid})`);
      expect((await readPostmasterPid(clusterPaths(dataDir).clusterDir))?.pid).toBe(postmasterPid);
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    });
  });

  describe('usage errors exit with code 2 before touching the data dir', () => {
    const cases: [string, string[], string][] = [
      ['an invalid --email', ['--email', 'not-an-email', '--username', 'valid'], '--email is invalid'],
      ['a missing --email', ['--username', 'valid'], '--email is required.'],
      ['a missing --username', ['--email', 'a@example.test'], '--username is required.'],
      ['an invalid --username', ['--email', 'a@example.test', '--username', 'no spaces'], '--username is invalid'],
      [
        'a short --password',
        ['--email', 'a@example.test', '--username', 'valid', '--password', 'short'],
        '--password is invalid',
      ],
      [
        'an unknown --role',
        ['--email', 'a@example.test', '--username', 'valid', '--role', 'superuser'],
        `--role must be one of ${ROLES.join(', ')}.`,
      ],
    ];

    it.each(cases)('%s', async (_name, args, message) => {
      const dataDir = await tempDataDir();
      const result = await runCli(['user', 'create', ...args], { VEZA_DATA_DIR: dataDir });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stderr).toContain(USAGE_HEADER);
      expect(result.stdout).toBe('');
      expect(await fs.readdir(dataDir)).toEqual([]);
    });
  });
});

describe('veza-server migrate', () => {
  it('migrates a fresh embedded data dir, exits 0 and stops its PostgreSQL', async () => {
    const dataDir = await tempDataDir();
    const first = await runCli(['migrate'], { VEZA_DATA_DIR: dataDir });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain('Applied migrations 1');
    await expectNoPostgres(dataDir);

    const second = await runCli(['migrate'], { VEZA_DATA_DIR: dataDir });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).not.toContain('Applied migrations');
    await expectNoPostgres(dataDir);
  });

  it('migrates the database named by DATABASE_URL', async () => {
    const database = await createTestDatabase({ migrated: false });
    databases.push(database);
    const dataDir = await tempDataDir();
    const result = await runCli(['migrate'], { VEZA_DATA_DIR: dataDir, DATABASE_URL: database.connectionString });
    expect(result.code, result.stderr).toBe(0);
    const { rows } = await database.db.query<{ version: number }>(
      'SELECT version FROM schema_migrations ORDER BY version',
    );
    expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    // No embedded PostgreSQL was created for it.
    expect(existsSync(clusterPaths(dataDir).clusterDir)).toBe(false);
  });
});

describe('veza-server command line', () => {
  it('exits 2 with the usage on an unknown command', async () => {
    const result = await runCli(['frobnicate'], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Unknown command "frobnicate".');
    expect(result.stderr).toContain(USAGE_HEADER);
  });

  it('exits 2 on an unknown user subcommand', async () => {
    const result = await runCli(['user', 'delete'], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Unknown user command "delete".');
  });

  it('prints the usage on --help and exits 0', async () => {
    const result = await runCli(['--help'], {});
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(USAGE_HEADER);
    expect(result.stdout).toContain('user create --email <email> --username <name>');
  });

  it('prints the usage on an unknown option and fails', async () => {
    const result = await runCli(['user', 'create', '--email', 'a@example.test', '--username', 'x1x', '--bogus'], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Unknown option '--bogus'");
    expect(result.stderr).toContain(USAGE_HEADER);
  });

  it('exits 2 on invalid configuration, listing the problems', async () => {
    const result = await runCli(['migrate'], { VEZA_PORT: '70000', VEZA_LOG_LEVEL: 'loud' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Invalid configuration:');
    expect(result.stderr).toContain('VEZA_PORT must be an integer between 0 and 65535 (got "70000")');
    expect(result.stderr).toContain('VEZA_LOG_LEVEL must be one of');
  });
});
