import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { connect as natsConnect } from '@nats-io/transport-node';
import { Type } from 'typebox';
import { afterEach, describe, expect, it } from 'vitest';
import { BusClosedError, defineTopic, InProcessBus, MAX_PAYLOAD_BYTES, type Bus } from './bus.js';
import { createLogger, type Logger } from './logger.js';
import { NatsBus, type NatsBusOptions } from './nats-bus.js';
import { natsReachable, skipWithoutNats, TEST_NATS_URL } from '../test-support/nats.js';
import { waitFor } from '../test-support/wait-for.js';

/*
 * One suite, run against both buses, so code written on one instance behaves the same on several.
 * The NATS runs need a server at VEZA_TEST_NATS_URL (default nats://127.0.0.1:4222). Without one
 * they are skipped on a developer machine and fail in CI, where a missing NATS is a setup error.
 */
const NATS_URL = TEST_NATS_URL;
const skipNats = skipWithoutNats;
if (skipNats) process.stderr.write(`NATS is not reachable at ${NATS_URL}: the NatsBus tests are skipped\n`);

interface LogLine {
  level: number;
  msg: string;
  subject?: string;
  [key: string]: unknown;
}

/** A logger whose JSON lines the test can read. */
function captureLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = createLogger('debug', {
    write(chunk: string) {
      for (const text of chunk.split('\n')) if (text.trim() !== '') lines.push(JSON.parse(text) as LogLine);
    },
  });
  return { logger, lines };
}

const randomPrefix = (): string => `vezatest_${randomBytes(6).toString('hex')}`;

const waitUntil = (condition: () => boolean, timeoutMs = 5_000): Promise<unknown> => waitFor(condition, { timeoutMs });

const anyPayload = Type.Unknown();
const roomTopic = defineTopic('room.{roomId}', anyPayload);
const barrierTopic = defineTopic('barrier.{id}', anyPayload);
// Topics that reach any subject of one to three tokens, to probe how subscriptions match.
const oneToken = defineTopic('{t0}', anyPayload);
const twoTokens = defineTopic('{t0}.{t1}', anyPayload);
const threeTokens = defineTopic('{t0}.{t1}.{t2}', anyPayload);

function publishOn(bus: Bus, subject: string, payload: unknown): Promise<void> {
  const [t0 = '', t1, t2, ...rest] = subject.split('.');
  if (rest.length > 0) throw new Error(`no test topic for ${subject}`);
  if (t1 === undefined) return bus.publish(oneToken, { t0 }, payload);
  if (t2 === undefined) return bus.publish(twoTokens, { t0, t1 }, payload);
  return bus.publish(threeTokens, { t0, t1, t2 }, payload);
}

/**
 * Where a test publishes and where it subscribes: one bus, or two NATS connections (two instances),
 * so the contract covers both the local fan-out and what crosses NATS.
 */
interface Pair {
  pub: Bus;
  sub: Bus;
  /** Makes `sub`'s subscriptions so far effective for `pub` (a NATS subscription must reach the server). */
  ready(): Promise<void>;
}

/**
 * Resolves once everything `pub` published before the call has reached `sub`'s handlers: a
 * message sent after them by the same publisher arrives after them.
 */
async function barrier({ pub, sub, ready }: Pair): Promise<void> {
  const id = randomBytes(4).toString('hex');
  let arrived!: () => void;
  const done = new Promise<void>((resolve) => (arrived = resolve));
  const unsubscribe = sub.subscribe(barrierTopic, () => arrived(), { id });
  await ready();
  await pub.publish(barrierTopic, { id }, 'barrier');
  await done;
  unsubscribe();
}

interface Kind {
  name: string;
  skip: boolean;
  open(logger: Logger): Promise<Pair>;
}

const openNats = (logger: Logger, prefix: string): Promise<NatsBus> => NatsBus.connect(NATS_URL, logger, { prefix });

