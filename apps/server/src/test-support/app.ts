import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findAudioTools, type AudioTools } from '@veza/audio';
import type { ApiKeyCreated, AuthSession, Permission, Role } from '@veza/shared';
import { buildApp, type AppConfig, type AppDeps, type AppLimits, type VezaApp } from '../app.js';
import { InProcessBus, type Bus } from '../infra/bus.js';
import { LocalBlobStore } from '../infra/blobs/local-blob-store.js';
import { systemClock, type Clock } from '../infra/clock.js';
import type { Db } from '../infra/db/db.js';
import { createLogger, type Logger } from '../infra/logger.js';
import { scratchBlobStore } from './blobs.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export const TEST_PUBLIC_URL = 'http://veza.test';

export interface TestApp {
  app: VezaApp;
  database: TestDatabase;
  jwtSecret: Uint8Array;
  blobs: LocalBlobStore;
  close(): Promise<void>;
}

/**
 * A real app on its own fresh database; limits are generous unless a test sets them. `logger`
 * (the app's and the bus's) lets a test capture what the server logs; `bus` replaces the
 * in-process bus (a test can wrap one to delay or reorder deliveries).
 */
export async function createTestApp(
  options: {
    clock?: Clock;
    limits?: Partial<AppLimits>;
    jwtSecret?: Uint8Array;
    logger?: Logger;
    bus?: Bus;
    /** Defaults to the machine's ffmpeg; null runs the app as on a machine without it. */
    audioTools?: AudioTools | null;
    /** VEZA_CORS_ORIGINS; none by default. */
    corsOrigins?: string[];
  } = {},
): Promise<TestApp> {
  const database = await createTestDatabase();
  const mediaRoot = await mkdtemp(path.join(tmpdir(), 'veza-media-'));
  const blobs = await new LocalBlobStore(mediaRoot).open();
  const jwtSecret = options.jwtSecret ?? randomBytes(32);
  const logger = options.logger ?? createLogger(process.env.VEZA_TEST_LOG_LEVEL === 'debug' ? 'debug' : 'silent');
  const app = await buildApp(
    { publicUrl: TEST_PUBLIC_URL, corsOrigins: options.corsOrigins ?? [], trustProxy: false },
    {
      db: database.db,
      bus: options.bus ?? new InProcessBus({ logger }),
      clock: options.clock ?? systemClock,
      logger,
      jwtSecret,
      blobs,
      audioTools: options.audioTools === undefined ? findAudioTools() : options.audioTools,
    },
    {
      authRequestsPerMinute: 10_000,
      loginThrottle: { windowMs: 60_000, maxFailuresPerIp: 10_000, maxFailuresPerAccount: 10_000 },
      chatReads: {
        perRoom: { capacity: 10_000, refillPerSecond: 10_000 },
        perUser: { capacity: 10_000, refillPerSecond: 10_000 },
      },
      ...options.limits,
    },
  );
  await app.ready();
  return {
    app,
    database,
    jwtSecret,
    blobs,
    async close() {
      await app.close();
      await database.drop();
      await rm(mediaRoot, { recursive: true, force: true });
    },
  };
}

/**
 * An app (not yet ready) on a database the test already has, where createTestApp makes its own:
 * silent, on an in-process bus and the system clock, with a scratch media store and no ffmpeg,
 * unless `deps` says otherwise. Default limits, unlike createTestApp's generous ones.
 */
export async function buildAppOn(
  db: Db,
  options: { config?: Partial<AppConfig>; deps?: Partial<Omit<AppDeps, 'db'>>; limits?: Partial<AppLimits> } = {},
): Promise<VezaApp> {
  const { config, deps = {}, limits } = options;
  const logger = deps.logger ?? createLogger('silent');
  return buildApp(
    { publicUrl: TEST_PUBLIC_URL, corsOrigins: [], trustProxy: false, ...config },
    {
      ...deps,
      db,
      bus: deps.bus ?? new InProcessBus({ logger }),
      clock: deps.clock ?? systemClock,
      logger,
      jwtSecret: deps.jwtSecret ?? randomBytes(32),
      blobs: deps.blobs ?? (await scratchBlobStore()),
      audioTools: deps.audioTools ?? null,
    },
    limits,
  );
}

let counter = 0;

/** Registers a fresh account through the API and gives it `role` directly in the database. */
export async function signUp(testApp: TestApp, role: Role = 'listener'): Promise<AuthSession & { password: string }> {
  counter += 1;
  const suffix = `${process.pid}${counter}${randomBytes(3).toString('hex')}`;
  const password = `pw-${randomBytes(9).toString('base64url')}`;
  const response = await testApp.app.inject({
    method: 'POST',
    url: '/api/v1/auth/register',
    payload: { email: `user${suffix}@example.test`, username: `user${suffix}`, password },
  });
  if (response.statusCode !== 201) throw new Error(`sign-up failed: ${response.statusCode} ${response.body}`);
  const session = response.json<AuthSession>();
  if (role !== 'listener') {
    await testApp.database.db.query('UPDATE users SET role = $2 WHERE id = $1', [session.user.id, role]);
    session.user.role = role;
  }
  return { ...session, password };
}

export const bearer = (token: string): { authorization: string } => ({ authorization: `Bearer ${token}` });

/** Creates an API key through the API (the owner's access token) and returns the key itself. */
export async function createApiKey(
  testApp: TestApp,
  token: string,
  scopes: Permission[],
  name = 'bot',
): Promise<string> {
  const response = await testApp.app.inject({
    method: 'POST',
    url: '/api/v1/api-keys',
    headers: bearer(token),
    payload: { name, scopes },
  });
  if (response.statusCode !== 201) throw new Error(`API key creation failed: ${response.statusCode} ${response.body}`);
  return response.json<ApiKeyCreated>().key;
}

/** Signs the account in again (a second session) and returns that session's access token. */
export async function signInAgain(
  testApp: TestApp,
  account: { user: { username: string }; password: string },
): Promise<string> {
  const response = await testApp.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { login: account.user.username, password: account.password },
  });
  if (response.statusCode !== 200) throw new Error(`sign-in failed: ${response.statusCode} ${response.body}`);
  return response.json<{ accessToken: string }>().accessToken;
}
