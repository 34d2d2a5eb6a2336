import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CLOSE_CODES, PROTOCOL_LIMITS, PROTOCOL_VERSION, type ServerFrame } from '@veza/shared';
import type { AppLimits } from '../app.js';
import { ManualClock } from '../infra/clock.js';
import { TEST_PUBLIC_URL, createTestApp, signUp, type TestApp } from '../test-support/app.js';
import {
  connect,
  connectSynced,
  createRoom,
  eventsOf,
  eventually,
  isEvent,
  isType,
  joinRoom,
  sendMessage,
  sleep,
  wsUrl,
} from '../test-support/chat.js';
import { sampleSum, scrape } from '../test-support/metrics.js';
import { TestSocket } from '../test-support/ws-client.js';
import { DEFAULT_GATEWAY_LIMITS } from './limits.js';
import { DEFAULT_SEND_LIMITS } from './send-limiter.js';

/*
 * What the gateway does with clients that misbehave: bad frames, frames out of order, silence,
 * floods, slow readers, dead peers, and a server going away.
 */

const GENEROUS_SENDS = { ...DEFAULT_SEND_LIMITS, capacity: 10_000, refillPerSecond: 10_000 };

const apps: TestApp[] = [];
const sockets: TestSocket[] = [];
async function startApp(
  options: { limits?: Partial<AppLimits>; clock?: ManualClock } = {},
): Promise<{ t: TestApp; url: string }> {
  const t = await createTestApp({ ...options, limits: { chatSends: GENEROUS_SENDS, ...options.limits } });
  apps.push(t);
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  return { t, url: wsUrl(t) };
}
afterAll(async () => {
  for (const socket of sockets) socket.ws.terminate();
  for (const t of apps) await t.close().catch(() => undefined);
});
const track = <T extends TestSocket>(socket: T): T => {
  sockets.push(socket);
  return socket;
};

const errorFrame = (ref?: string) => (f: ServerFrame) =>
  f.type === 'error' && (ref === undefined ? !('ref' in f) : 'ref' in f && f.ref === ref);
const doneFrame = (ref: string) => (f: ServerFrame) => f.type === 'done' && f.ref === ref;

/** The connection still answers: a read frame gets its done. */
async function stillUsable(socket: TestSocket, roomId: string): Promise<void> {
  const ref = `probe-${randomUUID().slice(0, 8)}`;
  socket.send({ type: 'read', roomId, seq: 0, ref });
  await socket.next(doneFrame(ref), `done ${ref}`);
  expect(socket.closeCode).toBeUndefined();
}

