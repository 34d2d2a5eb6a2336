import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLOSE_CODES,
  type ApiKeyCreated,
  type AuthSession,
  type Room,
  type RoomEvent,
  type ServerFrame,
} from '@veza/shared';
import type { VezaApp } from '../../app.js';
import { createLogger } from '../../infra/logger.js';
import { NatsBus } from '../../infra/nats-bus.js';
import { announceAccountChange } from '../auth/index.js';
import { buildAppOn } from '../../test-support/app.js';
import { createTestDatabase, type TestDatabase } from '../../test-support/database.js';
import { skipWithoutNats, TEST_NATS_URL } from '../../test-support/nats.js';
import { eventually } from '../../test-support/chat.js';
import { TestSocket } from '../../test-support/ws-client.js';

/*
 * Two server instances on one PostgreSQL and one NATS, as a scaled-out deployment runs them.
 * Each test run uses its own NATS subject prefix, so parallel runs never see each other.
 */

const logger = createLogger('silent');
const jwtSecret = randomBytes(32);
const prefix = `vezatest${randomBytes(4).toString('hex')}`;
let database: TestDatabase;

interface Instance {
  app: VezaApp;
  bus: NatsBus;
  http: string;
  ws: string;
}

async function startInstance(): Promise<Instance> {
  const bus = await NatsBus.connect(TEST_NATS_URL, logger, { prefix });
  const app = await buildAppOn(database.db, {
    deps: { bus, logger, jwtSecret },
    limits: { authRequestsPerMinute: 10_000, presenceIntervalMs: 500 },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return { app, bus, http: `http://127.0.0.1:${port}`, ws: `ws://127.0.0.1:${port}/api/v1/ws` };
}

async function stopInstance(instance: Instance): Promise<void> {
  await instance.app.close();
  await instance.bus.close();
}

async function api<T>(instance: Instance, method: string, path: string, token?: string, body?: unknown): Promise<T> {
  const response = await fetch(`${instance.http}${path}`, {
    method,
    headers: {
      ...(body ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

const signUp = (instance: Instance, name: string) =>
  api<AuthSession>(instance, 'POST', '/api/v1/auth/register', undefined, {
    email: `${name}@example.test`,
    username: name,
    password: 'password-multi',
  });

async function connect(instance: Instance, token: string, cursors: Record<string, number>): Promise<TestSocket> {
  const socket = await TestSocket.open(instance.ws);
  socket.send({ type: 'hello', protocol: 1, token, cursors });
  await socket.next((f) => f.type === 'welcome', 'welcome');
  return socket;
}

const messageBodies = (frames: ServerFrame[], roomId: string): string[] =>
  frames
    .filter((f): f is RoomEvent => f.type === 'event' && f.roomId === roomId && f.kind === 'message.created')
    .map((e) => (e.kind === 'message.created' ? e.data.message.body : ''));

const seqsOf = (frames: ServerFrame[], roomId: string): number[] =>
  frames.filter((f): f is RoomEvent => f.type === 'event' && f.roomId === roomId).map((e) => e.seq);

describe.skipIf(skipWithoutNats)('two instances on one PostgreSQL and one NATS', () => {
  let one: Instance;
  let two: Instance;
  let ada: AuthSession;
  let bob: AuthSession;
  let room: Room;

  beforeAll(async () => {
    database = await createTestDatabase();
    one = await startInstance();
    two = await startInstance();
    const suffix = randomUUID().slice(0, 6);
    ada = await signUp(one, `ada${suffix}`);
    bob = await signUp(two, `bob${suffix}`);
    room = await api<Room>(one, 'POST', '/api/v1/rooms', ada.accessToken, { name: 'scaled', visibility: 'public' });
    await api(two, 'POST', `/api/v1/rooms/${room.id}/join`, bob.accessToken);
  });
  afterAll(async () => {
    for (const instance of [one, two]) await stopInstance(instance).catch(() => undefined);
    await database.drop();
  });

  it('delivers each instance’s events to the other’s clients, both ways, with presence', async () => {
    const adaSocket = await connect(one, ada.accessToken, { [room.id]: 0 });
    const bobSocket = await connect(two, bob.accessToken, { [room.id]: 0 });
    await adaSocket.next((f) => f.type === 'synced', 'ada synced');
    await bobSocket.next((f) => f.type === 'synced', 'bob synced');

    // Bob connected on instance two after Ada: instance one tells Ada he is online.
    await adaSocket.next((f) => f.type === 'presence' && f.userId === bob.user.id && f.status === 'online', 'presence');

    adaSocket.send({ type: 'send', roomId: room.id, clientId: randomUUID(), body: 'from one' });
    await bobSocket.next((f) => f.type === 'event' && f.kind === 'message.created', 'bob receives from one');
    bobSocket.send({ type: 'send', roomId: room.id, clientId: randomUUID(), body: 'from two' });
    await adaSocket.next(
      (f) => f.type === 'event' && f.kind === 'message.created' && f.data.message.body === 'from two',
      'ada receives from two',
    );
    bobSocket.send({ type: 'typing', roomId: room.id });
    await adaSocket.next((f) => f.type === 'typing' && f.userId === bob.user.id, 'typing across instances');

    expect(messageBodies(adaSocket.frames, room.id)).toEqual(['from one', 'from two']);
    expect(messageBodies(bobSocket.frames, room.id)).toEqual(['from one', 'from two']);

    bobSocket.close();
    await adaSocket.next((f) => f.type === 'presence' && f.userId === bob.user.id && f.status === 'offline', 'offline');
    adaSocket.close();
  });

  it('keeps a client whole when its instance stops and it reconnects to the other, then back', async () => {
    const adaSocket = await connect(one, ada.accessToken, { [room.id]: 0 });
    await adaSocket.next((f) => f.type === 'synced', 'ada synced');
    let bobSocket = await connect(two, bob.accessToken, { [room.id]: 0 });
    const bobSynced = await bobSocket.next(
      (f): f is ServerFrame & { type: 'synced' } => f.type === 'synced',
      'bob synced',
    );
    const bobFrames: ServerFrame[] = [...bobSocket.frames];

    // Instance two goes away: Bob is told (1001) and reconnects to instance one with his cursor.
    const stopping = stopInstance(two);
    expect(await bobSocket.closed()).toBe(1001);
    await stopping;
    for (let i = 1; i <= 3; i++) {
      adaSocket.send({ type: 'send', roomId: room.id, clientId: randomUUID(), body: `while away ${i}` });
      await adaSocket.next((f) => f.type === 'ack' && f.seq === bobSynced.seq + i, `ack ${i}`);
    }
    const cursor = Math.max(...seqsOf(bobFrames, room.id), bobSynced.seq);
    bobSocket = await connect(one, bob.accessToken, { [room.id]: cursor });
    await bobSocket.next((f) => f.type === 'synced', 'bob synced on one');
    bobFrames.push(...bobSocket.frames);

    // Instance two comes back; Bob moves back to it and still receives Ada's messages live.
    two = await startInstance();
    const cursorOnOne = Math.max(...seqsOf(bobFrames, room.id));
    bobSocket.close();
    bobSocket = await connect(two, bob.accessToken, { [room.id]: cursorOnOne });
    await bobSocket.next((f) => f.type === 'synced', 'bob synced on two again');
    adaSocket.send({ type: 'send', roomId: room.id, clientId: randomUUID(), body: 'welcome back' });
    await bobSocket.next(
      (f) => f.type === 'event' && f.kind === 'message.created' && f.data.message.body === 'welcome back',
      'live on the restarted instance',
    );
    bobFrames.push(...bobSocket.frames);

    // Over the three connections Bob saw every event once, in order, with no gap.
    const seqs = [...new Set(seqsOf(bobFrames, room.id))];
    expect(seqsOf(bobFrames, room.id)).toEqual(seqs);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => seqs[0]! + i));
    expect(messageBodies(bobFrames, room.id).slice(-4)).toEqual([
      'while away 1',
      'while away 2',
      'while away 3',
      'welcome back',
    ]);
    adaSocket.close();
    bobSocket.close();
  });

  it('holds a demotion made on one instance on the sockets the moderator has open on the other', async () => {
    const suffix = randomUUID().slice(0, 6);
    const admin = await signUp(one, `admin${suffix}`);
    const moderator = await signUp(two, `mod${suffix}`);
    await database.db.query(`UPDATE users SET role = 'admin' WHERE id = $1`, [admin.user.id]);
    await database.db.query(`UPDATE users SET role = 'moderator' WHERE id = $1`, [moderator.user.id]);
    // Every request and hello reads the role from the database: the sign-up tokens carry the new roles.
    const adminToken = admin.accessToken;
    const modToken = moderator.accessToken;
    const { key } = await api<ApiKeyCreated>(two, 'POST', '/api/v1/api-keys', modToken, {
      name: 'moderation bot',
      scopes: ['chat:read', 'chat:write', 'moderation:act'],
    });
    const byToken = await connect(two, modToken, {});
    const byKey = await connect(two, key, {});

    // Ada's private room, where the moderator is no member; her message is posted on instance one.
    const secret = await api<Room>(one, 'POST', '/api/v1/rooms', ada.accessToken, {
      name: `private ${suffix}`,
      visibility: 'private',
    });
    const adaSocket = await connect(one, ada.accessToken, { [secret.id]: 0 });
    await adaSocket.next((f) => f.type === 'synced' && f.roomId === secret.id, 'ada synced');
    const post = async (body: string): Promise<string> => {
      const clientId = randomUUID();
      adaSocket.send({ type: 'send', roomId: secret.id, clientId, body });
      const ack = await adaSocket.next((f) => f.type === 'ack' && f.clientId === clientId, `ack ${body}`);
      return ack.type === 'ack' ? ack.messageId : '';
    };
    const tryDelete = async (socket: TestSocket, messageId: string): Promise<ServerFrame> => {
      const ref = randomUUID().slice(0, 8);
      socket.send({ type: 'delete', messageId, ref });
      return socket.next((f) => (f.type === 'done' || f.type === 'error') && 'ref' in f && f.ref === ref, ref);
    };
    expect(await tryDelete(byToken, await post('first'))).toMatchObject({ type: 'done' });

    const targets = [await post('second'), await post('third')];
    await api(one, 'PATCH', `/api/v1/admin/users/${moderator.user.id}`, adminToken, { role: 'listener' });
    expect(await tryDelete(byToken, targets[0]!)).toMatchObject({ type: 'error', code: 'FORBIDDEN' });
    expect(await tryDelete(byKey, targets[1]!)).toMatchObject({ type: 'error', code: 'FORBIDDEN' });
    // Instance two heard of it too: the sockets' own permissions changed, and they stay open.
    await eventually(() => {
      for (const client of two.app.veza.gateway.clients.of(moderator.user.id))
        expect(client.permissions.has('moderation:act')).toBe(false);
    });
    expect(byToken.closeCode).toBeUndefined();

    // Disabling the account closes its sockets wherever they are.
    await database.db.transaction((tx) => announceAccountChange(tx, { kind: 'disabled', userId: moderator.user.id }));
    expect(await byToken.closed()).toBe(CLOSE_CODES.ACCOUNT_DISABLED);
    expect(await byKey.closed()).toBe(CLOSE_CODES.ACCOUNT_DISABLED);
    adaSocket.close();
  });
});