const kinds: Kind[] = [
  {
    name: 'InProcessBus',
    skip: false,
    open: (logger) => {
      const bus = new InProcessBus({ logger });
      return Promise.resolve({ pub: bus, sub: bus, ready: () => Promise.resolve() });
    },
  },
  {
    name: 'NatsBus, one instance',
    skip: skipNats,
    open: async (logger) => {
      const bus = await openNats(logger, randomPrefix());
      return { pub: bus, sub: bus, ready: () => bus.flush() };
    },
  },
  {
    name: 'NatsBus, two instances',
    skip: skipNats,
    open: async (logger) => {
      const prefix = randomPrefix();
      const [pub, sub] = [await openNats(logger, prefix), await openNats(logger, prefix)];
      return { pub, sub, ready: () => sub.flush() };
    },
  },
];

const opened: Bus[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((bus) => bus.close()));
});

describe.each(kinds)('$name (bus contract)', (kind) => {
  let lines: LogLine[];
  async function open(): Promise<Pair> {
    const capture = captureLogger();
    lines = capture.lines;
    const pair = await kind.open(capture.logger);
    opened.push(pair.pub, pair.sub);
    return pair;
  }

  it.skipIf(kind.skip)('delivers a payload to a subscriber of its subject, as JSON', async () => {
    const pair = await open();
    const { pub, sub } = pair;
    const received: unknown[] = [];
    sub.subscribe(roomTopic, (payload) => void received.push(payload), { roomId: 'r1' });
    await pair.ready();
    const sent = { text: 'hello', n: 1, list: [1, 'two', null], at: new Date(0), gone: undefined };
    await pub.publish(roomTopic, { roomId: 'r1' }, sent);
    await pub.publish(roomTopic, { roomId: 'r1' }, undefined);
    await pub.publish(roomTopic, { roomId: 'r2' }, 'other room');
    sent.text = 'mutated after publish';
    await barrier(pair);
    expect(received).toEqual([
      { text: 'hello', n: 1, list: [1, 'two', null], at: '1970-01-01T00:00:00.000Z' },
      undefined,
    ]);
  });

  it.skipIf(kind.skip)('matches `*` against exactly one token', async () => {
    const pair = await open();
    const received: unknown[] = [];
    pair.sub.subscribe(roomTopic, (payload) => void received.push(payload));
    pair.sub.subscribe(
      defineTopic('{roomId}.typing.{userId}', anyPayload),
      (payload) => void received.push(`typing:${String(payload)}`),
    );
    await pair.ready();
    for (const subject of ['room.a', 'room.a.b', 'room', 'rooms.a', 'x.room.a', 'room.b', 'r1.typing.u1', 'typing.u1'])
      await publishOn(pair.pub, subject, subject);
    await barrier(pair);
    expect(received).toEqual(['room.a', 'room.b', 'typing:r1.typing.u1']);
  });

  it.skipIf(kind.skip)('narrows a subscription to the parameter values it names', async () => {
    const pair = await open();
    const received: unknown[] = [];
    const typing = defineTopic('{roomId}.typing.{userId}', anyPayload);
    pair.sub.subscribe(typing, (payload) => void received.push(payload), { userId: 'u1' });
    await pair.ready();
    for (const [roomId, userId] of [
      ['r1', 'u1'],
      ['r1', 'u2'],
      ['r2', 'u1'],
    ] as const)
      await pair.pub.publish(typing, { roomId, userId }, `${roomId}/${userId}`);
    await barrier(pair);
    expect(received).toEqual(['r1/u1', 'r2/u1']);
  });

  it.skipIf(kind.skip)('stops delivering at once on unsubscribe, to that handler only', async () => {
    const pair = await open();
    const { pub, sub } = pair;
    const first: unknown[] = [];
    const second: unknown[] = [];
    const r1 = { roomId: 'r1' };
    const unsubscribe = sub.subscribe(roomTopic, (payload) => void first.push(payload), r1);
    sub.subscribe(roomTopic, (payload) => void second.push(payload), r1);
    await pair.ready();
    await pub.publish(roomTopic, r1, 1);
    await barrier(pair);
    // Published but not yet delivered when unsubscribing: not delivered either.
    const published = pub.publish(roomTopic, r1, 2);
    unsubscribe();
    unsubscribe();
    await published;
    await pub.publish(roomTopic, r1, 3);
    await barrier(pair);
    expect(first).toEqual([1]);
    expect(second).toEqual([1, 2, 3]);

    // The last handler of a pattern gone, and the pattern taken again.
    const wildcard: unknown[] = [];
    sub.subscribe(roomTopic, (payload) => void wildcard.push(`old:${String(payload)}`))();
    sub.subscribe(roomTopic, (payload) => void wildcard.push(payload));
    await pair.ready();
    await pub.publish(roomTopic, r1, 4);
    await barrier(pair);
    expect(wildcard).toEqual([4]);
  });

  it.skipIf(kind.skip)('gives each subscriber its own copy, overlapping patterns included', async () => {
    const pair = await open();
    const counts = { a: 0, b: 0, star: 0, stars: 0 };
    pair.sub.subscribe(roomTopic, () => void counts.a++, { roomId: 'r1' });
    pair.sub.subscribe(roomTopic, () => void counts.b++, { roomId: 'r1' });
    pair.sub.subscribe(roomTopic, () => void counts.star++);
    pair.sub.subscribe(twoTokens, () => void counts.stars++, { t1: 'r1' });
    await pair.ready();
    await pair.pub.publish(roomTopic, { roomId: 'r1' }, 'hi');
    await barrier(pair);
    expect(counts).toEqual({ a: 1, b: 1, star: 1, stars: 1 });
  });

  it.skipIf(kind.skip)('keeps delivering after a handler throws or rejects, and logs it', async () => {
    const pair = await open();
    const received: unknown[] = [];
    let thrown = 0;
    const r1 = { roomId: 'r1' };
    pair.sub.subscribe(
      roomTopic,
      () => {
        thrown++;
        throw new Error('handler bug');
      },
      r1,
    );
    pair.sub.subscribe(roomTopic, () => Promise.reject(new Error('async handler bug')), r1);
    pair.sub.subscribe(roomTopic, (payload) => void received.push(payload), r1);
    await pair.ready();
    for (const n of [1, 2, 3]) await pair.pub.publish(roomTopic, r1, n);
    await barrier(pair);
    expect(received).toEqual([1, 2, 3]);
    expect(thrown).toBe(3);
    await waitUntil(() => lines.filter((l) => l.msg === 'bus handler failed').length === 6);
    expect(lines.find((l) => l.msg === 'bus handler failed')).toMatchObject({ level: 50, subject: 'room.r1' });
  });

  it.skipIf(kind.skip)("preserves one publisher's order, across subjects", async () => {
    const pair = await open();
    const all: number[] = [];
    const odd: number[] = [];
    const order = defineTopic('order.{parity}', Type.Number());
    pair.sub.subscribe(order, (n) => void all.push(n));
    pair.sub.subscribe(order, (n) => void odd.push(n), { parity: 'odd' });
    await pair.ready();
    const count = 2_000;
    // Not awaited one by one: the chat fan-out publishes in bursts.
    await Promise.all(
      Array.from({ length: count }, (_, i) => pair.pub.publish(order, { parity: i % 2 ? 'odd' : 'even' }, i)),
    );
    await barrier(pair);
    expect(all).toEqual(Array.from({ length: count }, (_, i) => i));
    expect(odd).toEqual(all.filter((i) => i % 2 === 1));
  });

  it.skipIf(kind.skip)('delivers what was published before close, then refuses to publish or subscribe', async () => {
    const { pub, sub, ready } = await open();
    const received: unknown[] = [];
    const r1 = { roomId: 'r1' };
    sub.subscribe(roomTopic, (payload) => void received.push(payload), r1);
    await ready();
    for (let i = 0; i < 100; i++) void pub.publish(roomTopic, r1, i);
    const closing = pub.close();
    await expect(pub.publish(roomTopic, r1, 'late')).rejects.toBeInstanceOf(BusClosedError);
    await closing;
    // On one bus they are all in; from another instance they are on their way.
    await waitUntil(() => received.length === 100);
    expect(received).toEqual(Array.from({ length: 100 }, (_, i) => i));
    await expect(pub.publish(roomTopic, r1, 'after')).rejects.toBeInstanceOf(BusClosedError);
    expect(() => pub.subscribe(roomTopic, () => undefined)).toThrow(BusClosedError);
    await pub.close();
  });

  it.skipIf(kind.skip)('refuses malformed subjects and payloads', async () => {
    const pair = await open();
    const { pub, sub } = pair;
    for (const pattern of [
      '',
      'room.*',
      'room.>',
      'room..a',
      '.room',
      'room.',
      'room a',
      'room*',
      'room.{}',
      'room.{a b}',
    ])
      expect(() => defineTopic(pattern, anyPayload), pattern).toThrow(/invalid bus topic pattern/);
    // A parameter is one token: a dot or a wildcard in it would change what the subject means.
    for (const roomId of ['', '*', '>', 'a.b', 'a*', '>x', 'a b', 'a\tb']) {
      await expect(pub.publish(roomTopic, { roomId }, 1), roomId).rejects.toThrow(/invalid bus subject/);
      expect(() => sub.subscribe(roomTopic, () => undefined, { roomId }), roomId).toThrow(/invalid bus subject/);
    }
    await expect(pub.publish(roomTopic, { roomId: 'r1' }, { n: 1n })).rejects.toThrow(/BigInt/);
    await expect(pub.publish(roomTopic, { roomId: 'r1' }, 'x'.repeat(MAX_PAYLOAD_BYTES))).rejects.toThrow(/exceeds/);
    // What fits is delivered whole.
    const received: unknown[] = [];
    sub.subscribe(roomTopic, (payload) => void received.push(payload), { roomId: 'big' });
    await pair.ready();
    await pub.publish(roomTopic, { roomId: 'big' }, 'x'.repeat(MAX_PAYLOAD_BYTES - 2));
    await barrier(pair);
    expect((received[0] as string).length).toBe(MAX_PAYLOAD_BYTES - 2);
  });

  it.skipIf(kind.skip)("skips and logs a payload that does not match the subscriber's topic", async () => {
    const pair = await open();
    // Two declarations of one subject: what a publisher of another version would send.
    const loose = defineTopic('track.{trackId}', anyPayload);
    const strict = defineTopic('track.{trackId}', Type.Object({ percent: Type.Number() }));
    const received: { percent: number }[] = [];
    pair.sub.subscribe(strict, (payload) => void received.push(payload));
    await pair.ready();
    for (const payload of [{ percent: 10 }, { percent: 'twenty' }, 'thirty', { percent: 40 }])
      await pair.pub.publish(loose, { trackId: 't1' }, payload);
    await barrier(pair);
    expect(received).toEqual([{ percent: 10 }, { percent: 40 }]);
    const skipped = lines.filter((l) => l.msg === 'bus payload does not match its topic; skipped');
    expect(skipped).toHaveLength(2);
    expect(skipped[0]).toMatchObject({ level: 40, subject: 'track.t1', topic: 'track.{trackId}' });
  });

  it.skipIf(kind.skip)('has an instance id of its own', async () => {
    const [a, b] = [(await open()).pub, (await open()).pub];
    expect(a.instanceId).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.instanceId).not.toBe(b.instanceId);
  });
});

