#!/usr/bin/env node
/**
 * Chat fan-out benchmark: 1k, 5k and 10k WebSocket clients in ONE room while senders publish
 * messages into it at fixed total rates. Side by side in the same run, fed the same load:
 *   - bare: the simplest broadcast server on the `ws` package (lib/bare-server.mjs), the ceiling;
 *   - veza: the built Veza server (`veza-server serve`, embedded PostgreSQL), clients speaking the
 *     real protocol on /api/v1/ws (hello with token and cursor → synced → message.created events;
 *     senders use `send` frames, every message stored and given a seq before it is delivered).
 * Measures deliveries per second (messages × receivers) and delivery latency p50/p90/p99 (send
 * time carried in the body). Each server, the benchmark (senders) and the client workers are
 * separate processes on 127.0.0.1.
 *
 *   node scripts/bench/fanout.mjs          (or `pnpm bench`, which runs every bench file)
 *
 * VEZA_BENCH_DURATION=3 shortens each measured run, VEZA_BENCH_CLIENTS=1000,5000 picks the client
 * counts, VEZA_BENCH_STUB=1 points the Veza side at lib/stub-veza.mjs (harness check without the
 * real endpoint) and VEZA_BENCH_CLI runs another server build; the results file is then left as
 * it was (docs/benchmarks.md).
 *
 * Prints Markdown tables and writes scripts/bench/results/fanout.json. Stops everything it started
 * and removes its temporary directory, also on error; gives up after HARD_TIMEOUT_MS.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  cpuSince,
  cpuSnapshot,
  duration,
  forkWorker,
  getDataDir,
  machineInfo,
  now,
  onCleanup,
  request,
  round,
  runBench,
  startBare,
  startVeza,
  table,
  waitIdle,
  saveResults,
} from './lib/harness.mjs';
import {
  closeClients,
  connectClients,
  drain,
  formatCloses,
  gatherStats,
  resetWindow,
  STUB_NOTE,
  vezaEndpoint,
} from './lib/load.mjs';
import { openSenders } from './lib/senders.mjs';
import {
  PROTOCOL_VERSION,
  connectDatabase,
  mintAccessToken,
  readJwtSecret,
  roomSeqs,
  seedRoom,
  seedUsers,
} from './lib/veza.mjs';

const NAME = 'fanout';
const HARD_TIMEOUT_MS = 20 * 60_000;
const DEFAULT_CLIENT_COUNTS = [1000, 5000, 10_000];
/** Total messages per second into the room, per client count, ascending; stops at saturation. */
const RATES = { 1000: [5, 20, 50, 100], 5000: [2, 5, 10, 20, 40], 10000: [2, 5, 10, 20] };
const FALLBACK_RATES = [2, 5, 10];
/**
 * Messages per second each sender connection (a distinct user) sends at most: Veza lets a user
 * write 5 per second (burst 20; send-limiter.ts). A series has ceil(its top rate / this) senders,
 * the messages spread round-robin over them.
 */
const PER_SENDER_RATE = 4;
/** Client worker processes: 10k clients → 5k sockets each, far below `ulimit -n` (20,000). */
const WORKERS = 2;
const WARMUP_SECONDS = 2;
const DEFAULT_DURATION = 10;
const DURATION = duration(DEFAULT_DURATION);
/** After sending stops, how long deliveries may still arrive before the missing ones are counted. */
const DRAIN_MS = 5000;
/** A run below this share of the offered deliveries per second, or with deliveries missing, is saturated. */
const SATURATED_BELOW = 0.95;
/** Time allowed to connect one series' clients; a server slower than this gets no runs at that size. */
const CONNECT_BUDGET_MS = 120_000;
/** After a series' clients closed, how long the server may take to go idle before the next one. */
const IDLE_TIMEOUT_MS = 120_000;
const CLIENT_COUNTS = process.env.VEZA_BENCH_CLIENTS
  ? process.env.VEZA_BENCH_CLIENTS.split(',').map(Number)
  : DEFAULT_CLIENT_COUNTS;
