#!/usr/bin/env node
/**
 * Auth benchmark: server start time on an existing data dir, and throughput of login, /me and
 * /healthz. The server runs as a separate child process (built code, embedded PostgreSQL in a
 * temporary data dir, 127.0.0.1 only); this process is only the load generator.
 *
 *   node scripts/bench/auth.mjs            (or `pnpm bench`, which runs every bench file)
 *
 * Prints Markdown tables and writes scripts/bench/results/auth.json. Stops everything it started
 * and removes its temporary directory, also on error; gives up after HARD_TIMEOUT_MS.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(ROOT, 'apps/server/dist/cli.js');
const RESULTS_DIR = path.join(ROOT, 'scripts/bench/results');
const RESULTS_FILE = path.join(RESULTS_DIR, 'auth.json');

const HARD_TIMEOUT_MS = 180_000;
const START_RUNS = 5;
const FIRST_START_TIMEOUT_MS = 90_000;
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;
const READY_POLL_MS = 10;
const WARMUP_SECONDS = 2;
/** Seconds per throughput run; VEZA_BENCH_DURATION shortens it for a quick check. */
const DEFAULT_DURATION = 10;
const DURATION =
  Number(process.env.VEZA_BENCH_DURATION) > 0 ? Number(process.env.VEZA_BENCH_DURATION) : DEFAULT_DURATION;
const USER = { email: 'bench@example.com', username: 'bench', password: 'bench-password-1234' };
/** Linux clock ticks per second for /proc/<pid>/stat; 100 on every mainstream kernel config. */
const CLOCK_TICKS = 100;

/** Children still running: stopped by PID on every exit path. */
const children = new Set();
let tmpRoot;
let dataDir;
let finishing = false;

// ---------------------------------------------------------------------------------------------
// Processes

function serverEnv(port, extra = {}) {
  const env = {};
  // Nothing from the caller's Veza configuration (an external DATABASE_URL, a port) leaks in.
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('VEZA_') && key !== 'DATABASE_URL' && key !== 'NODE_ENV') env[key] = value;
  }
  return {
    ...env,
    NODE_ENV: 'production',
    VEZA_DATA_DIR: dataDir,
    VEZA_HOST: '127.0.0.1',
    VEZA_PORT: String(port),
    VEZA_LOG_LEVEL: 'info',
    ...extra,
  };
}

/** A port nobody listens on right now (the server binds it a moment later). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function track(child, label, logFile) {
  const entry = { child, label, logFile, exit: undefined };
  entry.exit = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      children.delete(entry);
      resolve({ code, signal });
    });
    child.once('error', (error) => {
      children.delete(entry);
      resolve({ code: null, signal: null, error });
    });
  });
  children.add(entry);
  return entry;
}

async function logTail(file, lines = 20) {
  try {
    return (await fsp.readFile(file, 'utf8')).trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** GET/POST without keep-alive, so no idle connection outlives the call. */
