/**
 * What the chat benchmarks share: a temporary directory, child processes tracked by PID and
 * stopped on every exit path (SIGTERM, then SIGKILL), the Veza server and the bare `ws` server
 * as separate processes on 127.0.0.1 and a free port, client load in forked worker processes,
 * CPU and RSS read from /proc, a latency histogram, Markdown tables and the results file.
 *
 * This folder is not a benchmark: run.mjs only runs the *.mjs files directly in scripts/bench.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  ProcessSet,
  STOP_TIMEOUT_MS,
  freePort,
  isAlive,
  logTail,
  stopByPid,
  stopProcess as stopStarted,
  waitForHttp,
  waitForOutput,
  whenDead,
} from '../../lib/process.mjs';

export { freePort, logTail };

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, '../../..');
/** The built server; VEZA_BENCH_CLI points at another build (to compare a change, say). */
export const CLI = process.env.VEZA_BENCH_CLI
  ? path.resolve(process.env.VEZA_BENCH_CLI)
  : path.join(ROOT, 'apps/server/dist/cli.js');
export const RESULTS_DIR = path.join(ROOT, 'scripts/bench/results');
const BARE_SERVER = path.join(HERE, 'bare-server.mjs');
export const STUB_SERVER = path.join(HERE, 'stub-veza.mjs');
const CLIENT_WORKER = path.join(HERE, 'client-worker.mjs');

const READY_POLL_MS = 20;
/** Linux clock ticks per second for /proc/<pid>/stat; 100 on every mainstream kernel config. */
const CLOCK_TICKS = 100;

/** Milliseconds on a clock every process of the benchmark shares (wall-clock based, sub-ms). */
export const now = () => performance.timeOrigin + performance.now();

/** Children still running: stopped by PID on every exit path. */
const children = new ProcessSet();
let tmpRoot;
let dataDir;
let finishing = false;
let keepTmpDir = false;
const cleanups = [];

export const round = (value, digits = 0) => Math.round(value * 10 ** digits) / 10 ** digits;

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function table(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export function machineInfo() {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: round(os.totalmem() / 2 ** 30, 1),
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  };
}

/** Seconds per measured run: VEZA_BENCH_DURATION shortens it for a quick check (results not written). */
export function duration(defaultSeconds) {
  const fromEnv = Number(process.env.VEZA_BENCH_DURATION);
  return fromEnv > 0 ? fromEnv : defaultSeconds;
}

/**
 * A run with the default settings against the built server writes its results file; a shortened
 * one, another client mix, the stub or another build (VEZA_BENCH_*) leaves it as it was.
 */
export function isReferenceRun() {
  const { VEZA_BENCH_DURATION, VEZA_BENCH_CLIENTS, VEZA_BENCH_STUB, VEZA_BENCH_CLI } = process.env;
  return !VEZA_BENCH_DURATION && !VEZA_BENCH_CLIENTS && VEZA_BENCH_STUB !== '1' && !VEZA_BENCH_CLI;
}

/**
 * Writes the results file of a reference run; says why not otherwise. VEZA_BENCH_RESULTS_FILE
 * names a file that gets the results of any run (compare-builds.mjs reads them from there).
 */
export async function saveResults(name, results) {
  const copyTo = process.env.VEZA_BENCH_RESULTS_FILE;
  if (copyTo) await writeJson(path.resolve(copyTo), results);
  if (isReferenceRun()) {
    console.error(`bench: results written to ${await writeResults(name, results)}`);
  } else {
    console.error(`bench: VEZA_BENCH_* settings in use: scripts/bench/results/${name}.json left as it was`);
  }
}

// ---------------------------------------------------------------------------------------------
// Lifecycle

/**
 * Runs `main` with a temporary directory, a hard timeout and signal handling; whatever happens,
 * every child is stopped and the directory removed (unless `keepTmp`, by default
 * VEZA_BENCH_KEEP_TMP=1). A number `main` resolves with is the exit code (a failed check).
 */