// Every load client connects from 127.0.0.1, dozens at a time: the per-address cap on sockets
// waiting for hello is meant for the internet, not for a load generator.
const VEZA_ENV = {
  VEZA_LOG_LEVEL: 'warn',
  VEZA_AUTH_REQUESTS_PER_MINUTE: '1000000',
  VEZA_MAX_PENDING_SOCKETS_PER_ADDRESS: '1000000',
};

const ratesFor = (clients) => RATES[clients] ?? FALLBACK_RATES;
const sendersFor = (clients) => Math.ceil(Math.max(...ratesFor(clients)) / PER_SENDER_RATE);

async function sleepUntil(at) {
  const wait = at - now();
  if (wait > 0) await sleep(wait);
}

/** One measured run: `rate` messages per second into the room for warm-up + DURATION seconds. */
async function step({ target, clients, rate, senders, workers, pids }) {
  const startAt = now() + 300;
  const windowStart = startAt + WARMUP_SECONDS * 1000;
  const windowEnd = windowStart + DURATION * 1000;
  await resetWindow(workers, windowStart, windowEnd);
  senders.setWindow(windowStart, windowEnd);
  const sentBefore = senders.counts.sent;
  const errorsBefore = { ...senders.counts.errors };
  const running = senders.run(rate, WARMUP_SECONDS + DURATION, startAt);
  await sleepUntil(windowStart);
  const cpuBefore = cpuSnapshot(pids);
  const benchCpuBefore = process.cpuUsage();
  await sleepUntil(windowEnd);
  const cpuAfter = cpuSnapshot(pids);
  const benchCpu = process.cpuUsage(benchCpuBefore);
  await running;
  const sent = senders.counts.sent - sentBefore;
  const expected = sent * clients;
  const received = await drain(workers, expected, DRAIN_MS);
  const stats = await gatherStats(workers);
  const cpu = cpuSince(cpuBefore, cpuAfter);
  const delivered = stats.inWindow / DURATION;
  const missing = Math.max(0, expected - received);
  const run = {
    target,
    clients,
    rate,
    offeredPerSecond: rate * clients,
    sent,
    deliveredPerSecond: round(delivered),
    latencyMs: stats.histogram.summary(),
    expected,
    received,
    missing,
    open: stats.open,
    closedByServer: stats.closes,
    framesPerDelivery: received > 0 ? round(stats.frames / received, 2) : null,
    bytesPerDelivery: received > 0 ? round(stats.bytes / received) : null,
    ackLatencyMs: target === 'veza' ? senders.ackLatency.summary() : undefined,
    senderErrors: Object.fromEntries(
      Object.entries(senders.counts.errors)
        .map(([code, n]) => [code, n - (errorsBefore[code] ?? 0)])
        .filter(([, n]) => n > 0),
    ),
    cpuCores: {
      ...summariseCpu(cpu, pids),
      senders: round((benchCpu.user + benchCpu.system) / 1e6 / ((cpuAfter.at - cpuBefore.at) / 1000), 2),
    },
  };
  run.saturated = delivered < SATURATED_BELOW * run.offeredPerSecond || missing > 0 || stats.open < clients;
  run.senders = senders.count;
  console.error(
    `bench: ${target} ${clients} clients × ${rate} msg/s: ${run.deliveredPerSecond}/s delivered ` +
      `(offered ${run.offeredPerSecond}), p50 ${run.latencyMs.p50} ms, p99 ${run.latencyMs.p99} ms, ` +
      `missing ${missing}${run.saturated ? ' (saturated)' : ''}`,
  );
  return run;
}

/**
 * Every rate for one client count against one server, stopping after the first saturated run. A
 * connect phase that does not complete within CONNECT_BUDGET_MS gives no runs.
 */
