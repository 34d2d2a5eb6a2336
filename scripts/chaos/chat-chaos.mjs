/**
 * Chat chaos test: exactly-once delivery and per-room order under disconnects and server kills.
 *
 * The built server (apps/server/dist/cli.js) runs on a temporary data dir with its embedded
 * PostgreSQL, on 127.0.0.1 only. N users register through the API and join R public rooms. Each
 * user is one client that writes M messages, each with its own UUIDv7 clientId, through an outbox:
 * a message stays in the outbox until its ack, everything not acked is sent again after every
 * reconnect (and after a silence), and the server's (room, author, clientId) uniqueness must turn
 * that at-least-once sending into exactly-once messages. Meanwhile clients drop their connection
 * at random and come back with their cursors, the server is SIGKILLed and restarted on the same
 * data dir several times, and clients lose a few live events on purpose (as a buggy network layer
 * would) so that gaps appear and are filled with `fetch`, and sometimes drop the connection right
 * behind a send (the message may be stored while its ack is lost).
 *
 * Clients apply events strictly by seq: an event ahead of the cursor waits and triggers a fetch,
 * one at or below the cursor is a duplicate and must equal what was applied. A `reset` refetches
 * the room's history over REST (and its events with fetch).
 *
 * At the end every client's per-room event list must equal room_events in the database (same
 * seqs, same order, same content), and the number of message.created events must be N×M exactly:
 * zero lost, zero duplicated. Exit code 0 on success, 1 on any mismatch or error.
 *
 * The processes, the temporary directory and every exit path are the benchmark harness's
 * (scripts/bench/lib/harness.mjs), as is the database access (lib/veza.mjs).
 *
 * Usage: node scripts/chaos/chat-chaos.mjs   (builds the server first with tsc -b, incremental)
 * Environment: CHAOS_USERS (8), CHAOS_ROOMS (3), CHAOS_MESSAGES (50 per user), CHAOS_KILLS (3),
 * CHAOS_SEED (random), CHAOS_KEEP_TMP=1 keeps the temporary directory, CHAOS_NO_BUILD=1 skips the build.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { ROOT, freePort, getDataDir, onCleanup, request, runBench, startVeza } from '../bench/lib/harness.mjs';
import { PROTOCOL_VERSION, connectDatabase } from '../bench/lib/veza.mjs';
import { signalProcess } from '../lib/process.mjs';

const USERS = intFromEnv('CHAOS_USERS', 8);
const ROOMS = intFromEnv('CHAOS_ROOMS', 3);
const MESSAGES = intFromEnv('CHAOS_MESSAGES', 50);
const KILLS = intFromEnv('CHAOS_KILLS', 3);
const SEED = intFromEnv('CHAOS_SEED', randomBytes(4).readUInt32BE());
const HARD_TIMEOUT_MS = 180_000;
/** Sends per client at most this often: the server's default limit is a burst of 20, then 5/s. */
const SEND_INTERVAL_MS = 250;
/** A message not acked after this long on the same connection is sent again. */
const RESEND_AFTER_MS = 2_000;
/** Share of live events a client "loses" on purpose, to exercise gap detection and fetch. */
const LOSS_RATE = 0.03;
/** Share of sends right behind which the client drops its connection. */
const ACK_LOSS_RATE = 0.05;

function intFromEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer`);
  return value;
}

const log = (...args) => console.error(`[chaos ${((Date.now() - startedAt) / 1000).toFixed(1)}s]`, ...args);
const startedAt = Date.now();

/** mulberry32: the chaos decisions (who drops, when) follow the seed. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(SEED);
const between = (min, max) => min + Math.floor(random() * (max - min + 1));

/** UUIDv7: 48-bit milliseconds, version 7, variant 10, random rest. */
function uuidv7() {
  const bytes = randomBytes(16);
  const ms = BigInt(Date.now());
  for (let i = 0; i < 6; i++) bytes[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
  bytes[6] = (bytes[6] & 0x0f) | 0x70;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Sorted-key JSON, so jsonb (which reorders keys) and the wire compare equal. */
function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}
const eventKey = (event) =>
  canonical({ seq: event.seq, kind: event.kind, actorId: event.actorId, at: event.at, data: event.data });

// ── processes ──────────────────────────────────────────────────────────────────

let port;
let server; // the running server (startVeza)
const clients = [];

/** The server on the same port each time, so that clients reconnect to it as to a restarted host. */
async function startServer(label) {
  server = await startVeza(`server-${label}`, {
    port,
    env: { VEZA_AUTH_REQUESTS_PER_MINUTE: '100000', VEZA_LOG_LEVEL: 'warn' },
    timeoutMs: 30_000,
  });
}

async function killServer() {
  signalProcess(server, 'SIGKILL');
  await server.exit;
}

async function httpRequest(method, urlPath, { body, token } = {}) {
  const headers = token ? { authorization: `Bearer ${token}` } : {};
  const response = await request(port, method, urlPath, { body, headers, timeoutMs: 5_000 });
  return { status: response.status, json: response.text ? safeJson(response.text) : undefined };
}
const safeJson = (text) => {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

/** Retries through server restarts. */
async function api(method, urlPath, options, expected) {
  for (let attempt = 0; ; attempt++) {
    const response = await httpRequest(method, urlPath, options).catch((error) => ({ status: 0, error }));
    if (response.status === expected) return response.json;
    if (response.status !== 0 && response.status !== 503) {
      throw new Error(`${method} ${urlPath}: ${response.status} ${JSON.stringify(response.json)}`);
    }
    if (attempt > 200) throw new Error(`${method} ${urlPath}: server unreachable`);
    await sleep(100);
  }
}

// ── the client ─────────────────────────────────────────────────────────────────

class ChaosClient {
  constructor(index, session, roomIds) {
    this.index = index;
    this.userId = session.user.id;
    this.token = session.accessToken;
    this.rooms = new Map(
      roomIds.map((id) => [id, { cursor: 0, events: [], ahead: new Map(), fetching: false, synced: false }]),
    );
    /** clientId → { roomId, body, sentAt } until acked. */
    this.outbox = new Map();
    /** clientId → { messageId, seq, roomId } */
    this.acked = new Map();
    /** clientId → when each send frame of it left */
    this.sendTimes = new Map();
    this.created = 0;
    this.problems = [];
    this.stats = {
      connects: 0,
      drops: 0,
      sends: 0,
      resends: 0,
      fetches: 0,
      lost: 0,
      duplicates: 0,
      resets: 0,
      limited: 0,
    };
    this.ws = undefined;
    this.ready = false;
    this.stopped = false;
  }

  problem(text) {
    if (this.problems.length < 20) this.problems.push(text);
  }

  get done() {
    return this.created === MESSAGES && this.outbox.size === 0;
  }

  connect() {
    if (this.stopped) return;
    const cursors = Object.fromEntries([...this.rooms].map(([id, room]) => [id, room.cursor]));
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api/v1/ws`);
    this.ws = ws;
    this.ready = false;
    for (const room of this.rooms.values()) {
      room.synced = false;
      room.fetching = false;
    }
    ws.on('open', () =>
      ws.send(JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION, token: this.token, cursors })),
    );
    ws.on('message', (data) => {
      if (this.ws !== ws) return;
      let frame;
      try {
        frame = JSON.parse(String(data));
      } catch {
        this.problem(`unparsable frame ${String(data).slice(0, 80)}`);
        return;
      }
      this.onFrame(frame);
    });
    ws.on('error', () => undefined);
    ws.on('close', (code) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      this.ready = false;
      if (![1000, 1001, 1005, 1006, 4008].includes(code)) this.problem(`closed with ${code}`);
      if (!this.stopped) setTimeout(() => this.connect(), between(50, 400));
    });
  }

  /** Drops the connection the way a flaky network does (no close handshake). */
  drop() {
    if (!this.ws) return;
    this.stats.drops += 1;
    this.ws.terminate();
  }

  onFrame(frame) {
    switch (frame.type) {
      case 'welcome':
        this.stats.connects += 1;
        this.ready = true;
        for (const { roomId } of frame.rooms) if (!this.rooms.has(roomId)) this.problem(`unexpected room ${roomId}`);
        // Everything not acked goes again on every new connection.
        for (const item of this.outbox.values()) item.sentAt = 0;
        return;
      case 'synced':
        this.room(frame.roomId).synced = true;
        return;
      case 'event': {
        const room = this.room(frame.roomId);
        if (room.synced && frame.seq > room.cursor && random() < LOSS_RATE) {
          this.stats.lost += 1; // lost on purpose: a later event reveals the gap
          return;
        }
        this.apply(frame.roomId, room, frame);
        return;
      }
      case 'fetched': {
        const room = this.room(frame.roomId);
        room.fetching = false;
        // More than one page behind: keep asking.
        if (frame.until < frame.latestSeq && room.cursor < frame.latestSeq) {
          room.fetching = true;
          this.stats.fetches += 1;
          this.send({ type: 'fetch', roomId: frame.roomId, after: room.cursor, ref: 'more' });
          return;
        }
        this.askForGap(frame.roomId, room);
        return;
      }
      case 'ack': {
        const previous = this.acked.get(frame.clientId);
        if (previous && (previous.seq !== frame.seq || previous.messageId !== frame.messageId)) {
          this.problem(`two acks for ${frame.clientId}: seq ${previous.seq} and ${frame.seq}`);
        }
        this.acked.set(frame.clientId, { messageId: frame.messageId, seq: frame.seq, roomId: frame.roomId });
        this.sendTimes.set(
          frame.clientId,
          this.outbox.get(frame.clientId)?.sentTimes ?? this.sendTimes.get(frame.clientId),
        );
        this.outbox.delete(frame.clientId);
        return;
      }
      case 'reset':
        this.stats.resets += 1;
        void this.recover(frame);
        return;
      case 'error':
        if (frame.code === 'RATE_LIMITED' || frame.code === 'MUTED') {
          this.stats.limited += 1;
          return; // the outbox sends it again later
        }
        this.problem(`error frame ${frame.code}: ${frame.message}`);
        return;
      case 'presence':
      case 'typing':
      case 'done':
        return;
      default:
        this.problem(`unknown frame ${frame.type}`);
    }
  }

  room(roomId) {
    const room = this.rooms.get(roomId);
    if (!room) throw new Error(`client ${this.index}: frame for unknown room ${roomId}`);
    return room;
  }

  apply(roomId, room, event) {
    if (event.seq <= room.cursor) {
      this.stats.duplicates += 1;
      if (eventKey(room.events[event.seq - 1]) !== eventKey(event))
        this.problem(`room ${roomId} seq ${event.seq} received twice with different content`);
      return;
    }
    if (event.seq > room.cursor + 1) {
      const waiting = room.ahead.get(event.seq);
      if (waiting && eventKey(waiting) !== eventKey(event)) this.problem(`room ${roomId} seq ${event.seq} differs`);
      room.ahead.set(event.seq, event);
      this.askForGap(roomId, room);
      return;
    }
    room.events.push(event);
    room.cursor = event.seq;
    for (let next = room.ahead.get(room.cursor + 1); next; next = room.ahead.get(room.cursor + 1)) {
      room.ahead.delete(next.seq);
      room.events.push(next);
      room.cursor = next.seq;
    }
    for (const seq of room.ahead.keys()) if (seq <= room.cursor) room.ahead.delete(seq);
    this.askForGap(roomId, room);
  }

  /** One fetch at a time per room, while events wait beyond a hole. */
  askForGap(roomId, room) {
    if (room.ahead.size === 0 || room.fetching || !this.ws || !this.ready) return;
    room.fetching = true;
    this.stats.fetches += 1;
    this.send({ type: 'fetch', roomId, after: room.cursor, ref: `gap-${roomId.slice(0, 8)}-${room.cursor}` });
  }

  /** A reset: the history over REST, then the room's events from the cursor with fetch. */
  async recover(frame) {
    const room = this.room(frame.roomId);
    if (frame.reason === 'not_member') {
      this.problem(`reset not_member for ${frame.roomId}`);
      return;
    }
    const page = await api('GET', `/api/v1/rooms/${frame.roomId}/messages?limit=200`, { token: this.token }, 200).catch(
      (error) => this.problem(`history after reset: ${error.message}`),
    );
    for (const message of page?.messages ?? []) {
      if (message.authorId === this.userId && this.outbox.has(message.clientId)) {
        this.acked.set(message.clientId, { messageId: message.id, seq: message.seq, roomId: message.roomId });
        this.outbox.delete(message.clientId);
      }
    }
    // The event list is rebuilt from the log: what follows the cursor, page by page up to latestSeq.
    room.fetching = true;
    this.stats.fetches += 1;
    this.send({ type: 'fetch', roomId: frame.roomId, after: room.cursor, ref: 'reset' });
  }

  send(frame) {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }

  /** Writes a new message now and then, and sends what the outbox holds. */
  tick(roomIds) {
    if (this.created < MESSAGES && random() < 0.6) {
      const roomId = roomIds[(this.index + this.created) % roomIds.length];
      this.outbox.set(uuidv7(), {
        roomId,
        body: `user ${this.index} message ${this.created}`,
        sentAt: 0,
        sentTimes: [],
      });
      this.created += 1;
    }
    if (!this.ready) return;
    const now = Date.now();
    for (const [clientId, item] of this.outbox) {
      if (now - item.sentAt < RESEND_AFTER_MS) continue;
      if (item.sentTimes.length > 0) this.stats.resends += 1;
      item.sentTimes.push(now);
      item.sentAt = now;
      this.stats.sends += 1;
      this.send({ type: 'send', roomId: item.roomId, clientId, body: item.body });
      // Sometimes the connection dies right behind the send: the message may be stored with its
      // ack lost, and the resend must find it.
      if (random() < ACK_LOSS_RATE) {
        const ws = this.ws;
        setTimeout(() => ws === this.ws && this.drop(), between(0, 15));
      }
      return; // one per tick: stays under the rate limit
    }
  }

  stop() {
    this.stopped = true;
    this.ws?.terminate();
    this.ws = undefined;
  }
}