describe('bad frames', () => {
  let t: TestApp;
  let url: string;
  let token: string;
  let roomId: string;
  beforeAll(async () => {
    ({ t, url } = await startApp({ limits: { gateway: { ...DEFAULT_GATEWAY_LIMITS, helloTimeoutMs: 200 } } }));
    const ada = await signUp(t);
    token = ada.accessToken;
    roomId = (await createRoom(t, token)).id;
  });

  it('answers each bad frame with BAD_FRAME, echoing a usable ref, and keeps the connection', async () => {
    const socket = track(await connectSynced(url, token, { [roomId]: 1 }));
    const messageId = randomUUID();
    const cases: { frame: string; ref?: string; message?: RegExp }[] = [
      { frame: '{"type": "read", "roomId": ', message: /not valid JSON/ },
      { frame: '', message: /not valid JSON/ },
      { frame: '[{"type":"read"}]', message: /JSON object/ },
      { frame: '42', message: /JSON object/ },
      { frame: '"hello"', message: /JSON object/ },
      { frame: 'null', message: /JSON object/ },
      {
        frame: JSON.stringify({ type: 'shout', ref: 'unknown' }),
        ref: 'unknown',
        message: /Unknown frame type "shout"/,
      },
      { frame: JSON.stringify({ type: 'toString', ref: 'proto' }), ref: 'proto', message: /Unknown frame type/ },
      { frame: JSON.stringify({ type: '__proto__', ref: 'proto2' }), ref: 'proto2', message: /Unknown frame type/ },
      { frame: JSON.stringify({ ref: 'untyped' }), ref: 'untyped', message: /Unknown frame type/ },
      {
        frame: JSON.stringify({ type: 'edit', messageId, ref: 'missing' }),
        ref: 'missing',
        message: /edit\.body is required/,
      },
      {
        frame: JSON.stringify({ type: 'read', roomId, seq: 1, ref: 'extra', extra: true }),
        ref: 'extra',
        message: /read\.extra is not allowed/,
      },
      {
        frame: JSON.stringify({ type: 'read', roomId, seq: '1', ref: 'wrongtype' }),
        ref: 'wrongtype',
        message: /read\.seq/,
      },
      {
        frame: JSON.stringify({ type: 'read', roomId, seq: -1, ref: 'negative' }),
        ref: 'negative',
        message: /read\.seq/,
      },
      {
        frame: JSON.stringify({ type: 'read', roomId, seq: 1.5, ref: 'fraction' }),
        ref: 'fraction',
        message: /read\.seq/,
      },
      {
        frame: JSON.stringify({ type: 'read', roomId: 'not-a-uuid', seq: 1, ref: 'uuid' }),
        ref: 'uuid',
        message: /roomId/,
      },
      {
        frame: JSON.stringify({ type: 'send', roomId, clientId: randomUUID(), body: '   ' }),
        message: /send\.body/,
      },
      {
        frame: JSON.stringify({ type: 'send', roomId, clientId: randomUUID(), body: 'x'.repeat(4001) }),
        message: /send\.body/,
      },
      {
        frame: JSON.stringify({ type: 'react', messageId, emoji: 'two words', op: 'add', ref: 'emoji' }),
        ref: 'emoji',
        message: /react\.emoji/,
      },
      {
        frame: JSON.stringify({ type: 'react', messageId, emoji: '👍', op: 'toggle', ref: 'op' }),
        ref: 'op',
        message: /react\.op/,
      },
      {
        frame: JSON.stringify({ type: 'fetch', roomId, after: 0, limit: 501, ref: 'limit' }),
        ref: 'limit',
        message: /fetch\.limit/,
      },
      // A ref that is not a usable ref is not echoed.
      { frame: JSON.stringify({ type: 'read', roomId, seq: 1, ref: 'r'.repeat(65) }), message: /read\.ref/ },
      { frame: JSON.stringify({ type: 'read', roomId, seq: 1, ref: 7 }), message: /read\.ref/ },
      { frame: JSON.stringify({ type: 'shout', ref: { nested: true } }), message: /Unknown frame type/ },
    ];
    for (const { frame, ref, message } of cases) {
      socket.frames.length = 0;
      socket.sendRaw(frame);
      const error = await socket.next(isType('error'), `error for ${frame.slice(0, 60)}`);
      expect(error.code, frame).toBe('BAD_FRAME');
      if (ref === undefined) expect(error, frame).not.toHaveProperty('ref');
      else expect(error.ref, frame).toBe(ref);
      if (message) expect(error.message, frame).toMatch(message);
      await stillUsable(socket, roomId);
    }

    // Binary frames are refused the same way.
    socket.frames.length = 0;
    socket.sendRaw(Buffer.from(JSON.stringify({ type: 'read', roomId, seq: 1, ref: 'binary' })));
    expect(await socket.next(isType('error'), 'binary')).toMatchObject({ code: 'BAD_FRAME', message: /binary/ });
    await stillUsable(socket, roomId);

    // Still a working chat connection: a message goes through and comes back.
    const ack = await sendMessage(socket, roomId, 'after the garbage');
    await socket.next(isEvent(roomId, ack.seq), 'own message');
  });

  it('answers a frame just under 64 KiB and closes the socket with 1009 over it, leaving others alone', async () => {
    const bystander = track(await connectSynced(url, token, { [roomId]: 0 }));
    const socket = track(await connectSynced(url, token, { [roomId]: 0 }));

    const under = JSON.stringify({ type: 'shout', ref: 'big', pad: 'x'.repeat(PROTOCOL_LIMITS.maxPayloadBytes - 100) });
    expect(Buffer.byteLength(under)).toBeLessThanOrEqual(PROTOCOL_LIMITS.maxPayloadBytes);
    socket.sendRaw(under);
    expect(await socket.next(errorFrame('big'), 'error for the big frame')).toMatchObject({ code: 'BAD_FRAME' });
    await stillUsable(socket, roomId);

    socket.sendRaw(JSON.stringify({ type: 'shout', pad: 'x'.repeat(PROTOCOL_LIMITS.maxPayloadBytes) }));
    expect(await socket.closed()).toBe(1009);

    await stillUsable(bystander, roomId);
    const writer = track(await connectSynced(url, token, { [roomId]: 0 }));
    const ack = await sendMessage(writer, roomId, 'life goes on');
    await bystander.next(isEvent(roomId, ack.seq), 'bystander still receives');
  });

  it('closes with 4000 on anything but a hello as the first frame', async () => {
    const firsts: (string | Buffer)[] = [
      JSON.stringify({ type: 'send', roomId, clientId: randomUUID(), body: 'hi' }),
      JSON.stringify({ type: 'auth', token }),
      JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION, token, cursors: {}, extra: 1 }),
      JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION, cursors: {} }),
      '{not json',
      '[]',
    ];
    for (const first of firsts) {
      const socket = track(await TestSocket.open(url));
      socket.sendRaw(first);
      expect(await socket.closed(), String(first)).toBe(CLOSE_CODES.PROTOCOL_ERROR);
      expect(socket.frames, String(first)).toEqual([expect.objectContaining({ type: 'error', code: 'BAD_FRAME' })]);
    }
  });

  it('refuses a second hello and keeps the connection', async () => {
    const socket = track(await connectSynced(url, token, { [roomId]: 0 }));
    socket.frames.length = 0;
    socket.send({ type: 'hello', protocol: PROTOCOL_VERSION, token, cursors: { [roomId]: 0 } });
    expect(await socket.next(isType('error'), 'error')).toMatchObject({ code: 'BAD_FRAME', message: /hello/ });
    await stillUsable(socket, roomId);
    expect(socket.frames.filter((f) => f.type === 'welcome' || f.type === 'event')).toEqual([]);
  });

  it('handles frames sent right behind the hello, after it', async () => {
    const socket = track(await TestSocket.open(url));
    const clientId = randomUUID();
    socket.send({ type: 'hello', protocol: PROTOCOL_VERSION, token, cursors: { [roomId]: 0 } });
    socket.send({ type: 'send', roomId, clientId, body: 'pipelined' });
    socket.send({ type: 'read', roomId, seq: 0, ref: 'pipelined-read' });
    const ack = await socket.next(isType('ack'), 'ack');
    expect(ack.clientId).toBe(clientId);
    await socket.next(doneFrame('pipelined-read'), 'done');
    expect(socket.frames[0]).toMatchObject({ type: 'welcome' });
  });

  it(`closes with ${CLOSE_CODES.HELLO_TIMEOUT} when no hello comes in time`, async () => {
    const socket = track(await TestSocket.open(url));
    const openedAt = Date.now();
    expect(await socket.closed()).toBe(CLOSE_CODES.HELLO_TIMEOUT);
    expect(Date.now() - openedAt).toBeGreaterThanOrEqual(150);
    // A hello in time is not affected by the timer.
    const ok = track(await connect(url, token, {}));
    await sleep(400);
    expect(ok.closeCode).toBeUndefined();
  });

  it(`closes with ${CLOSE_CODES.UNSUPPORTED_PROTOCOL} on another protocol version`, async () => {
    for (const protocol of [PROTOCOL_VERSION + 1, 0]) {
      const socket = track(await TestSocket.open(url));
      socket.send({ type: 'hello', protocol, token, cursors: {} });
      expect(await socket.closed()).toBe(CLOSE_CODES.UNSUPPORTED_PROTOCOL);
      expect(socket.frames).toEqual([expect.objectContaining({ type: 'error', code: 'PROTOCOL_VERSION_UNSUPPORTED' })]);
    }
  });

  it('refuses the upgrade from a foreign Origin, and accepts the desktop app, the public URL and no Origin', async () => {
    for (const origin of ['https://evil.example', `${TEST_PUBLIC_URL}.evil.example`, 'null', 'veza://app.evil']) {
      await expect(TestSocket.open(url, { origin }), origin).rejects.toThrow(/upgrade refused: 403/);
    }
    for (const origin of ['veza://app', new URL(TEST_PUBLIC_URL).origin, undefined]) {
      const socket = track(await connect(url, token, {}, origin === undefined ? {} : { origin }));
      await stillUsable(socket, roomId);
    }
  });
});

