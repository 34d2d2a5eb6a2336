#!/usr/bin/env node
/**
 * Chat latency benchmark: persisted send → deliver latency at a steady, moderate rate spread over
 * many rooms, the everyday shape of chat (as opposed to fanout.mjs, one huge room). 100 rooms, each
 * with 10 receiving clients and one sender; every sender sends 1 message per second to its room
 * (100 messages/s in total, staggered evenly). Every message is stored, given a seq and committed
 * before it is delivered. Measures send → deliver latency at the receivers and send → ack at the
 * senders. Veza only: the built server (`veza-server serve`, embedded PostgreSQL) in its own process,
 * the client workers in theirs, all on 127.0.0.1.
 *
 *   node scripts/bench/chat-latency.mjs   (or `pnpm bench`, which runs every bench file)
 *
 * VEZA_BENCH_DURATION=3 shortens the measured run, VEZA_BENCH_STUB=1 points the clients at
 * lib/stub-veza.mjs (harness check without the real endpoint) and VEZA_BENCH_CLI runs another
 * server build; the results file is then left as it was.
 * Prints Markdown tables and writes scripts/bench/results/chat-latency.json. Stops everything it
 * started and removes its temporary directory, also on error; gives up after HARD_TIMEOUT_MS.
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
  round,
  runBench,
  startVeza,
  table,
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
  mintAccessTokens,
  readJwtSecret,
  seedRoom,
  seedUsers,
} from './lib/veza.mjs';

const NAME = 'chat-latency';
const HARD_TIMEOUT_MS = 5 * 60_000;
const ROOMS = 100;
const RECEIVERS_PER_ROOM = 10;
/** Messages per second per room. */
const ROOM_RATE = 1;
const WORKERS = 2;
const WARMUP_SECONDS = 3;
const DEFAULT_DURATION = 20;
const DURATION = duration(DEFAULT_DURATION);
const DRAIN_MS = 5000;
// Every load client connects from 127.0.0.1, dozens at a time: the per-address cap on sockets
// waiting for hello is meant for the internet, not for a load generator.
const VEZA_ENV = {
  VEZA_LOG_LEVEL: 'warn',
  VEZA_AUTH_REQUESTS_PER_MINUTE: '1000000',
  VEZA_MAX_PENDING_SOCKETS_PER_ADDRESS: '1000000',
};

async function sleepUntil(at) {
  const wait = at - now();
  if (wait > 0) await sleep(wait);
}

function report(results) {
  const { run } = results;
  const out = [];
  out.push(`## Chat latency benchmark (${results.date})`, '');
  const m = results.machine;
  out.push(`${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}`, '');
  out.push(
    `${run.rooms} rooms × ${run.receiversPerRoom} receiving clients (+ 1 sender each), ${run.roomRate} message/s ` +
      `per room; ${WARMUP_SECONDS} s warm-up, then ${results.durationSeconds} s measured. ` +
      `${run.connect.connected} clients connected in ${run.connect.ms} ms.`,
    '',
  );
  const d = run.deliverLatencyMs;
  const a = run.ackLatencyMs;
  out.push(
    table(
      [
        'msg/s',
        'deliveries/s',
        'deliver p50 ms',
        'p90 ms',
        'p99 ms',
        'max ms',
        'ack p50 ms',
        'ack p99 ms',
        'missing after drain',
        'errors',
        'closed by server',
        'CPU cores: server / pg / clients / senders / machine',
      ],
      [
        [
          run.messagesPerSecond,
          run.deliveredPerSecond,
          d.p50 ?? '–',
          d.p90 ?? '–',
          d.p99 ?? '–',
          d.max ?? '–',
          a.p50 ?? '–',
          a.p99 ?? '–',
          run.missing,
          Object.keys(run.senderErrors).length ? JSON.stringify(run.senderErrors) : 0,
          formatCloses(run.closedByServer) || 0,
          [
            run.cpuCores.server,
            run.cpuCores.postgres,
            run.cpuCores.clients,
            run.cpuCores.senders,
            run.cpuCores.machine,
          ].join(' / '),
        ],
      ],
    ),
    '',
  );
  for (const note of results.notes) out.push(`- ${note}`);
  return out.join('\n');
}