export function runBench(name, hardTimeoutMs, main, { keepTmp = process.env.VEZA_BENCH_KEEP_TMP === '1' } = {}) {
  keepTmpDir = keepTmp;
  const hardTimeout = setTimeout(() => void finish(1, `gave up after ${hardTimeoutMs / 1000} s`), hardTimeoutMs);
  hardTimeout.unref();
  // `on`, not `once`: Ctrl-C under `pnpm bench` can deliver the signal twice (terminal and run.mjs).
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => void finish(130, `${signal}: stopping`));
  (async () => {
    if (!fs.existsSync(CLI)) throw new Error(`${path.relative(ROOT, CLI)} is missing: run \`pnpm build\` first.`);
    tmpRoot = await fsp.mkdtemp(path.join(os.tmpdir(), `veza-bench-${name}-`));
    // As root, PostgreSQL runs as the postgres user, which must traverse this directory.
    await fsp.chmod(tmpRoot, 0o711);
    dataDir = path.join(tmpRoot, 'data');
    await fsp.mkdir(path.join(tmpRoot, 'logs'));
    return main();
  })().then(
    (code) => finish(typeof code === 'number' ? code : 0),
    (error) => finish(1, `failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`),
  );
}

/** Runs before the children are stopped (closing database pools, for instance). */
export function onCleanup(fn) {
  cleanups.push(fn);
}

async function cleanup() {
  for (const fn of cleanups.splice(0).reverse()) {
    await Promise.race([Promise.resolve().then(fn), sleep(5000)]).catch((error) =>
      console.error(`bench: cleanup: ${error.message}`),
    );
  }
  await children.stopAll({ timeoutMs: 10_000 }, reportStop);
  // Normally PostgreSQL is down already or about to be; one still up after 5 s is stopped.
  await waitForPostgresDown(5000).catch((error) => console.error(`bench: ${error.message}`));
  if (!tmpRoot) return;
  if (keepTmpDir) console.error(`bench: kept ${tmpRoot}`);
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

export function logPath(label) {
  return path.join(tmpRoot, 'logs', `${label}.log`);
}

export function getDataDir() {
  return dataDir;
}

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
    VEZA_PUBLIC_URL: `http://127.0.0.1:${port}`,
    ...extra,
  };
}