// Found by these tests: the binary branch answered BAD_FRAME without checking that hello came first.
describe('binary frame before hello', () => {
  it('closes with 4000 like any other first frame that is not hello', async () => {
    const { url } = await startApp({ limits: { gateway: { ...DEFAULT_GATEWAY_LIMITS, helloTimeoutMs: 2_000 } } });
    const socket = track(await TestSocket.open(url));
    socket.sendRaw(Buffer.from('{"type":"hello"}'));
    expect(await socket.closed(1_000)).toBe(CLOSE_CODES.PROTOCOL_ERROR);
  });
});

describe('send rate limit', () => {
  it('answers a flood with RATE_LIMITED, then MUTED, per user, until the mute ends', async () => {
    const clock = new ManualClock(new Date());
    const { t, url } = await startApp({
      clock,
      limits: {
        chatSends: { capacity: 3, refillPerSecond: 1, strikesToMute: 3, strikeWindowMs: 10_000, muteMs: 30_000 },
      },
    });
    const [ada, bob] = [await signUp(t), await signUp(t)];
    const room = await createRoom(t, ada.accessToken);
    await joinRoom(t, bob.accessToken, room.id);
    const flooder = track(await connectSynced(url, ada.accessToken, { [room.id]: 2 }));
    const other = track(await connectSynced(url, bob.accessToken, { [room.id]: 2 }));

    for (let i = 0; i < 3; i++) await sendMessage(flooder, room.id, `ok ${i}`);
    const codes: string[] = [];
    for (let i = 0; i < 4; i++) {
      flooder.frames.length = 0;
      flooder.send({ type: 'send', roomId: room.id, clientId: randomUUID(), body: `flood ${i}` });
      const error = await flooder.next(isType('error'), `error ${i}`);
      codes.push(error.code);
      if (error.code === 'RATE_LIMITED') expect(error.message).toMatch(/try again in 1 s/);
      if (error.code === 'MUTED') expect(error.message).toMatch(/muted for 30 s/);
    }
    expect(codes).toEqual(['RATE_LIMITED', 'RATE_LIMITED', 'MUTED', 'MUTED']);
    // Every writing frame counts, and answers with its ref.
    const first = other.frames.find(isEvent(room.id, 3));
    flooder.send({
      type: 'edit',
      messageId: (first as { data: { message: { id: string } } }).data.message.id,
      body: 'x',
      ref: 'e',
    });
    expect(await flooder.next(errorFrame('e'), 'edit refused')).toMatchObject({ code: 'MUTED' });
    // Reading is not writing.
    flooder.send({ type: 'read', roomId: room.id, seq: 3, ref: 'r' });
    await flooder.next(doneFrame('r'), 'read still works');
    // Another user is not affected.
    await sendMessage(other, room.id, 'bob is fine');
    await sleep(50);
    expect(eventsOf(other, room.id).map((e) => e.seq)).toEqual([3, 4, 5, 6]);

    // Still muted a little before the end; free after it, with a full bucket.
    clock.advance(29_000);
    flooder.frames.length = 0;
    flooder.send({ type: 'send', roomId: room.id, clientId: randomUUID(), body: 'too early' });
    expect(await flooder.next(isType('error'), 'still muted')).toMatchObject({ code: 'MUTED' });
    clock.advance(2_000);
    for (let i = 0; i < 3; i++) await sendMessage(flooder, room.id, `back ${i}`);
  });
});

