import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer, type WebSocket as ServerSocket } from 'ws';
import type { CoreEvent } from '../../common/contract.js';
import { DesktopError } from '../../common/errors.js';
import { ApiClient, type TokenSource } from '../api/api-client.js';
import { openCacheDatabase, type CacheDb } from '../cache/database.js';
import { ChatService } from '../chat/chat-service.js';
import { waitFor } from '../chat/test-support/chat-harness.js';
import { trackNotices } from '../library/track-notices.js';
import { SyncConnection } from './sync-connection.js';

/*
 * Protocol edge cases a real server never produces on demand: hostile frames, close codes, a
 * silent link, token expiry, long gap fills. A scripted `ws` server plays the server's part.
 */

interface FakeServer {
  url: string;
  connections: ServerSocket[];
  /** Frames the client sent, in order, across connections. */
  received: Record<string, unknown>[];
  onHello: (socket: ServerSocket, hello: Record<string, unknown>) => void;
  onFrame: (socket: ServerSocket, frame: Record<string, unknown>) => void;
  close(): Promise<void>;
}

const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const item of opened.splice(0).reverse()) await item.close();
});

async function fakeServer(): Promise<FakeServer> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/api/v1/ws' });
  await new Promise((resolve) => wss.once('listening', resolve));
  const { port } = wss.address() as AddressInfo;
  const fake: FakeServer = {
    url: `http://127.0.0.1:${port}`,
    connections: [],
    received: [],
    onHello: (socket) => welcome(socket, []),
    onFrame: () => undefined,
    close: () =>
      new Promise((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  };
  wss.on('connection', (socket) => {
    fake.connections.push(socket);
    socket.on('message', (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as Record<string, unknown>;
      fake.received.push(frame);
      if (frame.type === 'hello') fake.onHello(socket, frame);
      else fake.onFrame(socket, frame);
    });
  });
  opened.push(fake);
  return fake;
}

const ME = { id: randomUUID(), username: 'ada' };

function welcome(
  socket: ServerSocket,
  rooms: { roomId: string; lastSeq: number }[],
  extra: Partial<{ heartbeatMs: number; expiresAt: string | null }> = {},
): void {
  socket.send(
    JSON.stringify({
      type: 'welcome',
      protocol: 1,
      userId: ME.id,
      rooms,
      expiresAt: extra.expiresAt ?? null,
      heartbeatMs: extra.heartbeatMs ?? 30_000,
    }),
  );
}

function messageEvent(roomId: string, seq: number, authorId = randomUUID()) {
  const at = new Date(Date.UTC(2026, 0, 1, 0, 0, seq % 60)).toISOString();
  return {
    type: 'event',
    roomId,
    seq,
    kind: 'message.created',
    actorId: authorId,
    at,
    data: {
      message: {
        id: randomUUID(),
        roomId,
        seq,
        authorId,
        authorUsername: 'bob',
        clientId: randomUUID(),
        body: `message ${seq}`,
        replyTo: null,
        mentions: [],
        createdAt: at,
        editedAt: null,
        deletedAt: null,
        reactions: [],
      },
    },
  };
}

function startChat(
  fake: FakeServer,
  options: { tokens?: TokenSource; db?: CacheDb } = {},
): { service: ChatService; connection: SyncConnection; db: CacheDb; events: CoreEvent[]; logs: string[] } {
  const db = options.db ?? openCacheDatabase(':memory:');
  const events: CoreEvent[] = [];
  const logs: string[] = [];
  const tokens = options.tokens ?? { accessToken: async () => 'token-1', renewAccessToken: async () => 'token-2' };
  const api = new ApiClient(fake.url, tokens);
  const log = { warn: (message: string) => logs.push(message), error: (message: string) => logs.push(message) };
  const connection = new SyncConnection({
    url: api.webSocketUrl(),
    tokens,
    meId: ME.id,
    backoff: { minDelayMs: 20, maxDelayMs: 50 },
    factory: (url) => new WebSocket(url),
    log,
  });
  connection.onStateChange((state) => events.push({ type: 'connection.changed', connection: state }));
  const service = new ChatService({ db, api, connection, me: ME, emit: (event) => events.push(event), log });
  connection.register(service.sync);
  connection.register(
    trackNotices(
      (event) => events.push(event),
      () => undefined,
    ),
  );
  service.start();
  connection.start();
  opened.push({
    close: async () => {
      connection.stop();
      await service.stop();
      db.close();
    },
  });
  return { service, connection, db, events, logs };
}

function insertRoom(db: CacheDb, roomId: string, cursor: number): void {
  db.prepare(
    "INSERT INTO rooms (id, kind, name, cursor, last_seq, history_floor) VALUES (?, 'public', 'r', ?, ?, 1)",
  ).run(roomId, cursor, cursor);
}

describe('sync connection (with chat) against a scripted server', () => {
  it('ignores and logs frames that are not JSON or do not match the protocol, and carries on', async () => {
    const fake = await fakeServer();
    const roomId = randomUUID();
    fake.onHello = (socket) => {
      socket.send('this is not JSON {');
      socket.send('[1, 2, 3]');
      socket.send(JSON.stringify({ type: 'welcome', protocol: 1 }));
      socket.send(JSON.stringify({ type: 'no-such-frame' }));
      socket.send(JSON.stringify({ __proto__: { type: 'welcome' }, toString: 1 }));
      welcome(socket, [{ roomId, lastSeq: 1 }]);
      socket.send(JSON.stringify({ type: 'reset', roomId, reason: 'unknown_cursor', latestSeq: 0 }));
      socket.send(JSON.stringify({ ...messageEvent(roomId, 1), seq: 'one' }));
      socket.send(JSON.stringify({ ...messageEvent(roomId, 1), data: { message: { id: 'x' } } }));
      socket.send(JSON.stringify(messageEvent(roomId, 1)));
    };
    const { connection, db, logs } = startChat(fake);
    await waitFor(() => connection.state().status === 'online', 'online');
    await waitFor(
      () => (db.prepare('SELECT cursor FROM rooms WHERE id = ?').get(roomId) as { cursor: number })?.cursor === 1,
      'the valid event applied',
    );
    expect(logs.filter((line) => line === 'ignored an invalid frame from the server')).toHaveLength(7);
    expect(db.prepare('SELECT body FROM messages').all()).toEqual([{ body: 'message 1' }]);
  });

  it('stops and asks for an update on 4003', async () => {
    const fake = await fakeServer();
    fake.onHello = (socket) => socket.close(4003, 'unsupported protocol');
    const { connection } = startChat(fake);
    const state = await waitFor(() => {
      const s = connection.state();
      return s.status === 'offline' && s.lastError ? s : null;
    }, 'stopped');
    expect(state.lastError).toMatch(/Update the app/);
    expect(state.nextRetryAt).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(fake.connections).toHaveLength(1);
  });

  it('stops on 4004 and says the account is disabled', async () => {
    const fake = await fakeServer();
    fake.onHello = (socket) => socket.close(4004, 'account disabled');
    const { connection } = startChat(fake);
    const state = await waitFor(() => {
      const s = connection.state();
      return s.status === 'offline' && s.lastError ? s : null;
    }, 'stopped');
    expect(state.lastError).toBe('An administrator has disabled this account.');
    expect(state.nextRetryAt).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(fake.connections).toHaveLength(1);
  });

  it('a hello refused with BANNED goes to the domains, and the 4004 close then says why', async () => {
    const fake = await fakeServer();
    const message = 'This account is banned until 2099-01-01T00:00:00.000Z: spam';
    fake.onHello = (socket) => {
      socket.send(JSON.stringify({ type: 'error', code: 'BANNED', message }));
      socket.close(4004, 'banned');
    };
    const tokens: TokenSource = { accessToken: async () => 'token-1', renewAccessToken: async () => 'token-2' };
    const connection = new SyncConnection({
      url: new ApiClient(fake.url, tokens).webSocketUrl(),
      tokens,
      meId: ME.id,
      backoff: { minDelayMs: 20, maxDelayMs: 50 },
      factory: (url) => new WebSocket(url),
      log: { warn: () => undefined, error: () => undefined },
    });
    opened.push({ close: async () => connection.stop() });
    const refusals: string[] = [];
    connection.register({
      frames: ['rules'],
      onFrame: () => undefined,
      onRefused: (frame) => refusals.push(frame.code),
    });
    connection.start();
    const state = await waitFor(() => {
      const s = connection.state();
      return s.status === 'offline' && s.lastError === message ? s : null;
    }, 'stopped with the ban');
    expect(state.nextRetryAt).toBeNull();
    expect(refusals).toEqual(['BANNED']);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(fake.connections).toHaveLength(1);
  });

  it('retries with backoff on 4029 and says why', async () => {
    const fake = await fakeServer();
    fake.onHello = (socket) => socket.close(4029, 'too many connections');
    const { connection } = startChat(fake);
    const state = await waitFor(() => {
      const s = connection.state();
      return s.status === 'offline' && s.nextRetryAt ? s : null;
    }, 'waiting to retry');
    expect(state.lastError).toBe('This account has too many open connections; retrying.');
  });

  it('renews the token on 4001 and reconnects with the new one; stops when signed out', async () => {
    const fake = await fakeServer();
    let token = 'expired';
    let renewals = 0;
    const tokens: TokenSource = {
      accessToken: async () => token,
      renewAccessToken: async () => {
        renewals += 1;
        if (renewals > 1) throw new DesktopError('NOT_SIGNED_IN', 'Your session has ended. Sign in again.');
        token = 'fresh';
        return token;
      },
    };
    fake.onHello = (socket, hello) => {
      if (hello.token === 'fresh' && renewals === 1) welcome(socket, []);
      else socket.close(4001, 'token expired');
    };
    const { connection } = startChat(fake, { tokens });
    await waitFor(() => connection.state().status === 'online', 'online with the fresh token');
    expect(fake.received.filter((f) => f.type === 'hello').map((f) => f.token)).toEqual(['expired', 'fresh']);

    // The session ends: the next 4001 cannot be renewed.
    token = 'revoked';
    fake.connections.at(-1)!.close(4001, 'session ended');
    const state = await waitFor(() => {
      const s = connection.state();
      return s.status === 'signed-out' ? s : null;
    }, 'signed out');
    expect(state.lastError).toMatch(/Sign in again/);
  });

  it('notices a silent link after two heartbeats and reconnects with backoff', async () => {
    const fake = await fakeServer();
    // Welcome, then nothing: no frames, no pings.
    fake.onHello = (socket) => welcome(socket, [], { heartbeatMs: 100 });
    const { connection, events } = startChat(fake);
    await waitFor(() => fake.connections.length >= 2, 'a second connection', 3_000);
    const offline = events.find(
      (e) => e.type === 'connection.changed' && e.connection.status === 'offline' && e.connection.nextRetryAt,
    );
    expect(offline).toMatchObject({ connection: { lastError: 'The chat connection stopped answering.' } });
    expect(connection.state().status).not.toBe('signed-out');
  });

  it('sends auth with a fresh token before the current one expires', async () => {
    const fake = await fakeServer();
    fake.onHello = (socket) => welcome(socket, [], { expiresAt: new Date(Date.now() + 1_200).toISOString() });
    fake.onFrame = (socket, frame) => {
      if (frame.type === 'auth') socket.send(JSON.stringify({ type: 'done', ref: frame.ref, seq: null }));
    };
    const { connection } = startChat(fake);
    const auth = await waitFor(() => fake.received.find((f) => f.type === 'auth'), 'an auth frame', 3_000);
    expect(auth).toMatchObject({ token: 'token-2', ref: expect.stringMatching(/^auth:/) });
    expect(connection.state().status).toBe('online');
    expect(fake.connections).toHaveLength(1);
  });

  it('a renewal still running when the chat stops leaves no timer and no state change behind', async () => {
    const fake = await fakeServer();
    fake.onHello = (socket) => welcome(socket, [], { expiresAt: new Date(Date.now() + 1_200).toISOString() });
    let fail!: (error: Error) => void;
    let renewals = 0;
    const tokens: TokenSource = {
      accessToken: async () => 'token-1',
      renewAccessToken: () => {
        renewals += 1;
        return new Promise<string>((_resolve, reject) => (fail = reject));
      },
    };
    const { service, connection, events } = startChat(fake, { tokens });
    await waitFor(() => renewals === 1, 'a renewal under way', 3_000);
    connection.stop();
    await service.stop();
    const seen = events.length;
    // Signed out meanwhile: the stopped socket must not come back as "signed-out" (or, offline,
    // re-arm its 5 s retry).
    fail(new DesktopError('NOT_SIGNED_IN', 'You are signed out.'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(events.slice(seen)).toEqual([]);
    expect(connection.state().status).toBe('offline');
  });

  it('fills a long gap page by page until fetched reaches latestSeq', async () => {
    const fake = await fakeServer();
    const roomId = randomUUID();
    const latest = 1_201;
    fake.onHello = (socket) => {
      welcome(socket, [{ roomId, lastSeq: latest }]);
      socket.send(JSON.stringify({ type: 'synced', roomId, seq: 0 }));
      // A live event far ahead of the cursor: the client must fetch 1..1200.
      socket.send(JSON.stringify(messageEvent(roomId, latest)));
    };
    fake.onFrame = (socket, frame) => {
      if (frame.type !== 'fetch') return;
      const after = frame.after as number;
      const until = Math.min(after + (frame.limit as number), latest - 1);
      for (let seq = after + 1; seq <= until; seq++) socket.send(JSON.stringify(messageEvent(roomId, seq)));
      socket.send(JSON.stringify({ type: 'fetched', roomId, after, until, latestSeq: latest, ref: frame.ref }));
    };
    const db = openCacheDatabase(':memory:');
    insertRoom(db, roomId, 0);
    const { events } = startChat(fake, { db });
    await waitFor(
      () => (db.prepare('SELECT cursor FROM rooms WHERE id = ?').get(roomId) as { cursor: number }).cursor === latest,
      'the cursor at the latest seq',
    );
    expect(fake.received.filter((f) => f.type === 'fetch').map((f) => f.after)).toEqual([0, 500, 1000]);
    expect(db.prepare('SELECT count(*) AS n FROM messages').get()).toEqual({ n: latest });
    // Coalesced: far fewer change notices than events.
    expect(events.filter((e) => e.type === 'messages.changed').length).toBeLessThan(50);
  });

  it('passes presence, typing (with the cached username) and track progress on', async () => {
    const fake = await fakeServer();
    const bob = randomUUID();
    const roomId = randomUUID();
    const trackId = randomUUID();
    fake.onHello = (socket) => {
      welcome(socket, [{ roomId, lastSeq: 1 }]);
      socket.send(JSON.stringify({ type: 'reset', roomId, reason: 'unknown_cursor', latestSeq: 0 }));
      socket.send(JSON.stringify(messageEvent(roomId, 1, bob)));
      socket.send(JSON.stringify({ type: 'presence', userId: bob, status: 'online' }));
      socket.send(JSON.stringify({ type: 'typing', roomId, userId: bob }));
      socket.send(JSON.stringify({ type: 'track', trackId, state: 'processing', percent: 40 }));
      socket.send(
        JSON.stringify({ type: 'track', trackId, state: 'failed', percent: 100, failureReason: 'Not audio.' }),
      );
    };
    const { events } = startChat(fake);
    await waitFor(() => events.filter((e) => e.type === 'track.processing').length === 2, 'track events');
    expect(events).toContainEqual({ type: 'presence', userId: bob, status: 'online' });
    expect(events).toContainEqual({ type: 'typing', notice: { roomId, userId: bob, username: 'bob' } });
    expect(events.filter((e) => e.type === 'track.processing')).toEqual([
      { type: 'track.processing', trackId, state: 'processing', percent: 40, failureReason: null },
      { type: 'track.processing', trackId, state: 'failed', percent: 100, failureReason: 'Not audio.' },
    ]);
  });
});

describe('sync connection routing', () => {
  it('hands each frame to the domain that owns its type, and the welcome and the disconnect to all', async () => {
    const fake = await fakeServer();
    const bob = randomUUID();
    const roomId = randomUUID();
    fake.onHello = (socket) => {
      welcome(socket, []);
      socket.send(JSON.stringify({ type: 'presence', userId: bob, status: 'online' }));
      socket.send(JSON.stringify({ type: 'track', trackId: randomUUID(), state: 'processing', percent: 10 }));
      // No domain registered typing: logged, not delivered anywhere.
      socket.send(JSON.stringify({ type: 'typing', roomId, userId: bob }));
      socket.send(JSON.stringify({ type: 'presence', userId: bob, status: 'offline' }));
    };
    const seen: string[] = [];
    const logs: string[] = [];
    const tokens: TokenSource = { accessToken: async () => 'token-1', renewAccessToken: async () => 'token-2' };
    const connection = new SyncConnection({
      url: new ApiClient(fake.url, tokens).webSocketUrl(),
      tokens,
      meId: ME.id,
      backoff: { minDelayMs: 20, maxDelayMs: 50 },
      factory: (url) => new WebSocket(url),
      log: { warn: (message) => logs.push(message), error: (message) => logs.push(message) },
    });
    opened.push({ close: async () => connection.stop() });
    connection.register({
      frames: ['presence'],
      onFrame: (frame) => seen.push(`people:${frame.status}`),
      onWelcome: () => seen.push('people:welcome'),
      onDisconnected: () => seen.push('people:gone'),
    });
    connection.register({
      frames: ['track'],
      cursors: () => ({ [roomId]: 3 }),
      onFrame: (frame) => seen.push(`media:${frame.percent}`),
      onWelcome: () => seen.push('media:welcome'),
      onDisconnected: () => seen.push('media:gone'),
    });
    expect(() => connection.register({ frames: ['presence'], onFrame: () => undefined })).toThrow(
      'The presence frame already has a handler.',
    );

    connection.start();
    await waitFor(() => seen.includes('people:offline'), 'every frame routed');
    expect(seen).toEqual(['people:welcome', 'media:welcome', 'people:online', 'media:10', 'people:offline']);
    expect(logs).toEqual(['no domain handles this frame']);
    expect(fake.received[0]).toMatchObject({ type: 'hello', cursors: { [roomId]: 3 } });
    // Only a domain that replays says when the account is caught up.
    expect(connection.state().status).toBe('syncing');
    connection.markOnline();
    expect(connection.isOnline()).toBe(true);

    connection.stop();
    expect(seen.slice(-2)).toEqual(['people:gone', 'media:gone']);
    expect(connection.state().status).toBe('offline');
  });
});
