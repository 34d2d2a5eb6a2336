import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessBus } from '../bus.js';
import { createLogger } from '../logger.js';
import { eventually } from '../../test-support/chat.js';
import { createTestDatabase, type TestDatabase } from '../../test-support/database.js';
import { BUS_RELAY_CHANNEL, databaseRelayPublisher, startBusRelay, type BusRelay } from './bus-relay.js';

let database: TestDatabase;
let bus: InProcessBus;
let relay: BusRelay;
const received: { subject: string; payload: unknown }[] = [];
const warnings: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase({ migrated: false });
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString().split('\n'))
        if (text) warnings.push((JSON.parse(text) as { msg: string }).msg);
      done();
    },
  });
  const logger = createLogger('warn', sink);
  bus = new InProcessBus({ logger });
  for (const subject of ['session.revoked', 'room.x'])
    bus.subscribe(subject, (payload) => void received.push({ subject, payload }));
  relay = await startBusRelay({
    connectionString: database.connectionString,
    bus,
    subjects: ['session.revoked'],
    logger,
    reconnectDelayMs: 10,
  });
});
afterAll(async () => {
  await relay?.close();
  await bus?.close();
  await database?.drop();
});

describe('the bus relay through the database', () => {
  it('republishes what a CLI publishes through the database, for the subjects it relays', async () => {
    const publisher = databaseRelayPublisher(database.db);
    await publisher.publish('session.revoked', { sessionId: 's-1' });
    await eventually(() => expect(received).toEqual([{ subject: 'session.revoked', payload: { sessionId: 's-1' } }]));
  });

  it('forwards nothing else: another subject or a malformed notification is logged and dropped', async () => {
    received.length = 0;
    await databaseRelayPublisher(database.db).publish('room.x', { forged: true });
    await database.db.query('SELECT pg_notify($1, $2)', [BUS_RELAY_CHANNEL, 'not json']);
    await eventually(() =>
      expect(warnings).toEqual([
        'ignored a bus relay notification for a subject it does not relay',
        'ignored a malformed bus relay notification',
      ]),
    );
    expect(received).toEqual([]);
  });

  it('listens again after losing its connection', async () => {
    received.length = 0;
    await database.db.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = $1 AND pid <> pg_backend_pid()',
      [`LISTEN ${BUS_RELAY_CHANNEL}`],
    );
    await eventually(() => expect(warnings).toContain('bus relay lost the database; reconnecting'));
    // Notifications sent while it reconnects are lost (nobody listens): publish until one arrives.
    let n = 0;
    await eventually(
      async () => {
        await databaseRelayPublisher(database.db).publish('session.revoked', { sessionId: `again-${++n}` });
        expect(received.length).toBeGreaterThan(0);
      },
      5_000,
      50,
    );
  });

  it('refuses to publish a malformed subject', async () => {
    await expect(databaseRelayPublisher(database.db).publish('bad subject', {})).rejects.toThrow(TypeError);
  });
});