async function main() {
  console.error('bench: starting the Veza server (initialises the data dir)…');
  const server = await startVeza('veza', { env: VEZA_ENV });
  const pool = await connectDatabase(getDataDir());
  onCleanup(() => pool.end());
  const perRoom = RECEIVERS_PER_ROOM + 1;
  console.error(`bench: seeding ${ROOMS * perRoom} users in ${ROOMS} rooms…`);
  const users = await seedUsers(pool, ROOMS * perRoom);
  const senders = [];
  const receivers = [];
  const roomOf = [];
  const roomIds = [];
  for (let r = 0; r < ROOMS; r++) {
    const members = users.slice(r * perRoom, (r + 1) * perRoom);
    const roomId = await seedRoom(
      pool,
      `latency-${r}`,
      members.map((user) => user.userId),
    );
    roomIds.push(roomId);
    senders.push(members[0]);
    for (const user of members.slice(1)) {
      receivers.push(user);
      roomOf.push(roomId);
    }
  }
  const secret = await readJwtSecret(getDataDir());
  const issuer = server.publicUrl;
  const { url, pid, stub, probe } = await vezaEndpoint(server);
  if (!probe.ok) throw new Error(`no Veza figures: ${probe.reason} on /api/v1/ws (build the server with the endpoint)`);

  const workers = Array.from({ length: WORKERS }, (_, i) => forkWorker(`worker-${i}`));
  const pids = { server: pid, ...Object.fromEntries(workers.map((w, i) => [`worker${i}`, w.child.pid])) };
  console.error(`bench: connecting ${receivers.length} clients…`);
  const connect = await connectClients(workers, {
    url,
    users: receivers,
    veza: { secret, issuer, cursorsOf: (i) => ({ [roomOf[i]]: 0 }), protocol: PROTOCOL_VERSION },
  });
  if (connect.connected < receivers.length) {
    throw new Error(
      `only ${connect.connected} of ${receivers.length} clients connected: ${JSON.stringify(connect.failures)}`,
    );
  }
  const sending = await openSenders({
    mode: 'veza',
    url,
    roomIds,
    tokens: await mintAccessTokens(secret, issuer, senders),
    cursors: roomIds.map((roomId) => ({ [roomId]: 0 })),
    protocol: PROTOCOL_VERSION,
  });

  const rate = ROOMS * ROOM_RATE;
  const startAt = now() + 300;
  const windowStart = startAt + WARMUP_SECONDS * 1000;
  const windowEnd = windowStart + DURATION * 1000;
  await resetWindow(workers, windowStart, windowEnd);
  sending.setWindow(windowStart, windowEnd);
  console.error(`bench: ${rate} messages/s for ${WARMUP_SECONDS} + ${DURATION} s…`);
  const running = sending.run(rate, WARMUP_SECONDS + DURATION, startAt);
  await sleepUntil(windowStart);
  const cpuBefore = cpuSnapshot(pids);
  const benchCpuBefore = process.cpuUsage();
  await sleepUntil(windowEnd);
  const cpuAfter = cpuSnapshot(pids);
  const benchCpu = process.cpuUsage(benchCpuBefore);
  const sent = await running;
  const expected = sent * RECEIVERS_PER_ROOM;
  const received = await drain(workers, expected, DRAIN_MS);
  const stats = await gatherStats(workers);
  await sending.close();
  await closeClients(workers);
  const cpu = cpuSince(cpuBefore, cpuAfter);
  const seconds = (cpuAfter.at - cpuBefore.at) / 1000;

  const run = {
    rooms: ROOMS,
    receiversPerRoom: RECEIVERS_PER_ROOM,
    roomRate: ROOM_RATE,
    messagesPerSecond: rate,
    connect,
    sent,
    acked: sending.counts.acked,
    expected,
    received,
    missing: Math.max(0, expected - received),
    deliveredPerSecond: round(stats.inWindow / DURATION),
    deliverLatencyMs: stats.histogram.summary(),
    ackLatencyMs: sending.ackLatency.summary(),
    senderErrors: sending.counts.errors,
    closedByServer: stats.closes,
    cpuCores: {
      server: cpu.server ?? null,
      postgres: cpu.serverChildren ?? 0,
      clients: round((cpu.worker0 ?? 0) + (cpu.worker1 ?? 0), 2),
      senders: round((benchCpu.user + benchCpu.system) / 1e6 / seconds, 2),
      machine: cpu.machine ?? null,
    },
  };
  const notes = [
    'deliver = receive time at a client − send time at the sender (carried in the body), across processes on the ' +
      'same clock; ack = ack received − send at the sender (the message is stored and committed).',
    'Senders are open-loop: each sends on schedule whatever the server does. Every sender is a member of its room ' +
      'and gets its own message back too; only the 10 receivers of each room count as deliveries.',
  ];
  if (stub) notes.unshift(STUB_NOTE);
  if (run.acked < sent) notes.push(`${sent - run.acked} of ${sent} messages were not acknowledged.`);

  const results = {
    date: new Date().toISOString(),
    machine: machineInfo(),
    serverEnv: { NODE_ENV: 'production', VEZA_HOST: '127.0.0.1', ...VEZA_ENV },
    durationSeconds: DURATION,
    warmupSeconds: WARMUP_SECONDS,
    run,
    notes,
  };
  console.log(report(results));
  await saveResults(NAME, results);
}

runBench(NAME, HARD_TIMEOUT_MS, main);