function request(port, method, urlPath, { body, headers = {}, timeoutMs = 2000 } = {}) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: urlPath,
        agent: false,
        timeout: timeoutMs,
        headers: payload === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      },
      (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${urlPath} timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * Spawns `veza-server serve` and waits for /readyz to answer 200. Wall time runs from spawn to
 * that answer; startMs is the server's own figure from its "veza-server ready" log line.
 */
async function startServer(label, { env = {}, timeoutMs = START_TIMEOUT_MS } = {}) {
  const port = await freePort();
  const logFile = path.join(tmpRoot, 'logs', `${label}.log`);
  const log = fs.openSync(logFile, 'a');
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, [CLI, 'serve'], {
    cwd: ROOT,
    env: serverEnv(port, env),
    stdio: ['ignore', log, log],
    // Own process group: Ctrl-C in the terminal reaches only the benchmark, which then stops the
    // server with one SIGTERM (a second signal makes the server exit without a clean shutdown).
    detached: true,
  });
  fs.closeSync(log);
  const entry = track(child, label, logFile);
  let exited;
  void entry.exit.then((result) => (exited = result));

  const deadline = spawnedAt + timeoutMs;
  for (;;) {
    if (exited) {
      throw new Error(
        `server "${label}" exited during start-up (${JSON.stringify(exited)}):\n${await logTail(logFile)}`,
      );
    }
    try {
      const res = await request(port, 'GET', '/readyz', { timeoutMs: 1000 });
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (performance.now() > deadline) {
      throw new Error(`server "${label}" not ready within ${timeoutMs / 1000} s:\n${await logTail(logFile)}`);
    }
    await sleep(READY_POLL_MS);
  }
  const wallMs = performance.now() - spawnedAt;
  return { ...entry, port, wallMs, startMs: await readStartMs(logFile) };
}

async function readStartMs(logFile) {
  for (let attempt = 0; attempt < 20; attempt++) {
    const text = await fsp.readFile(logFile, 'utf8');
    for (const line of text.split('\n')) {
      if (!line.includes('veza-server ready')) continue;
      try {
        const record = JSON.parse(line);
        if (record.msg === 'veza-server ready') return record.startMs;
      } catch {
        // not a JSON line
      }
    }
    await sleep(50);
  }
  return undefined;
}

/** SIGTERM, wait; SIGKILL only when the server ignores it. Returns how long the stop took. */
async function stopProcess(entry, timeoutMs = STOP_TIMEOUT_MS) {
  const startedAt = performance.now();
  if (entry.child.exitCode !== null || entry.child.signalCode !== null) return 0;
  entry.child.kill('SIGTERM');
  const result = await Promise.race([entry.exit, sleep(timeoutMs).then(() => 'timeout')]);
  if (result === 'timeout') {
    console.error(`bench: ${entry.label} (pid ${entry.child.pid}) ignored SIGTERM for ${timeoutMs / 1000} s; SIGKILL`);
    entry.child.kill('SIGKILL');
    await Promise.race([entry.exit, sleep(5000)]);
  } else if (result.code !== 0) {
    console.error(`bench: ${entry.label} exited with ${JSON.stringify(result)}:\n${await logTail(entry.logFile)}`);
  }
  return performance.now() - startedAt;
}

async function postmasterPid() {
  if (!dataDir) return undefined;
  try {
    const pid = Number((await fsp.readFile(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Waits for the embedded PostgreSQL to be down: the server can exit before its PostgreSQL has
 * finished shutting down, and the next start must not find it still running. Returns the ms
 * waited, or undefined when PostgreSQL was already down.
 */
async function waitForPostgresDown(timeoutMs = 15_000) {
  const startedAt = performance.now();
  if (!(await postmasterPid())) return undefined;
  while (performance.now() - startedAt < timeoutMs) {
    await sleep(5);
    if (!(await postmasterPid())) return performance.now() - startedAt;
  }
  await stopLeftoverPostgres();
  return performance.now() - startedAt;
}

/** The embedded PostgreSQL of a server that did not stop it; only on error paths. */
async function stopLeftoverPostgres() {
  const pid = await postmasterPid();
  if (!pid) return;
  console.error(`bench: PostgreSQL (pid ${pid}) outlived its server; stopping it`);
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 100 && isAlive(pid); i++) await sleep(100);
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
}

/** Running, and not a zombie waiting to be reaped. */
function isAlive(pid) {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if (error.code !== 'EPERM') return false;
  }
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return process.platform !== 'linux';
  }
}

function runCli(args, label) {
  const logFile = path.join(tmpRoot, 'logs', `${label}.log`);
  const log = fs.openSync(logFile, 'a');
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: serverEnv(0), stdio: ['ignore', log, log] });
  fs.closeSync(log);
  const entry = track(child, label, logFile);
  return entry.exit.then(async (result) => {
    if (result.code !== 0)
      throw new Error(`veza-server ${args[0]} failed (${JSON.stringify(result)}):\n${await logTail(logFile)}`);
  });
}

// ---------------------------------------------------------------------------------------------
// CPU accounting (Linux /proc; figures are omitted elsewhere)

function procStat(pid) {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // After the command: state(0) ppid(1) ... utime(11) stime(12)
    return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined;
  }
}

/** CPU ticks of the server process and, separately, of everything below it (PostgreSQL). */
function treeTicks(rootPid) {
  if (process.platform !== 'linux') return undefined;
  const root = procStat(rootPid);
  if (!root) return undefined;
  const byParent = new Map();
  const stats = new Map();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = procStat(Number(name));
    if (!stat) continue;
    stats.set(Number(name), stat);
    if (!byParent.has(stat.ppid)) byParent.set(stat.ppid, []);
    byParent.get(stat.ppid).push(Number(name));
  }
  const perPid = new Map();
  const queue = [...(byParent.get(rootPid) ?? [])];
  while (queue.length > 0) {
    const pid = queue.pop();
    perPid.set(pid, stats.get(pid).ticks);
    queue.push(...(byParent.get(pid) ?? []));
  }
  return { server: root.ticks, children: perPid };
}

