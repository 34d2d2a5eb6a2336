import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE_CODES, PROTOCOL_VERSION, ROLES, type ApiKeyCreated, type AuthSession } from '@veza/shared';
import { SERVER_VERSION } from './infra/version.js';
import { skipWithoutNats, TEST_NATS_URL } from './test-support/nats.js';
import { TestSocket } from './test-support/ws-client.js';
import { loadConfig } from './infra/config.js';
import { clusterPaths, findLivePostmaster, isProcessAlive, readPostmasterPid } from './infra/db/embedded-postgres.js';
import { createLogger } from './infra/logger.js';
import { startServer, type RunningServer } from './runtime.js';
import { CLI, REPO_ROOT, buildServer } from './test-support/built-cli.js';
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

const USAGE_HEADER = 'Usage: veza-server [--config <file>] [command]';

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
    expect(result.stderr).toContain(
      'UNKNOWN_COMMAND: Unknown user command "delete"; use one of create, list, set-role, reset-password, disable, enable.',
    );
    expect(result.stderr).toContain(USAGE_HEADER);
  });

  it('prints the usage, with every verb, on --help and exits 0', async () => {
    const result = await runCli(['--help'], {});
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(USAGE_HEADER);
    expect(result.stdout).toContain('user create --email <email> --username <name>');
    for (const verb of [
      'serve',
      'migrate',
      'user list',
      'user set-role',
      'user reset-password',
      'user disable',
      'user enable',
    ])
      expect(result.stdout).toContain(`  ${verb}`);
    expect(result.stdout).toContain('--version');
    expect(result.stdout).toContain('--config <file>');
  });

  it('prints its version with --version, whatever the configuration', async () => {
    const result = await runCli(['--version'], { VEZA_PORT: 'not a port' });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`veza-server ${SERVER_VERSION}\n`);
    const pkg = JSON.parse(await fs.readFile(path.join(REPO_ROOT, 'apps/server/package.json'), 'utf8')) as {
      version: string;
    };
    expect(SERVER_VERSION).toBe(pkg.version);
  });

  it('writes every error as CODE: message', async () => {
    const result = await runCli(['migrate', 'now'], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^UNEXPECTED_ARGUMENT: "migrate" takes no arguments \(got "now"\)\.\n/);
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
    expect(result.stderr).toContain('CONFIG_INVALID: Invalid configuration:');
    expect(result.stderr).toContain('VEZA_PORT must be an integer between 0 and 65535 (got "70000")');
    expect(result.stderr).toContain('VEZA_LOG_LEVEL must be one of');
  });
});