async function series({ target, clients, url, workers, pids, veza }) {
  console.error(`bench: ${target}: connecting ${clients} clients…`);
  const users = veza?.receivers.slice(0, clients);
  const seqs = veza && (await roomSeqs(veza.pool, [veza.roomId]));
  const cursors = veza && { [veza.roomId]: seqs[veza.roomId] };
  const cpuBefore = cpuSnapshot(pids);
  const connect = await connectClients(workers, {
    url,
    count: clients,
    users,
    veza: veza && { ...veza, cursorsOf: () => cursors, protocol: PROTOCOL_VERSION },
    budgetMs: CONNECT_BUDGET_MS,
  });
  const connectCpu = summariseCpu(cpuSince(cpuBefore, cpuSnapshot(pids)), pids);
  const complete = connect.connected === clients;
  console.error(
    `bench: ${target}: ${connect.connected} of ${clients} connected in ${connect.ms} ms` +
      (complete ? '' : ` (budget ${CONNECT_BUDGET_MS / 1000} s; failures ${JSON.stringify(connect.failures)})`),
  );
  const runs = [];
  let senders;
  let idleAfterCloseMs;
  try {
    if (complete) {
      const senderCount = sendersFor(clients);
      senders = await openSenders({
        mode: target === 'bare' ? 'bare' : 'veza',
        url,
        roomIds: Array.from({ length: senderCount }, () => veza?.roomId ?? '00000000-0000-4000-8000-000000000001'),
        tokens:
          veza &&
          (await Promise.all(
            veza.senders.slice(0, senderCount).map((user) => mintAccessToken(veza.secret, veza.issuer, user)),
          )),
        cursors: veza && veza.senders.slice(0, senderCount).map(() => cursors),
        protocol: PROTOCOL_VERSION,
      });
      for (const rate of ratesFor(clients)) {
        const run = await step({ target, clients, rate, senders, workers, pids });
        runs.push(run);
        if (run.saturated) break;
        await sleep(500);
      }
    }
  } finally {
    await senders?.close();
    await closeClients(workers);
    // The next series must not share the machine with this server's leftover work.
    idleAfterCloseMs = await waitIdle(pids.server, { timeoutMs: IDLE_TIMEOUT_MS });
  }
  return { connect: { target, clients, complete, ...connect, cpuCores: connectCpu, idleAfterCloseMs }, runs };
}

/** Cores per party from cpuSince: server, its PostgreSQL, the client workers, the machine. */
function summariseCpu(cpu, pids) {
  const workers = Object.keys(pids)
    .filter((name) => name.startsWith('worker'))
    .reduce((sum, name) => sum + (cpu[name] ?? 0), 0);
  return {
    server: cpu.server ?? null,
    postgres: cpu.serverChildren ?? 0,
    clients: round(workers, 2),
    machine: cpu.machine ?? null,
  };
}

function report(results) {
  const out = [];
  out.push(`## Fan-out benchmark (${results.date})`, '');
  const m = results.machine;
  out.push(`${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}`, '');
  out.push('### Connecting', '');
  out.push(
    table(
      [
        'Server',
        'clients',
        'connected',
        'time (ms)',
        'failures',
        'CPU cores: server / pg / clients / machine',
        'idle again after close (ms)',
        'extensions',
      ],
      results.connects.map((c) => [
        c.target,
        c.clients,
        c.complete ? c.connected : `${c.connected} (budget ${CONNECT_BUDGET_MS / 1000} s)`,
        c.ms,
        Object.keys(c.failures).length ? JSON.stringify(c.failures) : 0,
        [
          c.cpuCores.server,
          c.target === 'veza' ? c.cpuCores.postgres : '–',
          c.cpuCores.clients,
          c.cpuCores.machine,
        ].join(' / '),
        c.idleAfterCloseMs,
        c.extensions || 'none',
      ]),
    ),
    '',
  );
  out.push(`### Runs (${WARMUP_SECONDS} s warm-up, then ${results.durationSeconds} s measured)`, '');
  out.push(
    table(
      [
        'Server',
        'clients',
        'msg/s',
        'offered deliveries/s',
        'delivered/s',
        'p50 ms',
        'p90 ms',
        'p99 ms',
        'max ms',
        'missing after drain',
        'closed by server',
        'ack p50 / p99 ms',
        'CPU cores: server / pg / clients / senders / machine',
      ],
      results.runs.map((run) => [
        run.target,
        run.clients,
        run.rate,
        run.offeredPerSecond,
        `${run.deliveredPerSecond}${run.saturated ? ' (sat.)' : ''}`,
        run.latencyMs.p50 ?? '–',
        run.latencyMs.p90 ?? '–',
        run.latencyMs.p99 ?? '–',
        run.latencyMs.max ?? '–',
        run.missing,
        formatCloses(run.closedByServer) || 0,
        run.ackLatencyMs ? `${run.ackLatencyMs.p50 ?? '–'} / ${run.ackLatencyMs.p99 ?? '–'}` : '–',
        [
          run.cpuCores.server,
          run.target === 'veza' ? run.cpuCores.postgres : '–',
          run.cpuCores.clients,
          run.cpuCores.senders,
          run.cpuCores.machine,
        ].join(' / '),
      ]),
    ),
    '',
  );
  if (results.comparison.length > 0) {
    out.push('### Veza against the bare ws server (same clients, same rate)', '');
    out.push(
      table(
        ['clients', 'msg/s', 'delivered/s veza / bare', 'ratio', 'p50 ms veza / bare', 'p99 ms veza / bare'],
        results.comparison.map((c) => [
          c.clients,
          c.rate,
          `${c.veza.deliveredPerSecond} / ${c.bare.deliveredPerSecond}`,
          c.throughputRatio,
          `${c.veza.p50} / ${c.bare.p50}`,
          `${c.veza.p99} / ${c.bare.p99}`,
        ]),
      ),
      '',
    );
    out.push(
      table(
        ['clients', 'best delivered/s veza', 'best delivered/s bare', 'ratio (target ≥ 0.8)'],
        results.peaks.map((p) => [p.clients, p.veza, p.bare, p.ratio]),
      ),
      '',
    );
  }
  for (const note of results.notes) out.push(`- ${note}`);
  return out.join('\n');
}