/** GET/POST without keep-alive, so no idle connection outlives the call. */
export function request(port, method, urlPath, { body, headers = {}, timeoutMs = 2000 } = {}) {
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
 * Spawns `veza-server serve` (built code) and waits for /readyz to answer 200. VEZA_PUBLIC_URL is
 * set to http://127.0.0.1:<port>, the issuer of the access tokens the benchmark mints. `port`
 * restarts a server where its clients expect it (a free port otherwise).
 */
export async function startVeza(label, { env = {}, timeoutMs = 90_000, port: fixedPort } = {}) {
  const port = fixedPort ?? (await freePort());
  const spawnedAt = performance.now();
  const entry = children.start({
    label,
    command: process.execPath,
    args: [CLI, 'serve'],
    cwd: ROOT,
    env: serverEnv(port, env),
    logFile: logPath(label),
    // Own process group: Ctrl-C in the terminal reaches only the benchmark, which then stops the
    // server with one SIGTERM (a second signal makes the server exit without a clean shutdown).
    ownGroup: true,
  });
  await waitForHttp(`http://127.0.0.1:${port}/readyz`, { timeoutMs, intervalMs: READY_POLL_MS, process: entry });
  return Object.assign(entry, { port, publicUrl: `http://127.0.0.1:${port}`, wallMs: performance.now() - spawnedAt });
}

/**
 * The bare `ws` broadcast server (lib/bare-server.mjs) in its own process; resolves with its port.
 * `script` (with `args`) runs another server that prints `listening <port>` the same way
 * (lib/stub-veza.mjs, lib/bare-media-server.mjs).
 */
export async function startBare(label = 'bare', script = BARE_SERVER, args = []) {
  const entry = children.start({
    label,
    command: process.execPath,
    args: [script, ...args],
    cwd: ROOT,
    logFile: logPath(label),
    stdout: 'pipe',
  });
  const port = Number((await waitForOutput(entry, /listening (\d+)/, 10_000))[1]);
  return Object.assign(entry, { port });
}

/** Runs a `veza-server` CLI command (e.g. `user create`) on the benchmark's data dir; rejects on failure. */
export function runCli(args, label) {
  const entry = children.start({
    label,
    command: process.execPath,
    args: [CLI, ...args],
    cwd: ROOT,
    env: serverEnv(0),
    logFile: logPath(label),
    ownGroup: false,
  });
  return entry.exit.then(async (result) => {
    if (result.code !== 0) {
      throw new Error(`veza-server ${args[0]} failed (${JSON.stringify(result)}):\n${await logTail(entry.logFile)}`);
    }
  });
}

/** SIGTERM, wait; SIGKILL only when the process ignores it. Returns how long the stop took. */
export async function stopProcess(entry, timeoutMs = STOP_TIMEOUT_MS) {
  if (!entry.running) return 0;
  const stopped = await stopStarted(entry, { timeoutMs });
  await reportStop(entry, stopped);
  return stopped.ms;
}

async function reportStop(entry, { result, forced }) {
  if (forced) {
    console.error(`bench: ${entry.label} (pid ${entry.pid}) ignored SIGTERM; SIGKILL`);
  } else if (result && result.code !== 0 && result.signal !== 'SIGTERM' && result.signal !== 'SIGKILL') {
    console.error(`bench: ${entry.label} exited with ${JSON.stringify(result)}:\n${await logTail(entry.logFile)}`);
  }
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
 * Waits for the embedded PostgreSQL to be down; stops it when it outlived its server (a SIGKILLed
 * server leaves it behind). Returns how long it was still up (0 when it was already down).
 */
export async function waitForPostgresDown(timeoutMs = 15_000) {
  const startedAt = performance.now();
  const pid = await postmasterPid();
  if (!pid) return 0;
  if (await whenDead(pid, { timeoutMs, pollMs: 5 })) return performance.now() - startedAt;
  console.error(`bench: PostgreSQL (pid ${pid}) outlived its server; stopping it`);
  // Fast shutdown, and only the PostgreSQL of this data dir, should the PID have been reused.
  await stopByPid(pid, { signal: 'SIGINT', timeoutMs: 10_000, commandIncludes: path.join(dataDir, 'postgres') });
}

// ---------------------------------------------------------------------------------------------
// Client workers

/**
 * Forks lib/client-worker.mjs: it holds WebSocket clients and answers commands over IPC. Each
 * worker stays below the per-process file descriptor limit (`ulimit -n`).
 */
export function forkWorker(label) {
  const entry = children.start({
    label,
    command: process.execPath,
    args: [CLIENT_WORKER],
    cwd: ROOT,
    logFile: logPath(label),
    ipc: true,
  });
  const { child } = entry;
  const pending = new Map();
  let nextId = 1;
  child.on('message', (message) => {
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.error) waiter.reject(new Error(`${label}: ${message.error}`));
    else waiter.resolve(message.result);
  });
  void entry.exit.then((result) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`${label} exited (${JSON.stringify(result)})`));
    pending.clear();
  });
  /** Sends a command and resolves with the worker's answer (bounded by timeoutMs). */
  const call = (cmd, args = {}, timeoutMs = 60_000) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`${label}: ${cmd} did not answer within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      pending.set(id, {
        resolve: (value) => (clearTimeout(timer), resolve(value)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
      child.send({ id, cmd, ...args });
    });
  return Object.assign(entry, { call });
}

/** Splits items into `parts` nearly equal consecutive slices. */
export function split(items, parts) {
  const out = [];
  for (let i = 0; i < parts; i++) {
    out.push(items.slice(Math.floor((i * items.length) / parts), Math.floor(((i + 1) * items.length) / parts)));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Latency histogram: 0.1 ms buckets up to 10 s, 1 ms buckets up to 120 s, then one overflow bucket.

const FINE_BUCKETS = 100_000;
const COARSE_BUCKETS = 110_000;

export class Histogram {
  constructor() {
    this.counts = new Uint32Array(FINE_BUCKETS + COARSE_BUCKETS + 1);
    this.reset();
  }

  reset() {
    this.counts.fill(0);
    this.count = 0;
    this.max = 0;
    this.sum = 0;
    this.negative = 0;
  }

  record(ms) {
    // Below zero only if the processes' clocks disagree: counted, so a skew cannot hide.
    if (ms < 0) this.negative++;
    const value = ms < 0 ? 0 : ms;
    let bucket;
    if (value < 10_000) bucket = Math.floor(value * 10);
    else if (value < 120_000) bucket = FINE_BUCKETS + Math.floor(value - 10_000);
    else bucket = FINE_BUCKETS + COARSE_BUCKETS;
    this.counts[bucket]++;
    this.count++;
    this.sum += value;
    if (value > this.max) this.max = value;
  }

  /** Sparse form for IPC: [bucket, count] pairs. */
  toJSON() {
    const buckets = [];
    for (let i = 0; i < this.counts.length; i++) if (this.counts[i] > 0) buckets.push([i, this.counts[i]]);
    return { buckets, count: this.count, max: this.max, sum: this.sum, negative: this.negative };
  }

  merge(sparse) {
    for (const [bucket, count] of sparse.buckets) this.counts[bucket] += count;
    this.count += sparse.count;
    this.sum += sparse.sum;
    this.negative += sparse.negative;
    if (sparse.max > this.max) this.max = sparse.max;
    return this;
  }

  /** Upper edge of the bucket holding the p-th percentile, in ms. */
  percentile(p) {
    if (this.count === 0) return null;
    const rank = Math.ceil((p / 100) * this.count);
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i];
      if (seen >= rank) {
        if (i < FINE_BUCKETS) return Math.min((i + 1) / 10, this.max);
        if (i < FINE_BUCKETS + COARSE_BUCKETS) return Math.min(10_000 + (i - FINE_BUCKETS) + 1, this.max);
        return this.max;
      }
    }
    return this.max;
  }

  summary() {
    if (this.count === 0) return { count: 0, p50: null, p90: null, p99: null, max: null, mean: null };
    const ms = (value) => (value >= 100 ? round(value) : round(value, 1));
    return {
      count: this.count,
      p50: ms(this.percentile(50)),
      p90: ms(this.percentile(90)),
      p99: ms(this.percentile(99)),
      max: ms(this.max),
      mean: ms(this.sum / this.count),
      ...(this.negative > 0 ? { negative: this.negative } : {}),
    };
  }
}

// ---------------------------------------------------------------------------------------------
// /proc: CPU and memory (Linux; figures are omitted elsewhere)

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

/** CPU ticks of a process and, separately, of everything below it (the embedded PostgreSQL). */
export function treeTicks(rootPid) {
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
  return { root: root.ticks, children: perPid };
}

/** Busy and total CPU ticks of the whole machine, to see what other processes took meanwhile. */
export function machineTicks() {
  try {
    const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((sum, value) => sum + value, 0);
    return { busy: total - fields[3] - (fields[4] ?? 0), total };
  } catch {
    return undefined;
  }
}

/**
 * Snapshot of CPU ticks for named processes (`{ server: pid, … }`) plus the machine; `cpuSince`
 * turns two snapshots into cores used. A process's children (PostgreSQL) count as `<name>Children`.
 */
export function cpuSnapshot(pids) {
  const out = { at: performance.now(), machine: machineTicks(), procs: {} };
  for (const [name, pid] of Object.entries(pids)) out.procs[name] = pid === undefined ? undefined : treeTicks(pid);
  return out;
}

export function cpuSince(before, after) {
  const seconds = (after.at - before.at) / 1000;
  const cores = (ticks) => round(ticks / CLOCK_TICKS / seconds, 2);
  const out = {};
  for (const [name, snapshot] of Object.entries(after.procs)) {
    const earlier = before.procs[name];
    if (!snapshot || !earlier) continue;
    out[name] = cores(snapshot.root - earlier.root);
    if (snapshot.children.size > 0) {
      let childTicks = 0;
      for (const [pid, ticks] of snapshot.children) childTicks += ticks - (earlier.children.get(pid) ?? 0);
      out[`${name}Children`] = cores(childTicks);
    }
  }
  if (before.machine && after.machine) out.machine = cores(after.machine.busy - before.machine.busy);
  return out;
}

/**
 * Waits until a process (with its children) uses less than `maxCores` over `intervalMs`, e.g. a
 * server still working through the aftermath of thousands of disconnects. Returns the ms waited.
 */
export async function waitIdle(pid, { maxCores = 0.05, intervalMs = 500, timeoutMs = 60_000 } = {}) {
  const startedAt = performance.now();
  let before = cpuSnapshot({ pid });
  while (performance.now() - startedAt < timeoutMs) {
    await sleep(intervalMs);
    const after = cpuSnapshot({ pid });
    const cpu = cpuSince(before, after);
    if ((cpu.pid ?? 0) + (cpu.pidChildren ?? 0) <= maxCores) break;
    before = after;
  }
  return Math.round(performance.now() - startedAt);
}

/** Resident set size of one process in KiB (VmRSS), undefined when it cannot be read. */
export function rssKiB(pid) {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Results

export async function writeResults(name, results) {
  const file = path.join(RESULTS_DIR, `${name}.json`);
  await writeJson(file, results);
  return path.relative(ROOT, file);
}

/** Written whole or not at all (a reader never sees half a file). */
async function writeJson(file, value) {
  await fsp.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await fsp.writeFile(tmp, `${JSON.stringify(value, null, 2)}\n`);
  await fsp.rename(tmp, file);
}