describe('slow consumer', () => {
  it(`disconnects a client that stops reading with ${CLOSE_CODES.TOO_SLOW}, and it resumes from its cursor`, async () => {
    const { t, url } = await startApp({
      limits: { gateway: { ...DEFAULT_GATEWAY_LIMITS, maxBufferedBytes: 16 * 1024 } },
    });
    const [ada, bob] = [await signUp(t), await signUp(t)];
    const room = await createRoom(t, ada.accessToken);
    await joinRoom(t, bob.accessToken, room.id);
    const writer = track(await connectSynced(url, ada.accessToken, { [room.id]: 2 }));
    const slow = track(await connectSynced(url, bob.accessToken, { [room.id]: 2 }));
    await writer.next((f) => f.type === 'presence' && f.userId === bob.user.id && f.status === 'online', 'online');
    const raw = (slow.ws as unknown as { _socket: Socket })._socket;
    raw.pause();

    // Big messages until the server gives up on the slow reader (its room-mate sees it go offline).
    const body = 'x'.repeat(3_900);
    let sent = 0;
    const gone = (f: ServerFrame) => f.type === 'presence' && f.userId === bob.user.id && f.status === 'offline';
    while (!writer.frames.some(gone) && sent < 5_000) {
      const batch = Array.from({ length: 50 }, () => randomUUID());
      for (const clientId of batch) writer.send({ type: 'send', roomId: room.id, clientId, body });
      await writer.next((f) => f.type === 'ack' && f.clientId === batch.at(-1), 'batch ack', 15_000);
      sent += batch.length;
    }
    expect(writer.frames.some(gone)).toBe(true);
    const last = 2 + sent;
    // The writer, who reads, is still connected and got everything.
    await writer.next(isEvent(room.id, last), 'writer has all');
    expect(writer.closeCode).toBeUndefined();

    raw.resume();
    expect(await slow.closed(10_000)).toBe(CLOSE_CODES.TOO_SLOW);
    // Operators see it: one close for a full send buffer, and the frame that did not fit.
    const metrics = await scrape(t.app);
    expect(sampleSum(metrics, 'veza_ws_slow_consumer_closes_total', { reason: 'send_buffer' })).toBe(1);
    expect(sampleSum(metrics, 'veza_ws_frames_dropped_total', { reason: 'too_slow' })).toBe(1);
    const received = eventsOf(slow, room.id).map((e) => e.seq);
    expect(received.length).toBeLessThan(sent);
    // What arrived is an unbroken prefix: the client's cursor is its last seq.
    expect(received).toEqual(Array.from({ length: received.length }, (_, i) => 3 + i));
    const cursor = received.at(-1) ?? 2;

    const resumed = track(await connectSynced(url, bob.accessToken, { [room.id]: cursor }));
    expect(eventsOf(resumed, room.id).map((e) => e.seq)).toEqual(
      Array.from({ length: last - cursor }, (_, i) => cursor + 1 + i),
    );
  });
});