// ── the run ────────────────────────────────────────────────────────────────────

async function main() {
  onCleanup(() => {
    for (const client of clients) client.stop();
  });
  port = await freePort();
  log(`seed ${SEED}; ${USERS} users × ${MESSAGES} messages in ${ROOMS} rooms; ${KILLS} server kills; ${getDataDir()}`);

  await startServer('0');
  log('server up');
  const sessions = [];
  for (let i = 0; i < USERS; i++) {
    const suffix = `${i}${randomBytes(3).toString('hex')}`;
    sessions.push(
      await api(
        'POST',
        '/api/v1/auth/register',
        { body: { email: `chaos${suffix}@example.test`, username: `chaos${suffix}`, password: `pw-${randomUUID()}` } },
        201,
      ),
    );
  }
  const roomIds = [];
  for (let r = 0; r < ROOMS; r++) {
    const room = await api(
      'POST',
      '/api/v1/rooms',
      { token: sessions[0].accessToken, body: { name: `chaos ${r}`, visibility: 'public' } },
      201,
    );
    roomIds.push(room.id);
    for (const session of sessions.slice(1))
      await api('POST', `/api/v1/rooms/${room.id}/join`, { token: session.accessToken }, 200);
  }
  log(`${USERS} users registered, ${ROOMS} rooms joined`);

  for (let i = 0; i < USERS; i++) {
    const client = new ChaosClient(i, sessions[i], roomIds);
    clients.push(client);
    client.connect();
  }

  // Clients write and flap; the server is killed at intervals.
  const ticker = setInterval(() => {
    for (const client of clients) {
      client.tick(roomIds);
      if (random() < 0.012) client.drop();
    }
  }, SEND_INTERVAL_MS);
  const sendingTime = (MESSAGES / 0.6) * SEND_INTERVAL_MS;
  let kills = 0;
  for (let k = 0; k < KILLS; k++) {
    await sleep(between(Math.round(sendingTime / (KILLS + 1) / 2), Math.round(sendingTime / (KILLS + 1))));
    await killServer();
    kills += 1;
    log(`server killed (${kills}/${KILLS})`);
    await sleep(between(0, 800));
    await startServer(String(kills));
    log('server restarted');
  }

  // Everything written and acked (or, if not in time, on to the verdict with what there is).
  const drainBy = startedAt + HARD_TIMEOUT_MS - 60_000;
  while (!clients.every((client) => client.done) && Date.now() < drainBy) await sleep(100);
  clearInterval(ticker);
  const unacked = clients.reduce((sum, client) => sum + client.outbox.size + (MESSAGES - client.created), 0);
  log(unacked === 0 ? 'every outbox is empty' : `${unacked} messages still unacked: giving up waiting`);

  // Settle: one more reconnect each (the app coming back to the foreground), then wait for the log's end.
  const pool = await connectDatabase(getDataDir());
  try {
    const { rows: seqRows } = await pool.query('SELECT id, last_seq FROM rooms WHERE id = ANY($1::uuid[])', [roomIds]);
    const lastSeq = new Map(seqRows.map((row) => [row.id, Number(row.last_seq)]));
    for (const client of clients) client.drop();
    const settleBy = Date.now() + (unacked === 0 ? 30_000 : 5_000);
    const behind = () =>
      clients.flatMap((client) =>
        [...client.rooms]
          .filter(([id, room]) => room.cursor !== lastSeq.get(id))
          .map(([id, room]) => `client ${client.index} room ${id.slice(0, 8)} at ${room.cursor}/${lastSeq.get(id)}`),
      );
    while (behind().length > 0 && Date.now() < settleBy) await sleep(100);
    for (const client of clients) client.stop();

    const problems = behind().map((text) => `not caught up: ${text}`);
    if (unacked > 0) problems.push(`${unacked} messages never acked`);
    return await verify(pool, roomIds, problems);
  } finally {
    await pool.end();
  }
}