function compare(runs) {
  const comparison = [];
  const peaks = [];
  for (const clients of new Set(runs.map((run) => run.clients))) {
    const of = (target) => runs.filter((run) => run.target === target && run.clients === clients);
    for (const veza of of('veza')) {
      const bare = of('bare').find((run) => run.rate === veza.rate);
      if (!bare) continue;
      comparison.push({
        clients,
        rate: veza.rate,
        throughputRatio:
          bare.deliveredPerSecond > 0 ? round(veza.deliveredPerSecond / bare.deliveredPerSecond, 2) : null,
        veza: { deliveredPerSecond: veza.deliveredPerSecond, p50: veza.latencyMs.p50, p99: veza.latencyMs.p99 },
        bare: { deliveredPerSecond: bare.deliveredPerSecond, p50: bare.latencyMs.p50, p99: bare.latencyMs.p99 },
      });
    }
    const best = (target) => Math.max(0, ...of(target).map((run) => run.deliveredPerSecond));
    if (of('veza').length > 0 && of('bare').length > 0) {
      peaks.push({
        clients,
        veza: best('veza'),
        bare: best('bare'),
        ratio: best('bare') > 0 ? round(best('veza') / best('bare'), 2) : null,
      });
    }
  }
  return { comparison, peaks };
}