describe('heartbeat', () => {
  it('terminates a socket that stops answering pings, and keeps those that answer', async () => {
    const { t, url } = await startApp({ limits: { gateway: { ...DEFAULT_GATEWAY_LIMITS, heartbeatMs: 250 } } });
    const ada = await signUp(t);
    // A client that never answers pings (the listener is there before the first ping can come).
    const deaf = track(await TestSocket.open(url, { autoPong: false }));
    const pings: number[] = [];
    deaf.ws.on('ping', () => pings.push(Date.now()));
    deaf.send({ type: 'hello', protocol: PROTOCOL_VERSION, token: ada.accessToken, cursors: {} });
    expect(await deaf.next(isType('welcome'), 'welcome')).toMatchObject({ heartbeatMs: 250 });
    const alive = track(await connect(url, ada.accessToken, {}));
    // Terminated, not closed: no close frame, so the client sees 1006.
    expect(await deaf.closed(3_000)).toBe(1006);
    expect(pings.length).toBeGreaterThanOrEqual(1);
    await sleep(300);
    expect(alive.closeCode).toBeUndefined();
    const room = await createRoom(t, ada.accessToken);
    await alive.next(isEvent(room.id, 1), 'the live one still streams');
  });
});

describe('shutdown', () => {
  it(`closes every socket with ${CLOSE_CODES.GOING_AWAY} when the server shuts down`, async () => {
    const { t, url } = await startApp();
    const ada = await signUp(t);
    const authenticated = track(await connect(url, ada.accessToken, {}));
    const anonymous = track(await TestSocket.open(url));
    const raw = new WebSocket(url);
    await new Promise((resolve) => raw.once('open', resolve));
    const rawClosed = new Promise<number>((resolve) => raw.once('close', resolve));
    await t.app.close();
    expect(await authenticated.closed()).toBe(CLOSE_CODES.GOING_AWAY);
    expect(await anonymous.closed()).toBe(CLOSE_CODES.GOING_AWAY);
    expect(await rawClosed).toBe(CLOSE_CODES.GOING_AWAY);
    await eventually(() => expect(t.app.server.listening).toBe(false));
  });
});

// Found by fuzz.test.ts: a type whose toString is not a function must not become an INTERNAL_ERROR.
describe('a frame type String() cannot convert', () => {
  it('is answered with BAD_FRAME, and closes with 4000 before hello', async () => {
    const { t, url } = await startApp();
    const ada = await signUp(t);
    const roomId = (await createRoom(t, ada.accessToken)).id;
    const socket = track(await connectSynced(url, ada.accessToken, { [roomId]: 0 }));
    for (const frame of ['{"type":{"toString":1},"ref":"poison"}', '{"type":[{"toString":1}],"ref":"poison"}']) {
      socket.frames.length = 0;
      socket.sendRaw(frame);
      expect(await socket.next(isType('error'), frame)).toMatchObject({ code: 'BAD_FRAME', ref: 'poison' });
      await stillUsable(socket, roomId);
    }
    const first = track(await TestSocket.open(url));
    first.sendRaw('{"type":{"toString":1}}');
    expect(await first.closed(1_000)).toBe(CLOSE_CODES.PROTOCOL_ERROR);
  });
});
