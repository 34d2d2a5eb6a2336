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
import fsp from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import {
  machineInfo,
  machineTicks,
  median,
  request,
  round,
  runBench,
  runCli,
  startVeza,
  stopProcess,
  table,
  treeTicks,
  waitForPostgresDown,
  writeResults,
} from './lib/harness.mjs';

const HARD_TIMEOUT_MS = 180_000;
const START_RUNS = 5;
const FIRST_START_TIMEOUT_MS = 90_000;
const START_TIMEOUT_MS = 30_000;
const WARMUP_SECONDS = 2;
/** Seconds per throughput run; VEZA_BENCH_DURATION shortens it for a quick check. */
const DEFAULT_DURATION = 10;
const DURATION =
  Number(process.env.VEZA_BENCH_DURATION) > 0 ? Number(process.env.VEZA_BENCH_DURATION) : DEFAULT_DURATION;
const USER = { email: 'bench@example.com', username: 'bench', password: 'bench-password-1234' };
/** Linux clock ticks per second for /proc/<pid>/stat; 100 on every mainstream kernel config. */
const CLOCK_TICKS = 100;

/**
 * Spawns `veza-server serve` and waits for /readyz to answer 200. Wall time runs from spawn to
 * that answer; startMs is the server's own figure from its "veza-server ready" log line.
 */
async function startServer(label, { env = {}, timeoutMs = START_TIMEOUT_MS } = {}) {
  const server = await startVeza(label, { env: { VEZA_LOG_LEVEL: 'info', ...env }, timeoutMs });
  return { ...server, startMs: await readStartMs(server.logFile) };
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

// ---------------------------------------------------------------------------------------------
// CPU accounting (Linux /proc; figures are omitted elsewhere)

/** Cores used over an interval; children that exited meanwhile are not counted. */
function coresUsed(before, after, seconds) {
  if (!before || !after) return undefined;
  let childTicks = 0;
  for (const [pid, ticks] of after.children) childTicks += ticks - (before.children.get(pid) ?? 0);
  const cores = (ticks) => Math.round((ticks / CLOCK_TICKS / seconds) * 100) / 100;
  return { server: cores(after.root - before.root), postgres: cores(childTicks) };
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

async function main() {
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
      postgresDownAfterExitMs: round(postgresLagMs),
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
    machine: machineInfo(),
    serverEnv: { NODE_ENV: 'production', VEZA_LOG_LEVEL: 'info', VEZA_HOST: '127.0.0.1' },
    throughputServerEnv: { VEZA_AUTH_REQUESTS_PER_MINUTE: '1000000' },
    startup,
    throughput,
    notes,
  };
  console.log(report(results));
  if (DURATION === DEFAULT_DURATION) {
    console.error(`bench: results written to ${await writeResults('auth', results)}`);
  } else {
    console.error(`bench: ${DURATION} s runs (VEZA_BENCH_DURATION): scripts/bench/results/auth.json left as it was`);
  }
}

runBench('auth', HARD_TIMEOUT_MS, main);