describe.skipIf(skipNats)('NatsBus across instances', () => {
  async function open(options: NatsBusOptions & { prefix: string }): Promise<NatsBus> {
    const bus = await NatsBus.connect(NATS_URL, createLogger('silent'), options);
    opened.push(bus);
    return bus;
  }

  it('delivers what any instance publishes to the subscribers of every instance, once each', async () => {
    const prefix = randomPrefix();
    const [a, b] = [await open({ prefix }), await open({ prefix })];
    const roomNotes = defineTopic('room.{roomId}', Type.Object({ from: Type.String(), last: Type.Boolean() }));
    const atA: { from: string; last: boolean }[] = [];
    const atB: { from: string; last: boolean }[] = [];
    a.subscribe(roomNotes, (payload) => void atA.push(payload));
    b.subscribe(roomNotes, (payload) => void atB.push(payload));
    // A subscription made on one connection is live at the server only once flushed.
    await Promise.all([a.flush(), b.flush()]);
    await a.publish(roomNotes, { roomId: 'r1' }, { from: 'a', last: false });
    await b.publish(roomNotes, { roomId: 'r1' }, { from: 'b', last: false });
    // Each publisher's order holds: once its last message is in, a duplicate of an earlier one
    // would have arrived before it.
    await a.publish(roomNotes, { roomId: 'r1' }, { from: 'a', last: true });
    await b.publish(roomNotes, { roomId: 'r1' }, { from: 'b', last: true });
    await waitUntil(() => [atA, atB].every((received) => received.filter((note) => note.last).length === 2));
    for (const received of [atA, atB]) {
      expect(received).toHaveLength(4);
      expect(received).toEqual(
        expect.arrayContaining([
          { from: 'a', last: false },
          { from: 'b', last: false },
        ]),
      );
    }
    expect(a.instanceId).not.toBe(b.instanceId);
  });

  it('keeps deployments with different prefixes apart', async () => {
    const prefix = randomPrefix();
    const a = await open({ prefix: randomPrefix() });
    const [other, otherPublisher] = [await open({ prefix }), await open({ prefix })];
    const atOther: unknown[] = [];
    other.subscribe(roomTopic, (payload) => void atOther.push(payload));
    await other.flush();
    await a.publish(roomTopic, { roomId: 'r1' }, 'not for other');
    // Once the server has routed a's message, one sent after it would arrive after it.
    await a.flush();
    await otherPublisher.publish(roomTopic, { roomId: 'r1' }, 'for other');
    await waitUntil(() => atOther.length > 0);
    expect(atOther).toEqual(['for other']);
  });

  it('logs and skips a message that is not JSON', async () => {
    const prefix = randomPrefix();
    const { logger, lines } = captureLogger();
    const bus = await NatsBus.connect(NATS_URL, logger, { prefix });
    opened.push(bus);
    const received: unknown[] = [];
    bus.subscribe(roomTopic, (payload) => void received.push(payload));
    await bus.flush();
    const raw = await natsConnect({ servers: NATS_URL });
    raw.publish(`${prefix}.room.r1`, '{not json');
    raw.publish(`${prefix}.room.r1`, '{"ok":true}');
    await raw.drain();
    await waitUntil(() => received.length === 1);
    expect(received).toEqual([{ ok: true }]);
    expect(lines.find((l) => l.msg === 'NATS message is not JSON; skipped')).toMatchObject({
      level: 40,
      subject: 'room.r1',
    });
  });

  it('fails to connect with the URL in the message, credentials hidden', async () => {
    const logger = createLogger('silent');
    await expect(NatsBus.connect('nats://127.0.0.1:1', logger)).rejects.toThrow(
      'cannot connect to NATS at nats://127.0.0.1:1',
    );
    const failure = await NatsBus.connect('nats://veza:hunter2@127.0.0.1:1', logger).catch((e: unknown) => e);
    expect(String(failure)).toContain('nats://***@127.0.0.1:1');
    expect(String(failure)).not.toContain('hunter2');
    await expect(NatsBus.connect('ws://127.0.0.1:1', logger)).rejects.toThrow(/WebSocket/);
    await expect(NatsBus.connect(NATS_URL, logger, { prefix: 'bad.*' })).rejects.toThrow(/prefix/);
  });
});