async function main() {
  const notes = [];
  const maxClients = Math.max(...CLIENT_COUNTS);
  const maxSenders = Math.max(...CLIENT_COUNTS.map(sendersFor));

  // 1. The Veza server initialises its data dir; users, sessions, the room and its members are
  //    then inserted straight into its PostgreSQL (see lib/veza.mjs).
  console.error('bench: starting the Veza server (initialises the data dir)…');
  const server = await startVeza('veza', { env: VEZA_ENV });
  const pool = await connectDatabase(getDataDir());
  onCleanup(() => pool.end());
  console.error(`bench: seeding ${maxClients + maxSenders} users…`);
  const users = await seedUsers(pool, maxClients + maxSenders);
  const roomId = await seedRoom(
    pool,
    'fan-out',
    users.map((user) => user.userId),
  );
  const secret = await readJwtSecret(getDataDir());
  const veza = {
    pool,
    roomId,
    secret,
    issuer: server.publicUrl,
    senders: users.slice(0, maxSenders),
    receivers: users.slice(maxSenders),
  };
  // The minted tokens must pass the server's own checks (signature, issuer, audience, live session).
  const me = await request(server.port, 'GET', '/api/v1/me', {
    headers: { authorization: `Bearer ${await mintAccessToken(secret, veza.issuer, users[0])}` },
  });
  if (me.status !== 200) throw new Error(`a minted access token is refused by /api/v1/me: ${me.status} ${me.text}`);

  const bare = await startBare('bare');
  const { url: vezaUrl, pid: vezaPid, stub, probe } = await vezaEndpoint(server);
  if (stub) notes.push(STUB_NOTE);
  if (!probe.ok)
    notes.push(`The Veza WebSocket endpoint is not available (${probe.reason}): only the bare server ran.`);

  const workers = Array.from({ length: WORKERS }, (_, i) => forkWorker(`worker-${i}`));
  const workerPids = Object.fromEntries(workers.map((worker, i) => [`worker${i}`, worker.child.pid]));

  const connects = [];
  const runs = [];
  /** Targets that could not connect a series in time: larger client counts are not tried. */
  const stuck = new Map();
  for (const clients of CLIENT_COUNTS) {
    for (const target of probe.ok ? ['bare', 'veza'] : ['bare']) {
      if (stuck.has(target)) {
        notes.push(
          `${target}: ${clients} clients not tried: ${stuck.get(target)} clients did not all connect within ` +
            `${CONNECT_BUDGET_MS / 1000} s.`,
        );
        continue;
      }
      const result = await series({
        target,
        clients,
        url: target === 'bare' ? `ws://127.0.0.1:${bare.port}` : vezaUrl,
        workers,
        pids: { server: target === 'bare' ? bare.child.pid : vezaPid, ...workerPids },
        veza: target === 'veza' ? veza : undefined,
      });
      connects.push(result.connect);
      runs.push(...result.runs);
      if (!result.connect.complete) stuck.set(target, clients);
      await sleep(1000);
    }
  }

  const { comparison, peaks } = compare(runs);
  for (const run of runs) {
    if (Object.keys(run.senderErrors).length > 0) {
      notes.push(
        `${run.target} ${run.clients} × ${run.rate} msg/s: the senders got errors ` +
          `${JSON.stringify(run.senderErrors)}: fewer messages were stored than sent.`,
      );
    }
    if (run.latencyMs.negative) {
      notes.push(
        `${run.target} ${run.clients} × ${run.rate}: ${run.latencyMs.negative} negative latencies (clock skew).`,
      );
    }
  }
  notes.push(
    `Sender connections (distinct users, members of the room; one per ${PER_SENDER_RATE} msg/s of the series' top ` +
      'rate, as Veza allows 5 messages per second and user) send the messages round-robin, open-loop ' +
      'at the given total rate; deliveries count only at the receiving clients. Every server also sends each ' +
      'message back to the senders (and Veza acks it), which is not counted.',
    'The bare server relays a frame shaped and sized like a Veza message.created event, so both move the same ' +
      'bytes per delivery. delivered/s counts deliveries received inside the measured window; latency is ' +
      'receive time − send time (in the body) of those deliveries.',
    `A run is saturated (sat.) when it delivers less than ${SATURATED_BELOW * 100}% of the offered deliveries ` +
      `per second, deliveries are still missing ${DRAIN_MS / 1000} s after sending stopped, or the server closed ` +
      'clients; higher rates are then skipped for that server and client count.',
    'ack = send → ack at the Veza senders: the message is stored and committed (its share of the delivery latency).',
    'CPU: server = the server process (for Veza without its PostgreSQL, shown as pg); clients = the client ' +
      `worker processes (${WORKERS}); senders = the benchmark process; machine = all busy CPU.`,
  );

  const results = {
    date: new Date().toISOString(),
    machine: machineInfo(),
    serverEnv: { NODE_ENV: 'production', VEZA_HOST: '127.0.0.1', ...VEZA_ENV },
    durationSeconds: DURATION,
    warmupSeconds: WARMUP_SECONDS,
    sendersPerClientCount: Object.fromEntries(CLIENT_COUNTS.map((clients) => [clients, sendersFor(clients)])),
    workers: WORKERS,
    vezaEndpoint: probe.ok ? (stub ? 'stub' : 'server') : `missing: ${probe.reason}`,
    connects,
    runs,
    comparison,
    peaks,
    notes,
  };
  console.log(report(results));
  if (!probe.ok) throw new Error(`no Veza figures: ${probe.reason} on /api/v1/ws (build the server with the endpoint)`);
  await saveResults(NAME, results);
}

runBench(NAME, HARD_TIMEOUT_MS, main);
