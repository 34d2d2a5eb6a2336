/**
 * Driving the client workers: connecting clients spread over them, measurement windows, waiting
 * for deliveries to drain, and merging their counters and latency histograms.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { Histogram, STUB_SERVER, now, split, startBare } from './harness.mjs';
import { mintAccessTokens } from './veza.mjs';

/**
 * Connects clients over the workers: `count` bare clients, or one Veza client per user (hello
 * with a fresh access token and `cursorsOf(index)`, then waits for `synced`).
 */
export async function connectClients(workers, { url, count, users, veza, concurrency = 50, budgetMs = 170_000 }) {
  let shares;
  if (users) {
    const tokens = await mintAccessTokens(veza.secret, veza.issuer, users);
    const clients = users.map((_, i) => ({ token: tokens[i], cursors: veza.cursorsOf(i), protocol: veza.protocol }));
    shares = split(clients, workers.length).map((slice) => ({ clients: slice }));
  } else {
    shares = split(Array.from({ length: count }), workers.length).map((slice) => ({ count: slice.length }));
  }
  // Past the budget no client is started, and the ones under way give up.
  const deadline = now() + budgetMs;
  const results = await Promise.all(
    workers.map((worker, i) => worker.call('connect', { url, concurrency, deadline, ...shares[i] }, budgetMs + 90_000)),
  );
  const failures = {};
  for (const result of results) {
    for (const [reason, n] of Object.entries(result.failures)) failures[reason] = (failures[reason] ?? 0) + n;
  }
  return {
    connected: results.reduce((sum, result) => sum + result.connected, 0),
    failures,
    notStarted: results.reduce((sum, result) => sum + result.notStarted, 0),
    extensions: results.find((result) => result.extensions)?.extensions ?? '',
    ms: Math.max(...results.map((result) => result.ms)),
  };
}

export async function closeClients(workers) {
  await Promise.all(workers.map((worker) => worker.call('close', { timeoutMs: 10_000 }, 30_000)));
}

/** Zeroes the workers' counters; deliveries received inside [start, end] are measured. */
export async function resetWindow(workers, start, end) {
  await Promise.all(workers.map((worker) => worker.call('reset', { start, end })));
}

/** Polls until `expected` deliveries arrived or `timeoutMs` passed; returns the count reached. */
export async function drain(workers, expected, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await Promise.all(workers.map((worker) => worker.call('count')));
    const delivered = counts.reduce((sum, count) => sum + count.deliveries, 0);
    if (delivered >= expected || Date.now() >= deadline) return delivered;
    await sleep(100);
  }
}

/** The workers' counters added up, with one merged latency histogram. */
export async function gatherStats(workers) {
  const all = await Promise.all(workers.map((worker) => worker.call('stats')));
  const histogram = new Histogram();
  const closes = {};
  let deliveries = 0;
  let inWindow = 0;
  let frames = 0;
  let bytes = 0;
  let open = 0;
  for (const stats of all) {
    histogram.merge(stats.histogram);
    deliveries += stats.deliveries;
    inWindow += stats.inWindow;
    frames += stats.frames;
    bytes += stats.bytes;
    open += stats.open;
    for (const [code, n] of Object.entries(stats.closes)) closes[code] = (closes[code] ?? 0) + n;
  }
  return { deliveries, inWindow, frames, bytes, open, closes, histogram };
}

/**
 * Whether the WebSocket endpoint answers the upgrade at all (the Veza endpoint may not exist in
 * an older build): resolves { ok } or { ok: false, reason }.
 */
export function probeEndpoint(url, timeoutMs = 5000) {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { handshakeTimeout: timeoutMs });
    const done = (result) => {
      ws.removeAllListeners();
      ws.on('error', () => undefined);
      ws.terminate();
      resolve(result);
    };
    ws.once('open', () => done({ ok: true }));
    ws.once('unexpected-response', (_req, res) => done({ ok: false, reason: `HTTP ${res.statusCode} on upgrade` }));
    ws.once('error', (error) => done({ ok: false, reason: error.message }));
  });
}

/** Close codes as "4008×12, 1006×3" (empty when none). */
export const formatCloses = (closes) =>
  Object.entries(closes)
    .map(([code, n]) => `${code}×${n}`)
    .join(', ');

/**
 * The WebSocket endpoint the "veza" side of a benchmark uses: the server's /api/v1/ws, or with
 * VEZA_BENCH_STUB=1 lib/stub-veza.mjs (checks the harness without the real endpoint). `probe`
 * says whether it answers the upgrade; `pid` is the process to measure.
 */
export async function vezaEndpoint(server) {
  const stub = process.env.VEZA_BENCH_STUB === '1';
  let url = `ws://127.0.0.1:${server.port}/api/v1/ws`;
  let pid = server.child.pid;
  if (stub) {
    const stubServer = await startBare('stub-veza', STUB_SERVER);
    url = `ws://127.0.0.1:${stubServer.port}/api/v1/ws`;
    pid = stubServer.child.pid;
  }
  return { url, pid, stub, probe: await probeEndpoint(url) };
}

export const STUB_NOTE = 'VEZA_BENCH_STUB=1: the Veza figures measure lib/stub-veza.mjs, not the Veza server.';
