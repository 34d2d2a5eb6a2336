import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Type } from 'typebox';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defineTopic, InProcessBus } from './infra/bus.js';
import { loadConfig } from './infra/config.js';
import { createLogger } from './infra/logger.js';
import { NatsBus } from './infra/nats-bus.js';
import { startServer, type RunningServer } from './runtime.js';
import { createTestDatabase, type TestDatabase } from './test-support/database.js';
import { skipWithoutNats, TEST_NATS_URL } from './test-support/nats.js';

/*
 * The bus startServer picks. On the run's PostgreSQL (DATABASE_URL), so no embedded cluster
 * starts. The NATS cases need a server at VEZA_TEST_NATS_URL (default nats://127.0.0.1:4222):
 * skipped without one on a developer machine, failing in CI.
 */
const NATS_URL = TEST_NATS_URL;
const skipNats = skipWithoutNats;

let database: TestDatabase;
let root: string;
let server: RunningServer | undefined;

beforeAll(async () => {
  database = await createTestDatabase();
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'veza-runtime-nats-'));
});

afterEach(async () => {
  await server?.close();
  server = undefined;
});

afterAll(async () => {
  await database?.drop();
  if (root) await fs.rm(root, { recursive: true, force: true });
});

const configWith = (env: Record<string, string>) =>
  loadConfig(
    { VEZA_DATA_DIR: root, VEZA_PORT: '0', DATABASE_URL: database.connectionString, VEZA_LOG_LEVEL: 'silent', ...env },
    root,
  );

describe('startServer bus', () => {
  it('fans out in-process without VEZA_NATS_URL', async () => {
    server = await startServer(configWith({}));
    expect(server.bus).toBeInstanceOf(InProcessBus);
  });

  it.skipIf(skipNats)('uses NATS when VEZA_NATS_URL is set, reaching other instances, and closes it', async () => {
    server = await startServer(configWith({ VEZA_NATS_URL: NATS_URL }));
    expect(server.bus).toBeInstanceOf(NatsBus);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);

    // Another instance of the same deployment (default prefix) hears the server's bus.
    const other = await NatsBus.connect(NATS_URL, createLogger('silent'));
    try {
      const topic = defineTopic(`test.${randomUUID()}`, Type.Object({ hello: Type.String() }));
      const received: unknown[] = [];
      other.subscribe(topic, (payload) => void received.push(payload));
      await other.flush();
      await server.bus.publish(topic, {}, { hello: 'from the server' });
      await expect.poll(() => received, { timeout: 5_000 }).toEqual([{ hello: 'from the server' }]);
    } finally {
      await other.close();
    }

    const { bus } = server;
    await server.close();
    server = undefined;
    await expect(bus.publish(defineTopic('test.closed', Type.Number()), {}, 1)).rejects.toThrow(/closed/);
  });

  it('does not start when NATS cannot be reached, naming VEZA_NATS_URL', async () => {
    const started = startServer(configWith({ VEZA_NATS_URL: 'nats://127.0.0.1:1' }));
    await expect(started).rejects.toThrow(/^VEZA_NATS_URL: cannot connect to NATS at nats:\/\/127\.0\.0\.1:1 \(/);
    // The failed start released the database: the next start works.
    server = await startServer(configWith({}));
    expect(server.bus).toBeInstanceOf(InProcessBus);
  });
});
