import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Room, RoomEvent, ServerFrame, ServerFrameOf } from '@veza/shared';
import { bearer, createTestApp, signUp, type TestApp } from '../../test-support/app.js';
import { DEFAULT_CHAT_ROUTE_LIMITS } from './routes.js';
import { TestSocket } from '../../test-support/ws-client.js';

let t: TestApp;
let url: string;
beforeAll(async () => {
  t = await createTestApp();
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  url = `ws://127.0.0.1:${(t.app.server.address() as AddressInfo).port}/api/v1/ws`;
});
afterAll(async () => {
  await t.close();
});

const isType =
  <T extends ServerFrame['type']>(type: T) =>
  (frame: ServerFrame): frame is ServerFrameOf<T> =>
    frame.type === type;
const isEvent = (roomId: string, seq: number) => (frame: ServerFrame) =>
  frame.type === 'event' && frame.roomId === roomId && frame.seq === seq;

async function createRoom(token: string, visibility: 'public' | 'private' = 'public'): Promise<Room> {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/v1/rooms',
    headers: bearer(token),
    payload: { name: `room ${randomUUID().slice(0, 8)}`, visibility },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<Room>();
}

async function connect(token: string, cursors: Record<string, number>): Promise<TestSocket> {
  const socket = await TestSocket.open(url);
  socket.send({ type: 'hello', protocol: 1, token, cursors });
  await socket.next(isType('welcome'), 'welcome');
  return socket;
}

describe('chat protocol', () => {
  it('replays after the cursor, then streams live events in seq order', async () => {
    const ada = await signUp(t);
    const room = await createRoom(ada.accessToken);
    const writer = await connect(ada.accessToken, { [room.id]: 0 });
    await writer.next((f) => f.type === 'synced' && f.roomId === room.id, 'synced');
    for (let i = 1; i <= 3; i++) {
      writer.send({ type: 'send', roomId: room.id, clientId: randomUUID(), body: `message ${i}` });
      await writer.next((f) => f.type === 'ack' && f.seq === i + 1, `ack ${i}`);
    }

    // A second device that has seen up to seq 2 gets 3 and 4 replayed, then `synced`.
    const reader = await connect(ada.accessToken, { [room.id]: 2 });
    const synced = await reader.next(isType('synced'), 'synced');
    expect(synced.seq).toBe(4);
    const replayed = reader.frames.filter((f): f is RoomEvent => f.type === 'event').map((e) => e.seq);
    expect(replayed).toEqual([3, 4]);

    writer.send({ type: 'send', roomId: room.id, clientId: randomUUID(), body: 'live' });
    const live = await reader.next(isEvent(room.id, 5), 'live event 5');
    expect(live).toMatchObject({ kind: 'message.created', data: { message: { body: 'live', authorId: ada.user.id } } });
    writer.close();
    reader.close();
  });

  it('acknowledges a resend with the same clientId without creating a second message', async () => {
    const ada = await signUp(t);
    const room = await createRoom(ada.accessToken);
    const socket = await connect(ada.accessToken, { [room.id]: 0 });
    const clientId = randomUUID();
    socket.send({ type: 'send', roomId: room.id, clientId, body: 'once' });
    const first = await socket.next(isType('ack'), 'first ack');
    socket.frames.length = 0;
    socket.send({ type: 'send', roomId: room.id, clientId, body: 'once' });
    const second = await socket.next(isType('ack'), 'second ack');
    expect(second).toEqual(first);
    const history = await t.app.inject({
      method: 'GET',
      url: `/api/v1/rooms/${room.id}/messages`,
      headers: bearer(ada.accessToken),
    });
    expect(history.json().messages).toHaveLength(1);
    socket.close();
  });

  it('refuses a first frame that is not hello, and a bad token', async () => {
    const noHello = await TestSocket.open(url);
    noHello.send({ type: 'typing', roomId: randomUUID() });
    expect(await noHello.closed()).toBe(4000);

    const badToken = await TestSocket.open(url);
    badToken.send({ type: 'hello', protocol: 1, token: 'nope', cursors: {} });
    expect(await badToken.closed()).toBe(4001);
    expect(badToken.frames[0]).toMatchObject({ type: 'error', code: 'TOKEN_INVALID' });
  });

  it('does not let a non-member write, and answers with an error frame', async () => {
    const ada = await signUp(t);
    const eve = await signUp(t);
    const room = await createRoom(ada.accessToken, 'private');
    const socket = await connect(eve.accessToken, {});
    socket.send({ type: 'send', roomId: room.id, clientId: randomUUID(), body: 'let me in' });
    const error = await socket.next(isType('error'), 'error');
    expect(error.code).toBe('FORBIDDEN');
    socket.close();
  });

  it('forgets a client that hangs up during its hello: no presence, nothing left registered', async () => {
    const ada = await signUp(t);
    const sockets = await Promise.all(Array.from({ length: 20 }, () => TestSocket.open(url)));
    for (const socket of sockets) {
      socket.send({ type: 'hello', protocol: 1, token: ada.accessToken, cursors: {} });
      socket.ws.terminate();
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(t.app.veza.gateway.presence.isOnline(ada.user.id)).toBe(false);
  });

  it('closes a socket opened with an API key as soon as the key is revoked', async () => {
    const ada = await signUp(t);
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: bearer(ada.accessToken),
      payload: { name: 'bot', scopes: ['chat:read', 'chat:write'] },
    });
    expect(created.statusCode).toBe(201);
    const { apiKey, key } = created.json<{ apiKey: { id: string }; key: string }>();
    const socket = await connect(key, {});
    const revoked = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/api-keys/${apiKey.id}`,
      headers: bearer(ada.accessToken),
    });
    expect(revoked.statusCode).toBe(204);
    expect(await socket.closed()).toBe(4001);
  });

  it('does not let the only owner of a room with members be removed', async () => {
    const ada = await signUp(t);
    const bob = await signUp(t);
    const room = await createRoom(ada.accessToken);
    await t.app.inject({ method: 'POST', url: `/api/v1/rooms/${room.id}/join`, headers: bearer(bob.accessToken) });
    const response = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/rooms/${room.id}/members/${ada.user.id}`,
      headers: bearer(ada.accessToken),
    });
    expect(response.statusCode).toBe(409);
    expect(response.json().error.code).toBe('CONFLICT');
  });

  it('limits room creation per user, not per address', async () => {
    const limited = await createTestApp({
      limits: { chatRoutes: { ...DEFAULT_CHAT_ROUTE_LIMITS, writesPerMinute: 3 } },
    });
    try {
      const [ada, bob] = [await signUp(limited), await signUp(limited)];
      const create = (token: string) =>
        limited.app.inject({
          method: 'POST',
          url: '/api/v1/rooms',
          headers: bearer(token),
          payload: { name: 'spam', visibility: 'public' },
        });
      for (let i = 0; i < 3; i++) expect((await create(ada.accessToken)).statusCode).toBe(201);
      const refused = await create(ada.accessToken);
      expect(refused.statusCode).toBe(429);
      expect(refused.json().error.code).toBe('RATE_LIMITED');
      // Same address, another user: unaffected.
      expect((await create(bob.accessToken)).statusCode).toBe(201);
    } finally {
      await limited.close();
    }
  });
});
