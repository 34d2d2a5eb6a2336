/**
 * The sending side of the chat benchmarks, in the benchmark process itself (a few connections at
 * a few hundred messages per second at most). Sending is open-loop: message k leaves at
 * start + k / rate whatever the server does, so an overloaded server shows as latency and missing
 * deliveries instead of slowing the load down. Message k goes out on sender k mod n.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { Histogram, now } from './harness.mjs';

/** The body every benchmark message carries; client-worker.mjs finds it without parsing JSON. */
export const benchBody = (sentAt, n) => `bench:${sentAt.toFixed(3)}:${n}`;

/**
 * What the bare server is fed: a frame shaped and sized like Veza's message.created event, so
 * both servers move the same bytes per delivery. The bare server relays it unchanged.
 */
function bareFrame(roomId, actorId, seq, body) {
  const at = new Date().toISOString();
  return JSON.stringify({
    type: 'event',
    roomId,
    seq,
    actorId,
    at,
    kind: 'message.created',
    data: {
      message: {
        id: randomUUID(),
        roomId,
        seq,
        authorId: actorId,
        authorUsername: 'bench-sender',
        clientId: randomUUID(),
        body,
        replyTo: null,
        mentions: [],
        createdAt: at,
        editedAt: null,
        deletedAt: null,
        reactions: [],
      },
    },
  });
}

function open(url, onMessage) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { handshakeTimeout: 10_000 });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode} on upgrade`)));
    ws.on('message', onMessage);
  });
}

/**
 * Sender connections. mode 'bare': `url` is the bare server, `roomIds[i]` only labels the frames.
 * mode 'veza': each sender i is `users[i]` with `tokens[i]`, says hello with `cursors[i]` and sends
 * `send` frames to `roomIds[i]`; acks give the send → ack latency (stored and committed).
 */
export async function openSenders({ mode, url, roomIds, tokens, cursors, protocol }) {
  const ackLatency = new Histogram();
  const inflight = new Map();
  const counts = { sent: 0, acked: 0, errors: {}, closes: {} };
  let windowStart = Infinity;
  let windowEnd = -Infinity;

  const sockets = [];
  for (let i = 0; i < roomIds.length; i++) {
    let synced;
    const isSynced = new Promise((resolve, reject) => (synced = { resolve, reject }));
    const onMessage = (data) => {
      if (mode !== 'veza') return;
      const text = data.toString();
      // Events (the sender's own messages come back to it) are the bulk: skip them unparsed.
      if (text.startsWith('{"type":"event"')) return;
      const frame = JSON.parse(text);
      if (frame.type === 'synced') synced.resolve();
      else if (frame.type === 'reset') synced.reject(new Error(`sender ${i}: reset ${frame.reason}`));
      else if (frame.type === 'ack') {
        const sentAt = inflight.get(frame.clientId);
        inflight.delete(frame.clientId);
        counts.acked++;
        const at = now();
        if (sentAt !== undefined && at >= windowStart && at <= windowEnd) ackLatency.record(at - sentAt);
      } else if (frame.type === 'error') {
        counts.errors[frame.code] = (counts.errors[frame.code] ?? 0) + 1;
        synced.reject(new Error(`sender ${i}: ${frame.code} ${frame.message}`));
      }
    };
    const ws = await open(url, onMessage);
    ws.on('error', () => undefined);
    ws.on('close', (code) => (counts.closes[code] = (counts.closes[code] ?? 0) + 1));
    if (mode === 'veza') {
      ws.send(JSON.stringify({ type: 'hello', protocol, token: tokens[i], cursors: cursors[i] }));
      await Promise.race([
        isSynced,
        sleep(30_000).then(() => Promise.reject(new Error(`sender ${i}: no synced within 30 s`))),
      ]);
    }
    sockets.push(ws);
  }

  let seq = 0;
  function sendOne(i) {
    const ws = sockets[i];
    const n = ++seq;
    const sentAt = now();
    const body = benchBody(sentAt, n);
    if (mode === 'veza') {
      const clientId = randomUUID();
      inflight.set(clientId, sentAt);
      ws.send(JSON.stringify({ type: 'send', roomId: roomIds[i], clientId, body }));
    } else {
      ws.send(bareFrame(roomIds[i], '00000000-0000-4000-8000-000000000000', n, body));
    }
    counts.sent++;
  }

  return {
    count: sockets.length,
    counts,
    ackLatency,
    /** Acks inside [start, end] count for the ack latency. */
    setWindow(start, end) {
      windowStart = start;
      windowEnd = end;
      ackLatency.reset();
    },
    /** Sends `rate` messages per second in total for `seconds`; resolves with how many were sent. */
    async run(rate, seconds, startAt = now()) {
      const total = Math.round(rate * seconds);
      let k = 0;
      while (k < total) {
        const due = startAt + (k * 1000) / rate;
        const wait = due - now();
        // Always yields, so acks are read while sending.
        await sleep(Math.max(0, wait - 0.5));
        // Catch up on every message that is due (a late timer never lowers the rate).
        while (k < total && startAt + (k * 1000) / rate <= now()) sendOne(k++ % sockets.length);
      }
      return total;
    },
    async close() {
      await Promise.all(
        sockets.map(
          (ws) =>
            new Promise((resolve) => {
              if (ws.readyState === WebSocket.CLOSED) return resolve();
              const timer = setTimeout(() => (ws.terminate(), resolve()), 5000);
              ws.once('close', () => (clearTimeout(timer), resolve()));
              ws.close(1000);
            }),
        ),
      );
    },
  };
}
