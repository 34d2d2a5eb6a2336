import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE_CODES, PROTOCOL_VERSION, type Permission } from '@veza/shared';
import { createApiKey, createTestApp, signUp, type TestApp } from '../test-support/app.js';
import { connect, eventually, wsUrl } from '../test-support/chat.js';
import { socketTracker, TestSocket } from '../test-support/ws-client.js';
import { announceAccountChange, type AccountChange } from '../features/auth/index.js';

/*
 * Security finding: an account change announced while a socket's credential is being checked
 * found no connection to act on (it was not registered yet), and the socket registered right
 * after with what the check had read. Disabled, it stayed open for good with an API key; demoted
 * through an `auth` frame, it kept the old role. The window is held open here by a row lock the
 * API-key lookup must wait for (it stamps the key's last use).
 */

let t: TestApp;
const { track, terminateAll } = socketTracker();
beforeAll(async () => {
  t = await createTestApp({ audioTools: null });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  terminateAll();
  await t.close();
});

const newKey = (token: string, scopes: Permission[]): Promise<string> => createApiKey(t, token, scopes, 'bot');

/**
 * Locks the user's API-key rows in a transaction of its own until `release` is called: an API-key
 * authentication of that user waits on it.
 */
async function holdKeys(userId: string): Promise<{ release: () => Promise<void> }> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let locked!: () => void;
  const lockTaken = new Promise<void>((resolve) => (locked = resolve));
  const done = t.database.db.transaction(async (tx) => {
    await tx.query('SELECT 1 FROM api_keys WHERE user_id = $1 FOR UPDATE', [userId]);
    locked();
    await released;
  });
  await lockTaken;
  return {
    release: async () => {
      release();
      await done;
    },
  };
}

/** Resolves once a backend waits for the lock on api_keys: the authentication is under way. */
async function authenticationWaiting(): Promise<void> {
  await eventually(async () => {
    const { rows } = await t.database.db.query(
      `SELECT 1 FROM pg_stat_activity
       WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%UPDATE api_keys%'`,
    );
    expect(rows).toHaveLength(1);
  });
}

/** Commits `change` with its notice, and resolves once this instance's connections have applied the notice. */
async function changeAccount(sql: string, change: AccountChange): Promise<void> {
  const hub = t.app.veza.gateway.clients;
  const applied = new Promise<void>((resolve) => {
    hub.applyAccountChange = (seen) => {
      Object.getPrototypeOf(hub).applyAccountChange.call(hub, seen);
      if (seen.userId !== change.userId) return;
      Reflect.deleteProperty(hub, 'applyAccountChange');
      resolve();
    };
  });
  await t.database.db.transaction(async (tx) => {
    await tx.query(sql, [change.userId]);
    await announceAccountChange(tx, change);
  });
  await applied;
}

describe('an account disabled while its socket says hello', () => {
  it(`closes the socket with ${CLOSE_CODES.ACCOUNT_DISABLED} once it has registered`, async () => {
    const user = await signUp(t);
    const key = await newKey(user.accessToken, ['chat:read', 'chat:write']);
    const lock = await holdKeys(user.user.id);
    const socket = track(await TestSocket.open(wsUrl(t)));
    socket.send({ type: 'hello', protocol: PROTOCOL_VERSION, token: key, cursors: {} });
    await authenticationWaiting();

    // The notice finds no socket of this user: the hello has not registered yet.
    await changeAccount('UPDATE users SET disabled_at = now() WHERE id = $1', {
      kind: 'disabled',
      userId: user.user.id,
    });
    await lock.release();

    expect(await socket.closed()).toBe(CLOSE_CODES.ACCOUNT_DISABLED);
    expect(socket.frames.at(-1)).toMatchObject({ type: 'error', code: 'FORBIDDEN' });
  });
});

describe('a role changed while an auth frame is checked', () => {
  it('is the role the socket ends up with, not the one the check read', async () => {
    const moderator = await signUp(t, 'moderator');
    const socket = track(await connect(wsUrl(t), moderator.accessToken, {}));
    const key = await newKey(moderator.accessToken, ['chat:read', 'chat:write', 'moderation:act']);
    const lock = await holdKeys(moderator.user.id);
    socket.send({ type: 'auth', token: key, ref: 'reauth' });
    await authenticationWaiting();

    await changeAccount(`UPDATE users SET role = 'listener' WHERE id = $1`, {
      kind: 'role',
      userId: moderator.user.id,
      role: 'listener',
    });
    await lock.release();

    await socket.next((f) => f.type === 'done' && f.ref === 'reauth', 'done reauth');
    const [client] = t.app.veza.gateway.clients.of(moderator.user.id);
    expect(client!.apiKeyId).not.toBeNull();
    expect(client!.permissions.has('moderation:act')).toBe(false);
    expect(socket.closeCode).toBeUndefined();
  });
});
