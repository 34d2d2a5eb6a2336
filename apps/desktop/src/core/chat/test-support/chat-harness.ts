import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AuthSession, Room } from '@veza/shared';
import { WebSocket } from 'ws';
import type { CoreEvent } from '../../../common/contract.js';
import { startTestServer, type TestServer } from '../../../test-support/test-server.js';
import type { ApiClient } from '../../api/api-client.js';
import { openCacheDatabase, type CacheDb } from '../../cache/database.js';
import { FileSecretStore } from '../../session/secret-store.js';
import { SessionManager } from '../../session/session-manager.js';
import { ChatService, type ChatServiceOptions } from '../chat-service.js';
import type { SyncLogger } from '../../sync/logger.js';
import { SyncConnection } from '../../sync/sync-connection.js';

/** Small delays so reconnect tests take milliseconds, not seconds. */
export const TEST_BACKOFF = { minDelayMs: 40, maxDelayMs: 200 };

export interface TestAccount {
  session: AuthSession & { password: string };
  manager: SessionManager;
  api: ApiClient;
  dir: string;
}

/** A user signed up on the test server, signed in through the real SessionManager. */
export async function createAccount(server: TestServer): Promise<TestAccount> {
  const session = await server.signUp();
  const dir = await mkdtemp(path.join(tmpdir(), 'veza-chat-'));
  const manager = new SessionManager(dir, new FileSecretStore(path.join(dir, 'secrets.json')));
  await manager.signIn({ serverUrl: server.url, login: session.user.username, password: session.password });
  return { session, manager, api: manager.api(), dir };
}

export interface TestChat {
  service: ChatService;
  connection: SyncConnection;
  db: CacheDb;
  events: CoreEvent[];
  logs: { level: 'warn' | 'error'; message: string; detail?: Record<string, unknown> }[];
  /** Frames the client sent, parsed. */
  sent: Record<string, unknown>[];
  close(): Promise<void>;
}

/**
 * A ChatService on its own sync connection, on a cache file (or a fresh one in the account's
 * folder), recording what it emits.
 */
export function openChat(
  account: TestAccount,
  options: { file?: string; start?: boolean } & Partial<Omit<ChatServiceOptions, 'connection'>> = {},
): TestChat {
  const db = options.file ? openCacheDatabase(options.file) : openCacheDatabase(path.join(account.dir, 'cache.sqlite'));
  const events: CoreEvent[] = [];
  const logs: TestChat['logs'] = [];
  const sent: Record<string, unknown>[] = [];
  const log: SyncLogger = {
    warn: (message, detail) => logs.push({ level: 'warn', message, detail }),
    error: (message, detail) => logs.push({ level: 'error', message, detail }),
  };
  const connection = new SyncConnection({
    url: account.api.webSocketUrl(),
    tokens: account.manager,
    meId: account.session.user.id,
    backoff: TEST_BACKOFF,
    factory: (url) => recordSends(new WebSocket(url), sent),
    log,
  });
  connection.onStateChange((state) => events.push({ type: 'connection.changed', connection: state }));
  const service = new ChatService({
    db,
    api: account.api,
    connection,
    me: { id: account.session.user.id, username: account.session.user.username },
    emit: (event) => events.push(event),
    log,
    outboxRetryDelayMs: () => 100,
    ...options,
  });
  connection.register(service.sync);
  if (options.start !== false) {
    service.start();
    connection.start();
  }
  return {
    service,
    connection,
    db,
    events,
    logs,
    sent,
    async close() {
      connection.stop();
      await service.stop();
      db.close();
    },
  };
}

function recordSends(socket: WebSocket, sent: Record<string, unknown>[]): WebSocket {
  const original = socket.send.bind(socket);
  socket.send = ((data: unknown, ...rest: unknown[]) => {
    if (typeof data === 'string') sent.push(JSON.parse(data) as Record<string, unknown>);
    return (original as (...args: unknown[]) => void)(data, ...rest);
  }) as WebSocket['send'];
  return socket;
}

/** Polls until `check` returns something truthy (or throws after `timeoutMs`, naming `what`). */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  what: string,
  timeoutMs = 10_000,
): Promise<Exclude<T, null | undefined | false | 0 | ''>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as Exclude<T, null | undefined | false | 0 | ''>;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function createRoom(account: TestAccount, name = `room-${Date.now()}`): Promise<Room> {
  return account.api.request<Room>('POST', '/api/v1/rooms', { body: { name, visibility: 'public' } });
}

export async function joinRoom(account: TestAccount, roomId: string): Promise<Room> {
  return account.api.request<Room>('POST', `/api/v1/rooms/${roomId}/join`);
}

/** The room's messages as the server has them (newest first), seen by `account`. */
export async function serverMessages(account: TestAccount, roomId: string) {
  const page = await account.api.request<{ messages: { id: string; body: string; seq: number; clientId: string }[] }>(
    'GET',
    `/api/v1/rooms/${roomId}/messages`,
    { query: { limit: 200 } },
  );
  return page.messages;
}

export function cursorOf(db: CacheDb, roomId: string): number | undefined {
  return (db.prepare('SELECT cursor FROM rooms WHERE id = ?').get(roomId) as { cursor: number } | undefined)?.cursor;
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/**
 * What each chat test file sets up the same way: one real server for the file, accounts and chat
 * services that clean up after themselves. Call `start` in beforeAll and `finish` in afterAll.
 */
export function chatTestKit() {
  let current: TestServer | null = null;
  const cleanups: (() => Promise<void>)[] = [];
  const server = (): TestServer => {
    if (!current) throw new Error('chatTestKit: call start() in beforeAll');
    return current;
  };
  return {
    server,
    async start(): Promise<void> {
      current = await startTestServer();
    },
    async finish(): Promise<void> {
      for (const cleanup of cleanups.reverse()) await cleanup();
      await current?.close();
    },
    async account(): Promise<TestAccount> {
      const created = await createAccount(server());
      cleanups.push(() => removeDir(created.dir));
      return created;
    },
    chat(...args: Parameters<typeof openChat>): TestChat {
      const opened = openChat(...args);
      cleanups.push(() => opened.close());
      return opened;
    },
    /** Runs at `finish`, newest first. */
    defer(cleanup: () => Promise<void>): void {
      cleanups.push(cleanup);
    },
    async online(chat: TestChat): Promise<void> {
      await waitFor(() => chat.connection.state().status === 'online', 'online');
    },
  };
}
