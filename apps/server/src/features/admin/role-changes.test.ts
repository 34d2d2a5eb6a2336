import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE_CODES, type Permission, type ServerFrame } from '@veza/shared';
import { bearer, createApiKey, createTestApp, signInAgain, signUp, type TestApp } from '../../test-support/app.js';
import { connect, connectSynced, createRoom, eventually, sendMessage, wsUrl } from '../../test-support/chat.js';
import { socketTracker, type TestSocket } from '../../test-support/ws-client.js';
import { announceAccountChange, announceSessionsEnded, SESSIONS_PER_NOTICE } from '../auth/index.js';
import { DEFAULT_SEND_LIMITS } from '../../gateway/index.js';

/*
 * Security finding 1: a role change holds on sockets opened before it. A global moderator may
 * delete any message, even in a private room they are not in; once demoted, the sockets they
 * already had open (with an access token or an API key) must not keep that power.
 */

let t: TestApp;
const { track, terminateAll } = socketTracker();
beforeAll(async () => {
  t = await createTestApp({
    limits: { chatSends: { ...DEFAULT_SEND_LIMITS, capacity: 10_000, refillPerSecond: 10_000 } },
  });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  terminateAll();
  await t.close();
});

async function setRole(adminToken: string, userId: string, role: string): Promise<void> {
  const response = await t.app.inject({
    method: 'PATCH',
    url: `/api/v1/admin/users/${userId}`,
    headers: bearer(adminToken),
    payload: { role },
  });
  expect(response.statusCode, response.body).toBe(200);
}

const newKey = (token: string, scopes: Permission[]): Promise<string> =>
  createApiKey(t, token, scopes, 'moderation bot');

/** Sends a delete and returns the answer that echoes its ref: `done` or `error`. */
async function tryDelete(socket: TestSocket, messageId: string): Promise<ServerFrame> {
  const ref = `del-${randomUUID().slice(0, 8)}`;
  socket.send({ type: 'delete', messageId, ref });
  return socket.next((f) => (f.type === 'done' || f.type === 'error') && 'ref' in f && f.ref === ref, `answer ${ref}`);
}

/** A private room with one message by its owner; the moderator is not a member. */
async function privateMessage(): Promise<{ messageId: string }> {
  const owner = await signUp(t);
  const room = await createRoom(t, owner.accessToken, 'private');
  const writer = track(await connectSynced(wsUrl(t), owner.accessToken, { [room.id]: 0 }));
  const ack = await sendMessage(writer, room.id, 'only for members');
  return { messageId: ack.messageId };
}

