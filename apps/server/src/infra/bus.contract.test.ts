import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { connect as natsConnect } from '@nats-io/transport-node';
import { afterEach, describe, expect, it } from 'vitest';
import { BusClosedError, InProcessBus, MAX_PAYLOAD_BYTES, type Bus } from './bus.js';
import { createLogger, type Logger } from './logger.js';
import { NatsBus, type NatsBusOptions } from './nats-bus.js';
import { natsReachable, skipWithoutNats, TEST_NATS_URL } from '../test-support/nats.js';

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

async function waitUntil(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
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
  const subject = `barrier.${randomBytes(4).toString('hex')}`;
  let arrived!: () => void;
  const done = new Promise<void>((resolve) => (arrived = resolve));
  const unsubscribe = sub.subscribe(subject, () => arrived());
  await ready();
  await pub.publish(subject, 'barrier');
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
    sub.subscribe('room.r1', (payload) => void received.push(payload));
    await pair.ready();
    const sent = { text: 'hello', n: 1, list: [1, 'two', null], at: new Date(0), gone: undefined };
    await pub.publish('room.r1', sent);
    await pub.publish('room.r1', undefined);
    await pub.publish('room.r2', 'other room');
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
    pair.sub.subscribe('room.*', (payload) => void received.push(payload));
    pair.sub.subscribe('*.typing.*', (payload) => void received.push(`typing:${String(payload)}`));
    await pair.ready();
    for (const subject of ['room.a', 'room.a.b', 'room', 'rooms.a', 'x.room.a', 'room.b', 'r1.typing.u1', 'typing.u1'])
      await pair.pub.publish(subject, subject);
    await barrier(pair);
    expect(received).toEqual(['room.a', 'room.b', 'typing:r1.typing.u1']);
  });

  it.skipIf(kind.skip)('matches `>` against one or more trailing tokens', async () => {
    const pair = await open();
    const received: unknown[] = [];
    const everything: unknown[] = [];
    pair.sub.subscribe('room.>', (payload) => void received.push(payload));
    pair.sub.subscribe('>', (payload) => void everything.push(payload));
    await pair.ready();
    for (const subject of ['room.a', 'room.a.b.c', 'room', 'rooms.a', 'x.room.a'])
      await pair.pub.publish(subject, subject);
    await barrier(pair);
    expect(received).toEqual(['room.a', 'room.a.b.c']);
    expect(everything.filter((p) => p !== 'barrier')).toEqual(['room.a', 'room.a.b.c', 'room', 'rooms.a', 'x.room.a']);
  });

  it.skipIf(kind.skip)('stops delivering at once on unsubscribe, to that handler only', async () => {
    const pair = await open();
    const { pub, sub } = pair;
    const first: unknown[] = [];
    const second: unknown[] = [];
    const unsubscribe = sub.subscribe('room.r1', (payload) => void first.push(payload));
    sub.subscribe('room.r1', (payload) => void second.push(payload));
    await pair.ready();
    await pub.publish('room.r1', 1);
    await barrier(pair);
    // Published but not yet delivered when unsubscribing: not delivered either.
    const published = pub.publish('room.r1', 2);
    unsubscribe();
    unsubscribe();
    await published;
    await pub.publish('room.r1', 3);
    await barrier(pair);
    expect(first).toEqual([1]);
    expect(second).toEqual([1, 2, 3]);

    // The last handler of a pattern gone, and the pattern taken again.
    const wildcard: unknown[] = [];
    sub.subscribe('room.*', (payload) => void wildcard.push(`old:${String(payload)}`))();
    sub.subscribe('room.*', (payload) => void wildcard.push(payload));
    await pair.ready();
    await pub.publish('room.r1', 4);
    await barrier(pair);
    expect(wildcard).toEqual([4]);
  });

  it.skipIf(kind.skip)('gives each subscriber its own copy, overlapping patterns included', async () => {
    const pair = await open();
    const counts = { a: 0, b: 0, star: 0, rest: 0 };
    pair.sub.subscribe('room.r1', () => void counts.a++);
    pair.sub.subscribe('room.r1', () => void counts.b++);
    pair.sub.subscribe('room.*', () => void counts.star++);
    pair.sub.subscribe('room.>', () => void counts.rest++);
    await pair.ready();
    await pair.pub.publish('room.r1', 'hi');
    await barrier(pair);
    expect(counts).toEqual({ a: 1, b: 1, star: 1, rest: 1 });
  });

  it.skipIf(kind.skip)('keeps delivering after a handler throws or rejects, and logs it', async () => {
    const pair = await open();
    const received: unknown[] = [];
    let thrown = 0;
    pair.sub.subscribe('room.r1', () => {
      thrown++;
      throw new Error('handler bug');
    });
    pair.sub.subscribe('room.r1', () => Promise.reject(new Error('async handler bug')));
    pair.sub.subscribe('room.r1', (payload) => void received.push(payload));
    await pair.ready();
    for (const n of [1, 2, 3]) await pair.pub.publish('room.r1', n);
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
    pair.sub.subscribe('order.*', (payload) => void all.push(payload as number));
    pair.sub.subscribe('order.odd', (payload) => void odd.push(payload as number));
    await pair.ready();
    const count = 2_000;
    // Not awaited one by one: the chat fan-out publishes in bursts.
    await Promise.all(Array.from({ length: count }, (_, i) => pair.pub.publish(i % 2 ? 'order.odd' : 'order.even', i)));
    await barrier(pair);
    expect(all).toEqual(Array.from({ length: count }, (_, i) => i));
    expect(odd).toEqual(all.filter((i) => i % 2 === 1));
  });

  it.skipIf(kind.skip)('delivers what was published before close, then refuses to publish or subscribe', async () => {
    const { pub, sub, ready } = await open();
    const received: unknown[] = [];
    sub.subscribe('room.r1', (payload) => void received.push(payload));
    await ready();
    for (let i = 0; i < 100; i++) void pub.publish('room.r1', i);
    const closing = pub.close();
    await expect(pub.publish('room.r1', 'late')).rejects.toBeInstanceOf(BusClosedError);
    await closing;
    // On one bus they are all in; from another instance they are on their way.
    await waitUntil(() => received.length === 100);
    expect(received).toEqual(Array.from({ length: 100 }, (_, i) => i));
    await expect(pub.publish('room.r1', 'after')).rejects.toBeInstanceOf(BusClosedError);
    expect(() => pub.subscribe('room.r1', () => undefined)).toThrow(BusClosedError);
    await pub.close();
  });

  it.skipIf(kind.skip)('refuses malformed subjects and payloads', async () => {
    const pair = await open();
    const { pub, sub } = pair;
    for (const subject of ['', 'room.*', 'room.>', 'room..a', '.room', 'room.', 'room a', 'room*'])
      await expect(pub.publish(subject, 1), subject).rejects.toThrow(/invalid bus subject/);
    for (const subject of ['', 'room.>.a', 'room..a', 'room.a*', 'room.>x', 'room\ta'])
      expect(() => sub.subscribe(subject, () => undefined), subject).toThrow(/invalid bus subject/);
    await expect(pub.publish('room.r1', { n: 1n })).rejects.toThrow(/BigInt/);
    await expect(pub.publish('room.r1', 'x'.repeat(MAX_PAYLOAD_BYTES))).rejects.toThrow(/exceeds/);
    // What fits is delivered whole.
    const received: unknown[] = [];
    sub.subscribe('room.big', (payload) => void received.push(payload));
    await pair.ready();
    await pub.publish('room.big', 'x'.repeat(MAX_PAYLOAD_BYTES - 2));
    await barrier(pair);
    expect((received[0] as string).length).toBe(MAX_PAYLOAD_BYTES - 2);
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
    const atA: unknown[] = [];
    const atB: unknown[] = [];
    a.subscribe('room.*', (payload) => void atA.push(payload));
    b.subscribe('room.*', (payload) => void atB.push(payload));
    // A subscription made on one connection is live at the server only once flushed.
    await Promise.all([a.flush(), b.flush()]);
    await a.publish('room.r1', { from: 'a' });
    await b.publish('room.r1', { from: 'b' });
    await waitUntil(() => atA.length === 2 && atB.length === 2);
    await new Promise((r) => setTimeout(r, 50));
    for (const received of [atA, atB]) {
      expect(received).toHaveLength(2);
      expect(received).toEqual(expect.arrayContaining([{ from: 'a' }, { from: 'b' }]));
    }
    expect(a.instanceId).not.toBe(b.instanceId);
  });

  it('keeps deployments with different prefixes apart', async () => {
    const prefix = randomPrefix();
    const a = await open({ prefix: randomPrefix() });
    const [other, otherPublisher] = [await open({ prefix }), await open({ prefix })];
    const atOther: unknown[] = [];
    other.subscribe('room.*', (payload) => void atOther.push(payload));
    await other.flush();
    await a.publish('room.r1', 'not for other');
    // Once the server has routed a's message, one sent after it would arrive after it.
    await a.flush();
    await otherPublisher.publish('room.r1', 'for other');
    await waitUntil(() => atOther.length > 0);
    expect(atOther).toEqual(['for other']);
  });

  it('logs and skips a message that is not JSON', async () => {
    const prefix = randomPrefix();
    const { logger, lines } = captureLogger();
    const bus = await NatsBus.connect(NATS_URL, logger, { prefix });
    opened.push(bus);
    const received: unknown[] = [];
    bus.subscribe('room.*', (payload) => void received.push(payload));
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
    const deadline = Date.now() + 10_000;
    while (!(await natsReachable(`nats://127.0.0.1:${port}`))) {
      if (Date.now() > deadline) throw new Error('nats-server did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
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
    bus.subscribe('room.*', (payload) => void received.push(payload));
    await bus.flush();
    expect(bus.status()).toEqual({ kind: 'nats', connected: true });

    await stopNatsServer();
    await waitUntil(() => lines.some((l) => l.msg.startsWith('NATS connection lost')));
    // What /metrics reports as veza_bus_connected.
    expect(bus.status()).toEqual({ kind: 'nats', connected: false });
    expect(lines.find((l) => l.msg.startsWith('NATS connection lost'))).toMatchObject({ level: 40 });
    // 8 × 11 bytes of JSON: the first 6 fit in 66 bytes, the rest are dropped for other instances.
    for (let i = 0; i < 8; i++) await bus.publish('room.r1', `buffered${i}`);
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