/** Busy and total CPU ticks of the whole machine, to see what other processes took meanwhile. */
function machineTicks() {
  try {
    const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((sum, value) => sum + value, 0);
    return { busy: total - fields[3] - (fields[4] ?? 0), total };
  } catch {
    return undefined;
  }
}

/** Cores used over an interval; children that exited meanwhile are not counted. */
function coresUsed(before, after, seconds) {
  if (!before || !after) return undefined;
  let childTicks = 0;
  for (const [pid, ticks] of after.children) childTicks += ticks - (before.children.get(pid) ?? 0);
  const cores = (ticks) => Math.round((ticks / CLOCK_TICKS / seconds) * 100) / 100;
  return { server: cores(after.server - before.server), postgres: cores(childTicks) };
}

// ---------------------------------------------------------------------------------------------
// Load

async function load(name, server, { connections, duration, warmup = true, ...requestOptions }) {
  // autocannon takes the path from the URL (a `path` option alone is ignored).
  const options = {
    url: `http://127.0.0.1:${server.port}${requestOptions.path}`,
    connections,
    pipelining: 1,
    timeout: 10,
    ...requestOptions,
  };
  if (warmup) await autocannon({ ...options, duration: WARMUP_SECONDS });
  const cpuBefore = treeTicks(server.child.pid);
  const machineBefore = machineTicks();
  const benchCpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  const result = await autocannon({ ...options, duration });
  const seconds = (performance.now() - startedAt) / 1000;
  const cpu = coresUsed(cpuBefore, treeTicks(server.child.pid), seconds);
  const benchCpu = process.cpuUsage(benchCpuBefore);
  const machineAfter = machineTicks();
  const machineBusy =
    machineBefore && machineAfter
      ? round((machineAfter.busy - machineBefore.busy) / CLOCK_TICKS / seconds, 2)
      : undefined;
  const statusCodes = Object.fromEntries(
    Object.entries(result.statusCodeStats ?? {}).map(([code, { count }]) => [code, Number(count)]),
  );
  if (result['2xx'] === 0) {
    throw new Error(`${name}: no 2xx answer in ${result.requests.total} requests (${JSON.stringify(statusCodes)})`);
  }
  return {
    name,
    method: requestOptions.method ?? 'GET',
    path: requestOptions.path,
    connections,
    durationSeconds: duration,
    requests: result.requests.total,
    requestsPerSecond: round(result.requests.average, 1),
    latencyMs: {
      average: round(result.latency.average, 2),
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
    },
    ok: result['2xx'],
    non2xx: result.non2xx,
    statusCodes,
    errors: result.errors,
    timeouts: result.timeouts,
    cpuCores: cpu && {
      ...cpu,
      loadGenerator: round((benchCpu.user + benchCpu.system) / 1e6 / seconds, 2),
      machine: machineBusy,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Reporting

const round = (value, digits = 0) => Math.round(value * 10 ** digits) / 10 ** digits;

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function table(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function report(results) {
  const { startup, throughput } = results;
  const out = [];
  out.push(`## Auth benchmark (${results.date})`, '');
  out.push(
    `${results.machine.cpus} × ${results.machine.cpuModel}, ${results.machine.memoryGiB} GiB, ` +
      `Node ${results.machine.node}, ${results.machine.platform}`,
    '',
  );
  out.push(`### Server start on an existing data dir (${startup.runs.length} runs)`, '');
  out.push(
    table(
      [
        '',
        'wall: spawn → /readyz 200 (ms)',
        'server startMs',
        'stop: SIGTERM → exit (ms)',
        'PostgreSQL down after exit (ms)',
      ],
      [
        [
          'median',
          ...['wallMs', 'startMs', 'stopMs', 'postgresDownAfterExitMs'].map((key) => startup[key].median ?? '–'),
        ],
        ['max', ...['wallMs', 'startMs', 'stopMs', 'postgresDownAfterExitMs'].map((key) => startup[key].max ?? '–')],
        ['first start (initdb)', startup.first.wallMs, startup.first.startMs ?? '–', startup.first.stopMs, '–'],
      ],
    ),
    '',
  );
  out.push('### Throughput', '');
  out.push(
    table(
      [
        'Request',
        'conns',
        's',
        'req/s (avg)',
        'p50 ms',
        'p99 ms',
        '2xx',
        'non-2xx',
        'errors (incl. timeouts)',
        'CPU cores: server / pg / bench / whole machine',
      ],
      throughput.map((run) => [
        run.name,
        run.connections,
        run.durationSeconds,
        run.requestsPerSecond,
        run.latencyMs.p50,
        run.latencyMs.p99,
        run.ok,
        run.non2xx === 0
          ? 0
          : `${run.non2xx} (${Object.entries(run.statusCodes)
              .filter(([code]) => !code.startsWith('2'))
              .map(([code, count]) => `${code}×${count}`)
              .join(', ')})`,
        run.errors,
        run.cpuCores
          ? [run.cpuCores.server, run.cpuCores.postgres, run.cpuCores.loadGenerator, run.cpuCores.machine ?? '–'].join(
              ' / ',
            )
          : '–',
      ]),
    ),
    '',
  );
  for (const note of results.notes) out.push(`- ${note}`);
  return out.join('\n');
}

async function writeResults(results) {
  await fsp.mkdir(RESULTS_DIR, { recursive: true });
  const tmp = `${RESULTS_FILE}.${process.pid}.tmp`;
  await fsp.writeFile(tmp, `${JSON.stringify(results, null, 2)}\n`);
  await fsp.rename(tmp, RESULTS_FILE);
}

// ---------------------------------------------------------------------------------------------
// Main

async function main() {
  if (!fs.existsSync(CLI)) throw new Error(`${path.relative(ROOT, CLI)} is missing: run \`pnpm build\` first.`);
  tmpRoot = await fsp.mkdtemp(path.join(os.tmpdir(), 'veza-bench-auth-'));
  // As root, PostgreSQL runs as the postgres user, which must traverse this directory.
  await fsp.chmod(tmpRoot, 0o711);
  dataDir = path.join(tmpRoot, 'data');
  await fsp.mkdir(path.join(tmpRoot, 'logs'));
  const notes = [];

  // 1. First start initialises the data dir (initdb, migrations, JWT secret); the bench account
  //    is created beside the running server, which shares its PostgreSQL with the CLI.
  console.error('bench: first start (initialises the data dir)…');
  const first = await startServer('start-0', { timeoutMs: FIRST_START_TIMEOUT_MS });
  await runCli(
    ['user', 'create', '--email', USER.email, '--username', USER.username, '--password', USER.password],
    'user-create',
  );
  const firstStop = await stopProcess(first);
  await waitForPostgresDown();

  // 2. Starts on the existing data dir.
  const runs = [];
  for (let i = 1; i <= START_RUNS; i++) {
    console.error(`bench: start ${i}/${START_RUNS}…`);
    const server = await startServer(`start-${i}`);
    const stopMs = await stopProcess(server);
    const postgresLagMs = await waitForPostgresDown();
    runs.push({
      wallMs: round(server.wallMs),
      startMs: server.startMs,
      stopMs: round(stopMs),
      postgresDownAfterExitMs: postgresLagMs === undefined ? 0 : round(postgresLagMs),
    });
  }
  const summary = (key) => {
    const values = runs.map((run) => run[key]).filter((value) => typeof value === 'number');
    return values.length ? { median: round(median(values)), max: Math.max(...values) } : { median: null, max: null };
  };
  const startup = {
    first: { wallMs: round(first.wallMs), startMs: first.startMs, stopMs: round(firstStop) },
    runs,
    wallMs: summary('wallMs'),
    startMs: summary('startMs'),
    stopMs: summary('stopMs'),
    postgresDownAfterExitMs: summary('postgresDownAfterExitMs'),
  };
  if (startup.postgresDownAfterExitMs.max > 0) {
    notes.push(
      `The server process exited before its embedded PostgreSQL had stopped in ` +
        `${runs.filter((run) => run.postgresDownAfterExitMs > 0).length} of ${runs.length} stops ` +
        `(PostgreSQL went down up to ${startup.postgresDownAfterExitMs.max} ms later); the bench waits for it ` +
        'before the next start.',
    );
  }

  // 3. Throughput. The per-IP limit on auth routes (60/min by default) would refuse nearly every
  //    login from this one client address, so it is lifted through the environment.
  console.error('bench: throughput…');
  const server = await startServer('throughput', { env: { VEZA_AUTH_REQUESTS_PER_MINUTE: '1000000' } });
  const credentials = { login: USER.username, password: USER.password };
  const login = await request(server.port, 'POST', '/api/v1/auth/login', { body: credentials });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${login.text}`);
  const { accessToken } = JSON.parse(login.text);
  const me = await request(server.port, 'GET', '/api/v1/me', { headers: { authorization: `Bearer ${accessToken}` } });
  if (me.status !== 200) throw new Error(`/me failed: ${me.status} ${me.text}`);

  const throughput = [];
  throughput.push(await load('GET /healthz', server, { connections: 50, duration: DURATION, path: '/healthz' }));
  throughput.push(
    await load('GET /api/v1/me (Bearer)', server, {
      connections: 50,
      duration: DURATION,
      path: '/api/v1/me',
      headers: { authorization: `Bearer ${accessToken}` },
    }),
  );
  const loginRun = await load('POST /api/v1/auth/login', server, {
    connections: 8,
    duration: DURATION,
    method: 'POST',
    path: '/api/v1/auth/login',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(credentials),
  });
  throughput.push(loginRun);
  // Logins still queued for argon2 when autocannon hung up finish before the server is stopped.
  await sleep(1000);
  await stopProcess(server);
  await waitForPostgresDown();

  const rateLimited = loginRun.statusCodes['429'] ?? 0;
  if (rateLimited > 0) {
    notes.push(
      `${rateLimited} of ${loginRun.requests} logins were refused with 429: the per-IP limit on auth routes ` +
        'was not lifted (VEZA_AUTH_REQUESTS_PER_MINUTE ignored?), so the login figure measures refusals, not argon2.',
    );
  }
  notes.push(
    'Login runs with VEZA_AUTH_REQUESTS_PER_MINUTE=1000000 (default 60 per minute per IP); the failed-login ' +
      'throttle does not apply, every password is correct. Each login creates a session (two INSERTs).',
    'Server and load generator share the machine: the CPU column shows the cores each used during the run ' +
      '(server = Node process including its argon2 threads, pg = embedded PostgreSQL, bench = autocannon; ' +
      'whole machine = all busy CPU, so anything above the sum of the three is other processes).',
  );

  const results = {
    date: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
      memoryGiB: round(os.totalmem() / 2 ** 30, 1),
      node: process.version,
      platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    },
    serverEnv: { NODE_ENV: 'production', VEZA_LOG_LEVEL: 'info', VEZA_HOST: '127.0.0.1' },
    throughputServerEnv: { VEZA_AUTH_REQUESTS_PER_MINUTE: '1000000' },
    startup,
    throughput,
    notes,
  };
  console.log(report(results));
  if (DURATION === DEFAULT_DURATION) {
    await writeResults(results);
    console.error(`bench: results written to ${path.relative(ROOT, RESULTS_FILE)}`);
  } else {
    console.error(
      `bench: ${DURATION} s runs (VEZA_BENCH_DURATION): ${path.relative(ROOT, RESULTS_FILE)} left as it was`,
    );
  }
}

async function cleanup() {
  await Promise.all([...children].map((entry) => stopProcess(entry, 10_000)));
  // Normally PostgreSQL is down already or about to be; one still up after 5 s is stopped.
  await waitForPostgresDown(5000).catch((error) => console.error(`bench: ${error.message}`));
  if (!tmpRoot) return;
  if (process.env.VEZA_BENCH_KEEP_TMP === '1') console.error(`bench: kept ${tmpRoot} (VEZA_BENCH_KEEP_TMP=1)`);
  else await fsp.rm(tmpRoot, { recursive: true, force: true }).catch(() => undefined);
}

async function finish(code, reason) {
  if (finishing) return;
  finishing = true;
  if (reason) console.error(`bench: ${reason}`);
  // Each cleanup step is bounded already; this is the backstop.
  setTimeout(() => process.exit(code || 1), 30_000).unref();
  try {
    await cleanup();
  } finally {
    process.exit(code);
  }
}

const hardTimeout = setTimeout(() => void finish(1, `gave up after ${HARD_TIMEOUT_MS / 1000} s`), HARD_TIMEOUT_MS);
hardTimeout.unref();
// `on`, not `once`: Ctrl-C under `pnpm bench` can deliver the signal twice (from the terminal and from run.mjs).
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => void finish(130, `${signal}: stopping`));

main().then(
  () => finish(0),
  (error) => finish(1, `failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`),
);
