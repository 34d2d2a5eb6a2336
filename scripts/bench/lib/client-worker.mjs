/**
 * A client load worker, forked by the benchmarks (harness.mjs forkWorker): it holds a share of the
 * WebSocket clients, so no process goes past the file descriptor limit and the load is spread
 * over processes. Commands arrive over IPC as { id, cmd, ... } and are answered { id, result }.
 *
 * Clients are lean on purpose (the load generator shares the 2 cores with the server): once live,
 * a frame is only searched for the benchmark's body marker, never parsed as JSON. The sender puts
 * `bench:<send time in ms>:<n>` in the message body; the delivery latency is now − send time, on
 * the clock every process of the benchmark shares (performance.timeOrigin + performance.now()).
 */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { Histogram } from './harness.mjs';

const MARKER = Buffer.from('"body":"bench:');
const COLON = 0x3a;
const now = () => performance.timeOrigin + performance.now();

/** Live sockets of this worker. */
const sockets = new Set();
const stats = newStats();
let windowStart = Infinity;
let windowEnd = -Infinity;

function newStats() {
  return {
    /** Deliveries (frames carrying the marker) since the last reset. */
    deliveries: 0,
    /** Deliveries received inside the measurement window, and their latency. */
    inWindow: 0,
    histogram: new Histogram(),
    frames: 0,
    bytes: 0,
    /** Closes of live sockets by code (the server hung up on a client). */
    closes: {},
  };
}

function resetStats() {
  Object.assign(stats, newStats());
}

function onLiveMessage(data) {
  stats.frames++;
  stats.bytes += data.length;
  const at = data.indexOf(MARKER);
  if (at < 0) return;
  const from = at + MARKER.length;
  const to = data.indexOf(COLON, from);
  const sentAt = Number(data.toString('latin1', from, to));
  const receivedAt = now();
  stats.deliveries++;
  if (receivedAt >= windowStart && receivedAt <= windowEnd) {
    stats.inWindow++;
    stats.histogram.record(receivedAt - sentAt);
  }
}

/**
 * Opens one client; for Veza it says hello and waits for `synced` of every room in its cursors.
 * Resolves with the socket, rejects with a short reason.
 */
function openClient(url, client, timeoutMs) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { skipUTF8Validation: true, handshakeTimeout: timeoutMs });
    const waiting = new Set(client ? Object.keys(client.cursors) : []);
    let settled = false;
    const fail = (reason) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.terminate();
      reject(new Error(reason));
    };
    const timer = setTimeout(() => fail(client ? 'no synced in time' : 'no open in time'), timeoutMs);
    const live = () => {
      settled = true;
      clearTimeout(timer);
      ws.removeAllListeners('message');
      ws.on('message', onLiveMessage);
      ws.on('close', (code) => {
        stats.closes[code] = (stats.closes[code] ?? 0) + 1;
        sockets.delete(ws);
      });
      sockets.add(ws);
      resolve(ws);
    };
    ws.on('error', (error) => fail(error.message));
    ws.on('unexpected-response', (_req, res) => fail(`HTTP ${res.statusCode} on upgrade`));
    ws.on('close', (code, reason) => fail(`closed ${code} ${reason.toString()}`.trim()));
    ws.on('open', () => {
      if (!client) return live();
      ws.send(
        JSON.stringify({ type: 'hello', protocol: client.protocol, token: client.token, cursors: client.cursors }),
      );
    });
    if (!client) return;
    ws.on('message', (data) => {
      const text = data.toString();
      if (text.includes('"synced"') || text.includes('"reset"') || text.includes('"error"')) {
        const frame = JSON.parse(text);
        if (frame.type === 'synced') {
          waiting.delete(frame.roomId);
          if (waiting.size === 0) live();
        } else if (frame.type === 'reset' || frame.type === 'error') {
          fail(`${frame.type}: ${frame.reason ?? frame.code} ${frame.message ?? ''}`.trim());
        }
      }
    });
  });
}

/**
 * Opens `count` bare clients or one per entry of `clients`, at most `concurrency` at a time. No
 * client is started after `deadline` (shared clock, ms): the answer then says how far it got.
 */
async function connect({ url, clients, count, concurrency = 100, timeoutMs = 60_000, deadline = Infinity }) {
  const total = clients ? clients.length : count;
  const startedAt = performance.now();
  const failures = {};
  let connected = 0;
  let next = 0;
  let extensions;
  const lane = async () => {
    while (next < total && now() < deadline) {
      const index = next++;
      try {
        const ws = await openClient(url, clients?.[index], Math.max(1000, Math.min(timeoutMs, deadline - now())));
        extensions ??= ws.extensions;
        connected++;
      } catch (error) {
        failures[error.message] = (failures[error.message] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, lane));
  return {
    connected,
    failures,
    notStarted: total - next,
    extensions: extensions ?? '',
    ms: Math.round(performance.now() - startedAt),
  };
}

async function closeAll(timeoutMs = 10_000) {
  const closing = [...sockets];
  sockets.clear();
  const closed = closing.map(
    (ws) =>
      new Promise((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        ws.removeAllListeners('close');
        ws.once('close', resolve);
        ws.close(1000);
      }),
  );
  let timer;
  await Promise.race([Promise.all(closed), new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  clearTimeout(timer);
  for (const ws of closing) if (ws.readyState !== WebSocket.CLOSED) ws.terminate();
  return { closed: closing.length };
}

const commands = {
  connect,
  close: ({ timeoutMs }) => closeAll(timeoutMs),
  /** Counters back to zero; deliveries are counted inside [start, end] (shared clock, ms). */
  reset: ({ start = Infinity, end = -Infinity }) => {
    resetStats();
    windowStart = start;
    windowEnd = end;
    return { open: sockets.size };
  },
  stats: () => ({ ...stats, histogram: stats.histogram.toJSON(), open: sockets.size }),
  /** Only the counters (cheap, for polling while deliveries drain). */
  count: () => ({ deliveries: stats.deliveries, open: sockets.size }),
};

process.on('message', async (message) => {
  try {
    const result = await commands[message.cmd](message);
    process.send({ id: message.id, result });
  } catch (error) {
    process.send({ id: message.id, error: error instanceof Error ? error.message : String(error) });
  }
});
// Closes everything when the benchmark goes away (IPC channel gone) or stops this worker.
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