describe('a moderator demoted while connected', () => {
  it.each(['access token', 'API key'] as const)(
    'can no longer delete in a private room through a socket opened with an %s before the demotion',
    async (credential) => {
      const admin = await signUp(t, 'admin');
      const moderator = await signUp(t, 'moderator');
      const token =
        credential === 'API key'
          ? await newKey(moderator.accessToken, ['chat:read', 'chat:write', 'moderation:act'])
          : moderator.accessToken;
      const socket = track(await connect(wsUrl(t), token, {}));

      // Still a moderator: the power is real.
      const first = await privateMessage();
      expect(await tryDelete(socket, first.messageId)).toMatchObject({ type: 'done' });

      const second = await privateMessage();
      await setRole(admin.accessToken, moderator.user.id, 'listener');
      expect(await tryDelete(socket, second.messageId)).toMatchObject({ type: 'error', code: 'FORBIDDEN' });
      expect(socket.closeCode).toBeUndefined();
    },
  );

  it('keeps the socket open and updates its permissions in place, both ways', async () => {
    const admin = await signUp(t, 'admin');
    const moderator = await signUp(t, 'moderator');
    const key = await newKey(moderator.accessToken, ['chat:read', 'chat:write', 'moderation:act']);
    track(await connect(wsUrl(t), moderator.accessToken, {}));
    track(await connect(wsUrl(t), key, {}));
    const permissionsOnSockets = () => t.app.veza.gateway.clients.of(moderator.user.id).map((c) => c.permissions);
    expect(permissionsOnSockets()).toHaveLength(2);

    await setRole(admin.accessToken, moderator.user.id, 'listener');
    await eventually(() => {
      for (const permissions of permissionsOnSockets()) expect(permissions.has('moderation:act')).toBe(false);
    });
    expect(permissionsOnSockets()).toHaveLength(2);

    // Promoted again: the key's scopes come back, up to what the role allows.
    await setRole(admin.accessToken, moderator.user.id, 'moderator');
    await eventually(() => {
      for (const permissions of permissionsOnSockets()) expect(permissions.has('moderation:act')).toBe(true);
    });
    const [, keySocket] = permissionsOnSockets();
    expect([...keySocket!].sort()).toEqual(['chat:read', 'chat:write', 'moderation:act']);
  });

  it('applies a role changed while the server was not listening once it listens again', async () => {
    const moderator = await signUp(t, 'moderator');
    track(await connect(wsUrl(t), moderator.accessToken, {}));
    const holdsModeration = () =>
      t.app.veza.gateway.clients.of(moderator.user.id)[0]?.permissions.has('moderation:act');
    expect(holdsModeration()).toBe(true);
    // Changed behind the server's back (no notice), then its listening connection drops.
    await t.database.db.query(`UPDATE users SET role = 'listener' WHERE id = $1`, [moderator.user.id]);
    await t.database.db.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
       WHERE datname = current_database() AND query ILIKE 'LISTEN%'`,
    );
    await eventually(() => expect(holdsModeration()).toBe(false), { timeoutMs: 10_000 });
  });
});

describe('an account disabled while connected', () => {
  it(`closes every socket of the account with ${CLOSE_CODES.ACCOUNT_DISABLED}, and only those`, async () => {
    const user = await signUp(t);
    const bystander = await signUp(t);
    const key = await newKey(user.accessToken, ['chat:read']);
    const byToken = track(await connect(wsUrl(t), user.accessToken, {}));
    const byKey = track(await connect(wsUrl(t), key, {}));
    const other = track(await connect(wsUrl(t), bystander.accessToken, {}));

    await t.database.db.transaction((tx) => announceAccountChange(tx, { kind: 'disabled', userId: user.user.id }));

    expect(await byToken.closed()).toBe(CLOSE_CODES.ACCOUNT_DISABLED);
    expect(await byKey.closed()).toBe(CLOSE_CODES.ACCOUNT_DISABLED);
    expect(byToken.frames.at(-1)).toMatchObject({ type: 'error', code: 'FORBIDDEN' });
    expect(other.closeCode).toBeUndefined();
  });
});

describe('an account disabled while the server was not listening', () => {
  it('is closed once the server listens again', async () => {
    const user = await signUp(t);
    const socket = track(await connect(wsUrl(t), user.accessToken, {}));
    await t.database.db.query('UPDATE users SET disabled_at = now() WHERE id = $1', [user.user.id]);
    await t.database.db.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
       WHERE datname = current_database() AND query ILIKE 'LISTEN%'`,
    );
    expect(await socket.closed(10_000)).toBe(CLOSE_CODES.ACCOUNT_DISABLED);
  });
});

describe('sessions ended by an administrator (a password reset)', () => {
  it('close the sockets opened with them, and only those', async () => {
    const user = await signUp(t);
    const ended = track(await connect(wsUrl(t), user.accessToken, {}));
    const laterSession = track(await connect(wsUrl(t), await signInAgain(t, user), {}));
    const byKey = track(await connect(wsUrl(t), await newKey(user.accessToken, ['chat:read']), {}));
    const { rows } = await t.database.db.query<{ id: string }>(
      'SELECT id FROM auth_sessions WHERE user_id = $1 ORDER BY created_at LIMIT 1',
      [user.user.id],
    );
    // Among more ended sessions than one notice carries, so the last chunk holds the real one.
    const sessionIds = [...Array.from({ length: SESSIONS_PER_NOTICE }, () => randomUUID()), rows[0]!.id];

    await t.database.db.transaction((tx) => announceSessionsEnded(tx, user.user.id, sessionIds));

    expect(await ended.closed()).toBe(CLOSE_CODES.UNAUTHORIZED);
    expect(ended.frames.at(-1)).toMatchObject({ type: 'error', code: 'TOKEN_INVALID' });
    expect(laterSession.closeCode).toBeUndefined();
    expect(byKey.closeCode).toBeUndefined();
  });
});

describe('a session ended while the server was not listening', () => {
  it('closes the sockets opened with it once the server listens again, and only those', async () => {
    const user = await signUp(t);
    const ended = track(await connect(wsUrl(t), user.accessToken, {}));
    const laterSession = track(await connect(wsUrl(t), await signInAgain(t, user), {}));
    const [first] = t.app.veza.gateway.clients.of(user.user.id);
    // Ended behind the server's back (its notice lost with the listening connection).
    await t.database.db.query('UPDATE auth_sessions SET revoked_at = now() WHERE id = $1', [first!.sessionId]);
    await t.database.db.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
       WHERE datname = current_database() AND query ILIKE 'LISTEN%'`,
    );
    expect(await ended.closed(10_000)).toBe(CLOSE_CODES.UNAUTHORIZED);
    expect(ended.frames.at(-1)).toMatchObject({ type: 'error', code: 'TOKEN_INVALID' });
    expect(laterSession.closeCode).toBeUndefined();
  });
});