describe('veza-server user administration, while a server runs on the data dir', () => {
  let dataDir: string;
  let server: RunningServer;
  let wsUrl: string;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    dataDir = await tempDataDir();
    server = await startInProcess(dataDir);
    wsUrl = `${server.url.replace(/^http/, 'ws')}/api/v1/ws`;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await server?.close();
  });

  const post = (url: string, body: unknown, token?: string): Promise<Response> =>
    fetch(`${server.url}/api/v1${url}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
  async function register(username: string, password = 'first-password-1'): Promise<AuthSession> {
    const response = await post('/auth/register', { email: `${username}@example.test`, username, password });
    expect(response.status, await response.clone().text()).toBe(201);
    return (await response.json()) as AuthSession;
  }
  const refresh = (refreshToken: string): Promise<Response> => post('/auth/refresh', { refreshToken });
  const me = (token: string): Promise<Response> =>
    fetch(`${server.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
  async function openSocket(token: string): Promise<TestSocket> {
    const socket = await TestSocket.open(wsUrl);
    sockets.push(socket);
    socket.send({ type: 'hello', protocol: PROTOCOL_VERSION, token, cursors: {} });
    await socket.next((frame) => frame.type === 'welcome', 'welcome');
    return socket;
  }
  const cli = (args: string[]): Promise<CliResult> => runCli(args, { VEZA_DATA_DIR: dataDir });

  it('`user list` shows every account in aligned columns', async () => {
    const { user } = await register('lister');
    const result = await cli(['user', 'list']);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID {36}USERNAME +EMAIL +ROLE +STATUS +CREATED \(UTC\)$/);
    const row = lines.find((line) => line.startsWith(user.id));
    expect(row).toMatch(
      new RegExp(`^${user.id}  lister +lister@example\\.test +listener +active +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d$`),
    );
    // Columns line up: every field starts where its header does.
    const emailColumn = lines[0]!.indexOf('EMAIL');
    expect(row!.indexOf('lister@example.test')).toBe(emailColumn);
  });

  it('`user set-role` changes the role, checks it against the roles, and says when nothing changes', async () => {
    await register('promoted');
    const result = await cli(['user', 'set-role', '--username', 'Promoted', '--role', 'moderator']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('promoted <promoted@example.test> is now moderator (was listener).\n');
    const signedIn = (await (await login(server, 'promoted', 'first-password-1')).json()) as AuthSession;
    expect(signedIn.user.role).toBe('moderator');

    const again = await cli(['user', 'set-role', '--email', 'promoted@example.test', '--role', 'moderator']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('is already moderator; nothing changed.');

    const bad = await cli(['user', 'set-role', '--username', 'promoted', '--role', 'owner']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`INVALID_OPTION: --role must be one of ${ROLES.join(', ')}.`);
  });

  it('`user reset-password` prints a new password, and signs the account out everywhere', async () => {
    const session = await register('forgetful');
    const socket = await openSocket(session.accessToken);

    const result = await cli(['user', 'reset-password', '--email', 'forgetful@example.test']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^New password set for forgetful <forgetful@example\.test>; 1 session ended\.\n/);
    const password = /^Password: (\S+)$/m.exec(result.stdout)?.[1];
    expect(password!.length).toBeGreaterThanOrEqual(20);

    // The socket opened before closes at once (the CLI's notice reaches the server through PostgreSQL).
    expect(await socket.closed()).toBe(CLOSE_CODES.UNAUTHORIZED);
    expect((await refresh(session.refreshToken)).status).toBe(401);
    expect((await me(session.accessToken)).status).toBe(401);
    expect((await login(server, 'forgetful', 'first-password-1')).status).toBe(401);
    expect((await login(server, 'forgetful', password!)).status).toBe(200);

    const chosen = await cli(['user', 'reset-password', '--username', 'forgetful', '--password', 'chosen-password-2']);
    expect(chosen.code, chosen.stderr).toBe(0);
    expect(chosen.stdout).toBe('New password set for forgetful <forgetful@example.test>; 1 session ended.\n');
    expect((await login(server, 'forgetful', 'chosen-password-2')).status).toBe(200);

    // The password rules of registration hold here too; nothing changes.
    const common = await cli(['user', 'reset-password', '--username', 'forgetful', '--password', 'password123']);
    expect(common.code).toBe(1);
    expect(common.stderr).toMatch(/^PASSWORD_TOO_COMMON: /);
    expect((await login(server, 'forgetful', 'chosen-password-2')).status).toBe(200);
  });

  it('`user disable` refuses sign-in, refresh and API keys, and closes every open connection; `enable` undoes it', async () => {
    const session = await register('troublesome');
    const created = await post(
      '/api-keys',
      { name: 'bot', scopes: ['profile:read', 'chat:read'] },
      session.accessToken,
    );
    expect(created.status, await created.clone().text()).toBe(201);
    const { key } = (await created.json()) as ApiKeyCreated;
    expect((await me(key)).status).toBe(200);
    const tokenSocket = await openSocket(session.accessToken);
    const keySocket = await openSocket(key);

    const result = await cli(['user', 'disable', '--id', session.user.id]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      'Disabled troublesome <troublesome@example.test>: 1 session ended and its open connections closed.',
    );

    expect(await tokenSocket.closed()).toBe(CLOSE_CODES.ACCOUNT_DISABLED);
    expect(await keySocket.closed()).toBe(CLOSE_CODES.ACCOUNT_DISABLED);
    const refused = await login(server, 'troublesome', 'first-password-1');
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({
      error: { code: 'ACCOUNT_DISABLED', message: "This account has been disabled by the server's administrator." },
    });
    // A wrong password learns nothing about the account.
    expect((await login(server, 'troublesome', 'wrong-password-1')).status).toBe(401);
    expect((await refresh(session.refreshToken)).status).toBe(401);
    expect((await me(session.accessToken)).status).toBe(401);
    expect((await me(key)).status).toBe(401);
    const refusedSocket = await TestSocket.open(wsUrl);
    sockets.push(refusedSocket);
    refusedSocket.send({ type: 'hello', protocol: PROTOCOL_VERSION, token: key, cursors: {} });
    expect(await refusedSocket.closed()).toBe(CLOSE_CODES.UNAUTHORIZED);

    const listed = await cli(['user', 'list']);
    expect(listed.stdout).toMatch(new RegExp(`^${session.user.id} .* disabled \\d{4}-\\d\\d-\\d\\d `, 'm'));
    const again = await cli(['user', 'disable', '--username', 'troublesome']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe('troublesome <troublesome@example.test> was already disabled; 0 sessions ended.\n');

    const enabled = await cli(['user', 'enable', '--email', 'TROUBLESOME@example.test']);
    expect(enabled.code, enabled.stderr).toBe(0);
    expect(enabled.stdout).toBe('Enabled troublesome <troublesome@example.test>; it can sign in again.\n');
    expect((await login(server, 'troublesome', 'first-password-1')).status).toBe(200);
    // The API key was kept, and works again.
    expect((await me(key)).status).toBe(200);
    const notDisabled = await cli(['user', 'enable', '--username', 'troublesome']);
    expect(notDisabled.stdout).toBe('troublesome <troublesome@example.test> is not disabled.\n');
  });

  it('says which account it could not find, with exit code 1', async () => {
    const result = await cli(['user', 'disable', '--username', 'ghost']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('NOT_FOUND: No account has the username "ghost".\n');
  });

  it.each([
    ['no account named', ['set-role', '--role', 'admin'], 'MISSING_OPTION: Name the account with exactly one of'],
    [
      'two accounts named',
      ['disable', '--email', 'a@example.test', '--username', 'a'],
      'INVALID_OPTION: Name the account with exactly one of --email, --username or --id (got --email and --username).',
    ],
    ['an id that is no uuid', ['enable', '--id', '42'], 'INVALID_OPTION: --id is invalid'],
    ['a missing --role', ['set-role', '--username', 'a'], 'MISSING_OPTION: --role is required.'],
    ['a short new password', ['reset-password', '--username', 'a', '--password', 'short'], '--password is invalid'],
    ['a stray argument', ['list', 'everyone'], 'UNEXPECTED_ARGUMENT:'],
    ['no verb', [], 'UNKNOWN_COMMAND: "user" needs one of: create, list, set-role, reset-password, disable, enable.'],
  ])('exits 2 on %s, with the usage', async (_name, args, message) => {
    const result = await cli(['user', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain(USAGE_HEADER);
    expect(result.stdout).toBe('');
  });
});

describe('veza-server user disable, next to servers on NATS', () => {
  it.skipIf(skipWithoutNats)('reaches them through PostgreSQL like any account change', async () => {
    const dataDir = await tempDataDir();
    const server = await startServer(
      loadConfig({ VEZA_DATA_DIR: dataDir, VEZA_PORT: '0', VEZA_LOG_LEVEL: 'silent', VEZA_NATS_URL: TEST_NATS_URL }),
      { logger },
    );
    servers.push(server);
    const registered = await fetch(`${server.url}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'natsy@example.test', username: 'natsy', password: 'first-password-1' }),
    });
    const session = (await registered.json()) as AuthSession;
    const socket = await TestSocket.open(`${server.url.replace(/^http/, 'ws')}/api/v1/ws`);
    socket.send({ type: 'hello', protocol: PROTOCOL_VERSION, token: session.accessToken, cursors: {} });
    await socket.next((frame) => frame.type === 'welcome', 'welcome');

    // The CLI is not even told where NATS is.
    const result = await runCli(['user', 'disable', '--username', 'natsy'], { VEZA_DATA_DIR: dataDir });
    expect(result.code, result.stderr).toBe(0);
    expect(await socket.closed()).toBe(CLOSE_CODES.ACCOUNT_DISABLED);
    await server.close();
  });
});

describe('veza-server user list', () => {
  it('tells how to create the first admin when there is no account', async () => {
    const database = await createTestDatabase();
    databases.push(database);
    const dataDir = await tempDataDir();
    const result = await runCli(['user', 'list'], { VEZA_DATA_DIR: dataDir, DATABASE_URL: database.connectionString });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(
      'No accounts yet. Create the first admin with:\n  veza-server user create --email <email> --username <name> --role admin\n',
    );
  });
});

describe('veza-server --config', () => {
  it('reads the settings of any command from the file', async () => {
    const database = await createTestDatabase();
    databases.push(database);
    const dir = await tempDataDir();
    const file = path.join(dir, 'veza.env');
    await fs.writeFile(file, `# test\nDATABASE_URL=${database.connectionString}\nVEZA_DATA_DIR=${dir}\n`);
    for (const args of [
      ['--config', file, 'user', 'create', '--email', 'cfg@example.test', '--username', 'cfg'],
      ['user', 'list', `--config=${file}`],
    ]) {
      const result = await runCli(args, {});
      expect(result.code, result.stderr).toBe(0);
    }
    const { rows } = await database.db.query<{ username: string }>('SELECT username FROM users');
    expect(rows).toEqual([{ username: 'cfg' }]);
  });

  it('reports a typo in the file as a configuration problem, with exit code 2', async () => {
    const dir = await tempDataDir();
    const file = path.join(dir, 'veza.env');
    await fs.writeFile(file, 'VEZA_PROT=8080\n');
    const result = await runCli(['migrate'], { VEZA_CONFIG_FILE: file });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${file} line 1: VEZA_PROT is not a Veza server setting (did you mean VEZA_PORT?)`);
    expect(await fs.readdir(dir)).toEqual(['veza.env']);
  });

  it('exits 2 when --config has no path', async () => {
    const result = await runCli(['user', 'list', '--config'], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('MISSING_OPTION: --config needs the path of a configuration file.');
  });
});

describe('the veza-server command that pnpm links', () => {
  const SHIM = fileURLToPath(new URL('../bin/veza-server.js', import.meta.url));

  it('is the committed shim, executable, which runs the built CLI', async () => {
    const pkg = JSON.parse(await fs.readFile(path.join(REPO_ROOT, 'apps/server/package.json'), 'utf8')) as {
      bin: Record<string, string>;
    };
    expect(path.resolve(REPO_ROOT, 'apps/server', pkg.bin['veza-server']!)).toBe(SHIM);
    expect((await fs.stat(SHIM)).mode & 0o111).toBe(0o111);
    expect((await fs.readFile(SHIM, 'utf8')).startsWith('#!/usr/bin/env node\n')).toBe(true);

    const child = spawn(SHIM, ['--version'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(code).toBe(0);
    expect(stdout).toBe(`veza-server ${SERVER_VERSION}\n`);
  });

  it('says in one sentence to build first when dist/ is missing', async () => {
    // A copy of the package without its build, as on a fresh clone.
    const fresh = await tempDataDir();
    await fs.mkdir(path.join(fresh, 'bin'));
    await fs.copyFile(SHIM, path.join(fresh, 'bin/veza-server.js'));
    await fs.writeFile(path.join(fresh, 'package.json'), '{ "type": "module" }\n');
    const child = spawn(process.execPath, [path.join(fresh, 'bin/veza-server.js'), 'user', 'list'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(code).toBe(1);
    expect(stderr).toBe(
      'NOT_BUILT: veza-server is not built yet: run `npm run build` at the root of the repository, then try again.\n',
    );
  });
});
