import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findAudioTools } from '@veza/audio';
import { buildApp, createLogger, InProcessBus, systemClock, type VezaApp } from '@veza/server';
import { createTestDatabase, type TestDatabase } from '@veza/server/test-support';
import type { AuthSession, Role } from '@veza/shared';
// The run's PostgreSQL comes from the server's global setup (its `inject` types are declared there).
import type {} from '../../../server/src/test-support/global-setup.js';
// The blob store is not part of the server's public surface; the desktop's tests need a real one.
import { LocalBlobStore } from '../../../server/src/infra/blobs/local-blob-store.js';

export interface TestServer {
  /** `http://127.0.0.1:<port>`: the same for the server's whole life, across stop and restart. */
  url: string;
  port: number;
  database: TestDatabase;
  app(): VezaApp;
  /** Closes the HTTP server (sockets drop, connections refused) but keeps the database and media. */
  stop(): Promise<void>;
  /** Starts a new app on the same port, database and media: "the network came back". */
  restart(): Promise<void>;
  signUp(role?: Role): Promise<AuthSession & { password: string }>;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

let accounts = 0;

/**
 * A real Veza server in this process, listening on loopback with its own fresh PostgreSQL
 * database (the run's embedded or external cluster) and media folder, ffmpeg from the machine.
 * Generous rate limits: tests sign in and send far faster than people.
 */
export async function startTestServer(options: { corsOrigins?: string[] } = {}): Promise<TestServer> {
  const database = await createTestDatabase();
  const mediaRoot = await mkdtemp(path.join(tmpdir(), 'veza-desktop-media-'));
  const blobs = await new LocalBlobStore(mediaRoot).open();
  const jwtSecret = randomBytes(32);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logger = createLogger(process.env.VEZA_TEST_LOG_LEVEL === 'debug' ? 'debug' : 'silent');
  let current: VezaApp | null = null;

  async function start(): Promise<void> {
    const app = await buildApp(
      { publicUrl: url, corsOrigins: options.corsOrigins ?? [], trustProxy: false },
      {
        db: database.db,
        bus: new InProcessBus({ logger }),
        clock: systemClock,
        logger,
        jwtSecret,
        blobs,
        audioTools: findAudioTools(),
      },
      {
        authRequestsPerMinute: 10_000,
        loginThrottle: { windowMs: 60_000, maxFailuresPerIp: 10_000, maxFailuresPerAccount: 10_000 },
      },
    );
    await app.listen({ host: '127.0.0.1', port });
    current = app;
  }

  async function stop(): Promise<void> {
    const app = current;
    current = null;
    if (app) await app.close();
  }

  await start();
  return {
    url,
    port,
    database,
    app() {
      if (!current) throw new Error('the test server is stopped');
      return current;
    },
    stop,
    restart: start,
    async signUp(role: Role = 'listener') {
      accounts += 1;
      const suffix = `${process.pid}${accounts}${randomBytes(3).toString('hex')}`;
      const password = `pw-${randomBytes(9).toString('base64url')}`;
      const response = await fetch(`${url}/api/v1/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: `user${suffix}@example.test`, username: `user${suffix}`, password }),
      });
      if (response.status !== 201) throw new Error(`sign-up failed: ${response.status} ${await response.text()}`);
      const session = (await response.json()) as AuthSession;
      if (role !== 'listener') {
        await database.db.query('UPDATE users SET role = $2 WHERE id = $1', [session.user.id, role]);
        session.user.role = role;
      }
      return { ...session, password };
    },
    async close() {
      await stop();
      await database.drop();
      await rm(mediaRoot, { recursive: true, force: true });
    },
  };
}