/*
 * Reconnection needs a NATS server the test can stop: a private nats-server on free ports, when
 * the binary is installed. Its monitoring port shows what reached the server.
 */
const natsServerBinary = spawnSync('nats-server', ['--version']).status === 0;

describe.skipIf(!natsServerBinary)('NatsBus when its NATS server goes away', () => {
  let server: ChildProcess | undefined;
  afterEach(() => {
    server?.kill('SIGKILL');
    server = undefined;
  });

  async function startNatsServer(port: number, monitorPort: number): Promise<void> {
    const args = ['-a', '127.0.0.1', '-p', String(port), '-m', String(monitorPort)];
    server = spawn('nats-server', args, { stdio: 'ignore' });
    await waitFor(() => natsReachable(`nats://127.0.0.1:${port}`), {
      timeoutMs: 10_000,
      what: 'nats-server to start',
      intervalMs: 50,
    });
  }

  async function stopNatsServer(): Promise<void> {
    const child = server!;
    server = undefined;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** Messages the server has received from the named connection. */
  async function messagesFrom(monitorPort: number, name: string): Promise<number | undefined> {
    const response = await fetch(`http://127.0.0.1:${monitorPort}/connz`);
    const { connections } = (await response.json()) as { connections: { name?: string; in_msgs: number }[] };
    return connections.find((c) => c.name === name)?.in_msgs;
  }

  it('keeps local delivery, buffers for other instances up to its limit, sends on reconnect', async () => {
    const [port, monitorPort] = [await freePort(), await freePort()];
    await startNatsServer(port, monitorPort);
    const { logger, lines } = captureLogger();
    const name = `reconnect-test-${randomBytes(4).toString('hex')}`;
    const bus = await NatsBus.connect(`nats://127.0.0.1:${port}`, logger, {
      name,
      maxBufferedBytes: 66,
      drainTimeoutMs: 300,
    });
    opened.push(bus);
    const received: unknown[] = [];
    bus.subscribe(roomTopic, (payload) => void received.push(payload));
    await bus.flush();
    expect(bus.status()).toEqual({ kind: 'nats', connected: true });

    await stopNatsServer();
    await waitUntil(() => lines.some((l) => l.msg.startsWith('NATS connection lost')));
    // What /metrics reports as veza_bus_connected.
    expect(bus.status()).toEqual({ kind: 'nats', connected: false });
    expect(lines.find((l) => l.msg.startsWith('NATS connection lost'))).toMatchObject({ level: 40 });
    // 8 × 11 bytes of JSON: the first 6 fit in 66 bytes, the rest are dropped for other instances.
    for (let i = 0; i < 8; i++) await bus.publish(roomTopic, { roomId: 'r1' }, `buffered${i}`);
    await waitUntil(() => received.length === 8);
    expect(received).toEqual(Array.from({ length: 8 }, (_, i) => `buffered${i}`));
    expect(lines.filter((l) => l.msg.includes('buffer is full'))).toHaveLength(1);

    await startNatsServer(port, monitorPort);
    await waitUntil(() => lines.some((l) => l.msg === 'NATS reconnected'), 15_000);
    expect(bus.status()).toEqual({ kind: 'nats', connected: true });
    expect(lines.find((l) => l.msg === 'NATS reconnected')).toMatchObject({
      level: 30,
      bufferedPublishes: 6,
      droppedPublishes: 2,
    });
    await bus.flush();
    expect(await messagesFrom(monitorPort, name)).toBe(6);
    // Not echoed back: the local handler had them already.
    expect(received).toHaveLength(8);

    // Closing while disconnected does not wait for a reconnect that may never come.
    await stopNatsServer();
    await waitUntil(() => lines.filter((l) => l.msg.startsWith('NATS connection lost')).length === 2);
    const startedClosing = Date.now();
    await bus.close();
    expect(Date.now() - startedClosing).toBeLessThan(3_000);
    expect(lines.some((l) => l.msg.startsWith('NATS drain timed out'))).toBe(true);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