async function verify(pool, roomIds, failures) {
  const { rows } = await pool.query(
    `SELECT room_id, seq, kind, actor_id, at, payload FROM room_events WHERE room_id = ANY($1::uuid[]) ORDER BY room_id, seq`,
    [roomIds],
  );
  const logs = new Map(roomIds.map((id) => [id, []]));
  for (const row of rows) {
    logs.get(row.room_id).push({
      seq: Number(row.seq),
      kind: row.kind,
      actorId: row.actor_id,
      at: row.at.toISOString(),
      data: row.payload,
    });
  }
  for (const [roomId, events] of logs) {
    events.forEach((event, i) => {
      if (event.seq !== i + 1) failures.push(`database: room ${roomId} has seq ${event.seq} at position ${i + 1}`);
    });
  }

  // Exactly N×M messages: every clientId of every outbox once, none twice.
  const created = rows.filter((row) => row.kind === 'message.created');
  const expected = USERS * MESSAGES;
  const byClientId = new Map();
  for (const row of created) {
    const key = `${row.payload.message.authorId}:${row.payload.message.clientId}`;
    byClientId.set(key, (byClientId.get(key) ?? 0) + 1);
  }
  const duplicated = [...byClientId.values()].filter((n) => n > 1).length;
  const { rows: messageCount } = await pool.query(
    'SELECT count(*)::int AS n FROM messages WHERE room_id = ANY($1::uuid[])',
    [roomIds],
  );
  if (created.length !== expected) failures.push(`message.created events: ${created.length}, expected ${expected}`);
  if (messageCount[0].n !== expected) failures.push(`messages rows: ${messageCount[0].n}, expected ${expected}`);
  if (duplicated > 0) failures.push(`${duplicated} clientIds stored more than once`);

  let matching = 0;
  // Resends that reached the server after their message was stored: the idempotent path.
  let storedResends = 0;
  for (const client of clients) {
    for (const [clientId, ack] of client.acked) {
      const createdAt = Date.parse(logs.get(ack.roomId)[ack.seq - 1]?.data.message?.createdAt ?? '');
      const last = client.sendTimes.get(clientId)?.at(-1) ?? 0;
      if ((client.sendTimes.get(clientId)?.length ?? 0) > 1 && createdAt < last) storedResends += 1;
    }
  }
  for (const client of clients) {
    const before = failures.length;
    failures.push(...client.problems.map((text) => `client ${client.index}: ${text}`));
    if (client.acked.size !== MESSAGES)
      failures.push(`client ${client.index}: ${client.acked.size} acks, expected ${MESSAGES}`);
    for (const [clientId, ack] of client.acked) {
      const event = logs.get(ack.roomId)[ack.seq - 1];
      if (
        event?.kind !== 'message.created' ||
        event.data.message.clientId !== clientId ||
        event.data.message.id !== ack.messageId
      ) {
        failures.push(`client ${client.index}: ack of ${clientId} points at seq ${ack.seq}, which is not that message`);
      }
    }
    for (const [roomId, room] of client.rooms) {
      const expectedEvents = logs.get(roomId);
      if (room.events.length !== expectedEvents.length) {
        failures.push(
          `client ${client.index} room ${roomId.slice(0, 8)}: ${room.events.length} events, database ${expectedEvents.length}`,
        );
      }
      const firstDifference = room.events.findIndex(
        (event, i) => eventKey(event) !== eventKey(expectedEvents[i] ?? {}),
      );
      if (firstDifference >= 0) {
        failures.push(
          `client ${client.index} room ${roomId.slice(0, 8)}: differs from the database at seq ${firstDifference + 1}`,
        );
      }
    }
    if (failures.length === before) matching += 1;
  }

  const total = (key) => clients.reduce((sum, client) => sum + client.stats[key], 0);
  const perRoom = roomIds.map((id) => logs.get(id).length);
  console.log(`Chat chaos test (seed ${SEED})`);
  console.log(`  users × messages:          ${USERS} × ${MESSAGES} = ${expected}`);
  console.log(
    `  message.created in the log: ${created.length} (messages rows ${messageCount[0].n}, duplicated clientIds ${duplicated})`,
  );
  console.log(`  events per room:           ${perRoom.join(', ')} (total ${rows.length})`);
  console.log(`  server SIGKILLs:           ${KILLS}`);
  console.log(`  connections (welcomes):    ${total('connects')}; dropped by clients ${total('drops')}`);
  console.log(`  resends of stored messages: ${storedResends} (the message was in the log before the resend left)`);
  console.log(`  send frames:               ${total('sends')} for ${expected} messages (${total('resends')} resends)`);
  console.log(`  rate-limited sends:        ${total('limited')}`);
  console.log(
    `  live events lost on purpose: ${total('lost')}; fetches ${total('fetches')}; duplicates ignored ${total('duplicates')}`,
  );
  console.log(`  resets:                    ${total('resets')}`);
  console.log(`  clients equal to the log:  ${matching}/${clients.length}`);
  console.log(`  duration:                  ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
  if (failures.length > 0) {
    console.log(`FAILED: ${failures.length} problem(s)`);
    for (const failure of failures.slice(0, 40)) console.log(`  - ${failure}`);
    return 1;
  }
  console.log('OK: zero lost, zero duplicated, every client equals the database');
  return 0;
}

function build() {
  if (process.env.CHAOS_NO_BUILD !== '1') {
    log('building the server (tsc -b tsconfig.build.json)');
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-b', 'tsconfig.build.json'], {
      cwd: ROOT,
      stdio: 'inherit',
    });
  }
}

build();
runBench('chaos', HARD_TIMEOUT_MS, main, {
  keepTmp: process.env.CHAOS_KEEP_TMP === '1' || process.env.VEZA_BENCH_KEEP_TMP === '1',
});
