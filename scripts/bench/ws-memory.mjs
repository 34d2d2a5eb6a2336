#!/usr/bin/env node
/**
 * WebSocket memory benchmark: the server's resident memory per idle connection. RSS of the server
 * process (VmRSS in /proc/<pid>/status; the Veza server's embedded PostgreSQL is not included) with
 * no client, then with 2,500 and 5,000 idle clients: for Veza authenticated ones (hello with token
 * and cursor, `synced` received; 50 per room), for the bare `ws` broadcast server plain connections.
 * The servers and the client workers are separate processes on 127.0.0.1.
 *
 *   node scripts/bench/ws-memory.mjs      (or `pnpm bench`, which runs every bench file)
 *
 * VEZA_BENCH_STUB=1 points the Veza side at lib/stub-veza.mjs (harness check) and VEZA_BENCH_CLI
 * runs another server build; the results file is then left as it was.
 * Prints a Markdown table and writes scripts/bench/results/ws-memory.json. Stops everything it
 * started and removes its temporary directory, also on error; gives up after HARD_TIMEOUT_MS.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  forkWorker,
  getDataDir,
  machineInfo,
  onCleanup,
  round,
  rssKiB,
  runBench,
  startBare,
  startVeza,
  table,
  saveResults,
} from './lib/harness.mjs';
import { closeClients, connectClients, STUB_NOTE, vezaEndpoint } from './lib/load.mjs';
import { PROTOCOL_VERSION, connectDatabase, readJwtSecret, seedRoom, seedUsers } from './lib/veza.mjs';

const NAME = 'ws-memory';
const HARD_TIMEOUT_MS = 6 * 60_000;
/** Connections held at each measuring point (cumulative). */
const LEVELS = [2500, 5000];
const MEMBERS_PER_ROOM = 50;
/** Connected and closed once before the baseline, so lazily loaded code and JIT are not counted. */
const WARMUP_CLIENTS = 200;
const WORKERS = 2;
/** Idle time before each reading, and readings taken (the median is kept). */
const SETTLE_MS = 3000;
const SAMPLES = 5;
const SAMPLE_EVERY_MS = 200;
// Every load client connects from 127.0.0.1, dozens at a time: the per-address cap on sockets
// waiting for hello is meant for the internet, not for a load generator.
const VEZA_ENV = {
  VEZA_LOG_LEVEL: 'warn',
  VEZA_AUTH_REQUESTS_PER_MINUTE: '1000000',
  VEZA_MAX_PENDING_SOCKETS_PER_ADDRESS: '1000000',
};

async function settledRss(pid) {
  await sleep(SETTLE_MS);
  const samples = [];
  for (let i = 0; i < SAMPLES; i++) {
    samples.push(rssKiB(pid));
    await sleep(SAMPLE_EVERY_MS);
  }
  if (samples.some((value) => value === undefined)) throw new Error(`cannot read /proc/${pid}/status`);
  return samples.sort((a, b) => a - b)[Math.floor(SAMPLES / 2)];
}

/** Baseline, then each level of idle connections, then after all have closed. */
async function measure({ target, pid, url, workers, users, veza }) {
  const connectSlice = async (from, to) => {
    const result = await connectClients(workers, {
      url,
      count: to - from,
      users: users?.slice(from, to),
      veza: veza && { ...veza, cursorsOf: (i) => ({ [veza.roomOf[from + i]]: 0 }) },
    });
    if (result.connected < to - from) {
      throw new Error(`${target}: ${result.connected} of ${to - from} connected (${JSON.stringify(result.failures)})`);
    }
    return result;
  };
  console.error(`bench: ${target}: warm-up with ${WARMUP_CLIENTS} clients…`);
  await connectSlice(0, WARMUP_CLIENTS);
  await closeClients(workers);
  const baseline = await settledRss(pid);
  const levels = [];
  let held = 0;
  for (const level of LEVELS) {
    const connect = await connectSlice(held, level);
    held = level;
    const rss = await settledRss(pid);
    levels.push({
      connections: level,
      rssKiB: rss,
      kibPerConnection: round((rss - baseline) / level, 1),
      connectMs: connect.ms,
    });
    console.error(`bench: ${target}: ${level} idle connections: RSS ${round(rss / 1024, 1)} MiB`);
  }
  await closeClients(workers);
  const afterClose = await settledRss(pid);
  const [first, last] = [levels[0], levels.at(-1)];
  return {
    target,
    baselineRssKiB: baseline,
    levels,
    kibPerConnection: last.kibPerConnection,
    /** Between the last two levels: the marginal cost, without any one-off growth at the first level. */
    marginalKibPerConnection: round((last.rssKiB - first.rssKiB) / (last.connections - first.connections), 1),
    afterCloseRssKiB: afterClose,
  };
}

