import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE_CODES, PROTOCOL_VERSION, type AuthSession, type ModerationRule, type ServerFrame } from '@veza/shared';
import type { VezaApp } from '../../app.js';
import { createLogger } from '../../infra/logger.js';
import { NatsBus } from '../../infra/nats-bus.js';
import { buildAppOn } from '../../test-support/app.js';
import { createTestDatabase, type TestDatabase } from '../../test-support/database.js';
import { skipWithoutNats, TEST_NATS_URL } from '../../test-support/nats.js';
import { TestSocket } from '../../test-support/ws-client.js';

/*
 * Two instances on one PostgreSQL and one NATS: a ban made on one closes the user's sockets on
 * both at once, and a rule change made on one reaches the other's clients and send path.
 */

const logger = createLogger('silent');
const jwtSecret = randomBytes(32);
const prefix = `vezamod${randomBytes(4).toString('hex')}`;
let database: TestDatabase;
const instances: { app: VezaApp; bus: NatsBus; ws: string }[] = [];
const sockets: TestSocket[] = [];

async function startInstance() {
  const bus = await NatsBus.connect(TEST_NATS_URL, logger, { prefix });
  const app = await buildAppOn(database.db, {
    deps: { bus, logger, jwtSecret },
    limits: { authRequestsPerMinute: 10_000 },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const instance = { app, bus, ws: `ws://127.0.0.1:${(app.server.address() as AddressInfo).port}/api/v1/ws` };
  instances.push(instance);
  return instance;
}

async function register(app: VezaApp, role?: 'moderator'): Promise<AuthSession> {
  const id = randomBytes(5).toString('hex');
  const response = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/register',
    payload: { email: `m${id}@example.test`, username: `m${id}`, password: `pw-${id}-long` },
  });
  const session = response.json<AuthSession>();
  if (role) {
    await database.db.query('UPDATE users SET role = $2 WHERE id = $1', [session.user.id, role]);
    // A fresh token is not needed: the role is read from the database on every request.
  }
  return session;
}

async function connect(url: string, token: string): Promise<TestSocket> {
  const socket = await TestSocket.open(url);
  sockets.push(socket);
  socket.send({ type: 'hello', protocol: PROTOCOL_VERSION, token, cursors: {} });
  await socket.next((f: ServerFrame) => f.type === 'welcome', 'welcome');
  return socket;
}

describe.skipIf(skipWithoutNats)('moderation across two instances', () => {
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    for (const socket of sockets) socket.ws.terminate();
    for (const { app, bus } of instances) {
      await app.close();
      await bus.close();
    }
    await database?.drop();
  });

  it('closes a banned user’s sockets on both instances and reloads rules everywhere', async () => {
    const a = await startInstance();
    const b = await startInstance();
    const moderator = await register(a.app, 'moderator');
    const user = await register(a.app);
    const onA = await connect(a.ws, user.accessToken);
    const onB = await connect(b.ws, user.accessToken);
    const watcher = await connect(b.ws, moderator.accessToken);

    const created = await a.app.inject({
      method: 'POST',
      url: '/api/v1/moderation/rules',
      headers: { authorization: `Bearer ${moderator.accessToken}` },
      payload: {
        name: 'links',
        enabled: true,
        roomId: null,
        config: { kind: 'links', mode: 'block_all', allowDomains: [] },
        action: 'block',
        timeoutSeconds: null,
        reason: 'No links.',
        exemptRoles: [],
        exemptRoomRoles: [],
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const rule = created.json<ModerationRule>();
    const frame = await watcher.next((f: ServerFrame) => f.type === 'rules', 'rules frame on B');
    expect(frame).toMatchObject({ type: 'rules' });
    const effective = await b.app.inject({
      method: 'GET',
      url: '/api/v1/moderation/rules/effective',
      headers: { authorization: `Bearer ${moderator.accessToken}` },
    });
    expect(effective.json<{ rules: ModerationRule[] }>().rules.map((r) => r.id)).toContain(rule.id);

    const ban = await a.app.inject({
      method: 'POST',
      url: '/api/v1/moderation/actions',
      headers: { authorization: `Bearer ${moderator.accessToken}` },
      payload: { action: 'ban', userId: user.user.id, reason: 'raid' },
    });
    expect(ban.statusCode, ban.body).toBe(200);
    expect(await onA.closed()).toBe(CLOSE_CODES.ACCOUNT_DISABLED);
    expect(await onB.closed()).toBe(CLOSE_CODES.ACCOUNT_DISABLED);
    expect(onB.frames.some((f) => f.type === 'moderation' && f.kind === 'ban')).toBe(true);
    const again = await TestSocket.open(b.ws);
    sockets.push(again);
    again.send({ type: 'hello', protocol: PROTOCOL_VERSION, token: user.accessToken, cursors: {} });
    expect(await again.next((f: ServerFrame) => f.type === 'error', 'refused')).toMatchObject({ code: 'BANNED' });
  });
});