function report(results) {
  const out = [];
  out.push(`## WebSocket memory benchmark (${results.date})`, '');
  const m = results.machine;
  out.push(`${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}`, '');
  const mib = (kib) => round(kib / 1024, 1);
  out.push(
    table(
      [
        'Server',
        'RSS idle (MiB)',
        ...LEVELS.map((level) => `RSS at ${level} (MiB)`),
        'KiB per connection',
        `marginal KiB/conn (${LEVELS[0]}→${LEVELS.at(-1)})`,
        'RSS after all closed (MiB)',
      ],
      results.servers.map((s) => [
        s.target,
        mib(s.baselineRssKiB),
        ...s.levels.map((level) => mib(level.rssKiB)),
        s.kibPerConnection,
        s.marginalKibPerConnection,
        mib(s.afterCloseRssKiB),
      ]),
    ),
    '',
  );
  for (const note of results.notes) out.push(`- ${note}`);
  return out.join('\n');
}

async function main() {
  const total = LEVELS.at(-1);
  console.error('bench: starting the Veza server (initialises the data dir)…');
  const server = await startVeza('veza', { env: VEZA_ENV });
  const pool = await connectDatabase(getDataDir());
  onCleanup(() => pool.end());
  console.error(`bench: seeding ${total} users…`);
  const users = await seedUsers(pool, total);
  const roomOf = [];
  for (let from = 0; from < total; from += MEMBERS_PER_ROOM) {
    const members = users.slice(from, from + MEMBERS_PER_ROOM);
    const roomId = await seedRoom(
      pool,
      `memory-${from / MEMBERS_PER_ROOM}`,
      members.map((user) => user.userId),
    );
    for (let i = 0; i < members.length; i++) roomOf.push(roomId);
  }
  // The warm-up reuses the first users, so the levels reconnect them: every user holds one connection at a time.
  const secret = await readJwtSecret(getDataDir());
  const endpoint = await vezaEndpoint(server);
  if (!endpoint.probe.ok) {
    throw new Error(`no Veza figures: ${endpoint.probe.reason} on /api/v1/ws (build the server with the endpoint)`);
  }
  const bare = await startBare('bare');
  const workers = Array.from({ length: WORKERS }, (_, i) => forkWorker(`worker-${i}`));

  const servers = [];
  servers.push(await measure({ target: 'bare', pid: bare.child.pid, url: `ws://127.0.0.1:${bare.port}`, workers }));
  servers.push(
    await measure({
      target: 'veza',
      pid: endpoint.pid,
      url: endpoint.url,
      workers,
      users,
      veza: { secret, issuer: server.publicUrl, roomOf, protocol: PROTOCOL_VERSION },
    }),
  );

  const notes = [
    `RSS is the median of ${SAMPLES} readings taken ${SETTLE_MS / 1000} s after the connections were made; ` +
      `${WARMUP_CLIENTS} clients connected and closed before the idle reading, so code loaded on first use is ` +
      'not counted. KiB per connection = (RSS with N − RSS idle) / N.',
    'RSS includes garbage the V8 collector has not reclaimed yet, so it is an upper bound of what a connection ' +
      'keeps; the marginal figure between the two levels is less sensitive to one-off growth.',
    `Veza clients are authenticated (hello → welcome → synced), ${MEMBERS_PER_ROOM} per room; the Veza figure ` +
      'excludes its embedded PostgreSQL. Bare clients are plain connections.',
  ];
  if (endpoint.stub) notes.unshift(STUB_NOTE);
  const results = {
    date: new Date().toISOString(),
    machine: machineInfo(),
    serverEnv: { NODE_ENV: 'production', VEZA_HOST: '127.0.0.1', ...VEZA_ENV },
    servers,
    notes,
  };
  console.log(report(results));
  await saveResults(NAME, results);
}

runBench(NAME, HARD_TIMEOUT_MS, main);
