import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE_CODES, PROTOCOL_VERSION, type ServerFrameOf } from '@veza/shared';
import { createTestApp, signUp, type TestApp } from '../../test-support/app.js';
import {
  api,
  connect,
  connectSynced,
  createRoom,
  eventsOf,
  isType,
  joinRoom,
  sendMessage,
  wsUrl,
} from '../../test-support/chat.js';
import { TestSocket, socketTracker } from '../../test-support/ws-client.js';
import { waitFor } from '../../test-support/wait-for.js';
import { act, actOk, auditOf } from '../../test-support/moderation.js';

let t: TestApp;
let url: string;
const sockets = socketTracker();
beforeAll(async () => {
  t = await createTestApp();
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  url = wsUrl(t);
});
afterAll(async () => {
  sockets.terminateAll();
  await t.close();
});

describe('server ban', () => {
  it('sends the ban notice, closes every socket with 4004, and refuses login, refresh and reconnect with BANNED', async () => {
    const moderator = await signUp(t, 'moderator');
    const user = await signUp(t);
    const first = sockets.track(await connect(url, user.accessToken, {}));
    const second = sockets.track(await connect(url, user.accessToken, {}));

    const result = await actOk(t, moderator.accessToken, {
      action: 'ban',
      userId: user.user.id,
      reason: 'spam bot',
    });
    for (const socket of [first, second]) {
      expect(await socket.closed()).toBe(CLOSE_CODES.ACCOUNT_DISABLED);
      const notice = socket.frames.find(isType('moderation'));
      expect(notice).toMatchObject({ kind: 'ban', reason: 'spam bot', until: null });
      // The notice comes before the error that ends the connection.
      const kinds = socket.frames.map((f) => f.type);
      expect(kinds.indexOf('moderation')).toBeLessThan(kinds.lastIndexOf('error'));
    }

    const login = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { login: user.user.username, password: user.password },
    });
    expect(login.statusCode).toBe(403);
    expect(login.json().error.code).toBe('BANNED');
    expect(login.json().error.message).toContain('spam bot');

    const refresh = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refreshToken: user.refreshToken },
    });
    expect(refresh.json().error.code).toBe('BANNED');

    const again = sockets.track(await TestSocket.open(url));
    again.send({ type: 'hello', protocol: PROTOCOL_VERSION, token: user.accessToken, cursors: {} });
    const refused = await again.next(isType('error'), 'refusal');
    expect(refused.code).toBe('BANNED');
    expect(await again.closed()).toBe(CLOSE_CODES.ACCOUNT_DISABLED);

    // REST with the old token is refused too.
    expect((await api(t, 'GET', '/me', user.accessToken)).json().error.code).toBe('BANNED');

    const audit = await auditOf(t, moderator.accessToken, user.user.id);
    expect(audit[0]).toMatchObject({ action: 'ban', actor: { id: moderator.user.id }, reason: 'spam bot' });
    expect(result.auditId).toBeTruthy();
  });

  it('lets the user back in after unban', async () => {
    const moderator = await signUp(t, 'moderator');
    const user = await signUp(t);
    await actOk(t, moderator.accessToken, { action: 'ban', userId: user.user.id, reason: 'cool off' });
    await actOk(t, moderator.accessToken, { action: 'unban', userId: user.user.id });
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { login: user.user.username, password: user.password },
    });
    expect(login.statusCode).toBe(200);
    const actions = (await auditOf(t, moderator.accessToken, user.user.id)).map((e) => e.action);
    expect(actions.slice(0, 2)).toEqual(['unban', 'ban']);
  });

  it('turns past messages into tombstones everywhere with hideMessages, with events for the room', async () => {
    const moderator = await signUp(t, 'moderator');
    const owner = await signUp(t);
    const spammer = await signUp(t);
    const room = await createRoom(t, owner.accessToken);
    await joinRoom(t, spammer.accessToken, room.id);
    const spamSocket = sockets.track(await connectSynced(url, spammer.accessToken, { [room.id]: 0 }));
    const ack = await sendMessage(spamSocket, room.id, 'buy followers');
    const watcher = sockets.track(await connectSynced(url, owner.accessToken, { [room.id]: ack.seq }));

    await actOk(t, moderator.accessToken, {
      action: 'ban',
      userId: spammer.user.id,
      reason: 'spam',
      hideMessages: true,
    });
    const deleted = await watcher.next(
      (f) => f.type === 'event' && f.kind === 'message.deleted' && f.data.messageId === ack.messageId,
      'tombstone event',
    );
    expect(deleted).toBeTruthy();
    const history = await api(t, 'GET', `/rooms/${room.id}/messages`, owner.accessToken);
    const message = history.json().messages.find((m: { id: string }) => m.id === ack.messageId);
    expect(message).toMatchObject({ body: '' });
    expect(message.deletedAt).not.toBeNull();
    expect(eventsOf(watcher, room.id).length).toBeGreaterThan(0);
  });

  it('ends a timed ban by itself', async () => {
    const moderator = await signUp(t, 'moderator');
    const user = await signUp(t);
    await actOk(t, moderator.accessToken, {
      action: 'ban',
      userId: user.user.id,
      reason: 'one minute',
      durationSeconds: 60,
    });
    const login = () =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { login: user.user.username, password: user.password },
      });
    const refused = await login();
    expect(refused.json().error.code).toBe('BANNED');
    expect(refused.json().error.message).toMatch(/until \d{4}-/);
    // The clock is the system's here: move the ban's end into the past instead of waiting.
    await t.database.db.query("UPDATE bans SET until = now() - interval '1 second' WHERE user_id = $1", [user.user.id]);
    expect((await login()).statusCode).toBe(200);
  });
});

describe('rank', () => {
  it('refuses acting on oneself, a moderator on a moderator or an admin, an admin on an admin', async () => {
    const moderator = await signUp(t, 'moderator');
    const otherModerator = await signUp(t, 'moderator');
    const admin = await signUp(t, 'admin');
    const otherAdmin = await signUp(t, 'admin');
    const cases: [string, string, number][] = [
      [moderator.accessToken, moderator.user.id, 400],
      [moderator.accessToken, otherModerator.user.id, 403],
      [moderator.accessToken, admin.user.id, 403],
      [admin.accessToken, otherAdmin.user.id, 403],
      [admin.accessToken, admin.user.id, 400],
    ];
    for (const [token, userId, status] of cases) {
      for (const body of [
        { action: 'ban', userId, reason: 'x' },
        { action: 'warn', userId, reason: 'x' },
        { action: 'timeout', userId, reason: 'x', durationSeconds: 60 },
      ] as const) {
        const response = await act(t, token, body);
        expect(response.statusCode, `${body.action} ${response.body}`).toBe(status);
      }
    }
    // An admin may act on a moderator.
    expect(
      (await act(t, admin.accessToken, { action: 'warn', userId: moderator.user.id, reason: 'calm' })).statusCode,
    ).toBe(200);
  });

  it('refuses listeners and artists', async () => {
    const artist = await signUp(t, 'artist');
    const user = await signUp(t);
    const response = await act(t, artist.accessToken, { action: 'ban', userId: user.user.id, reason: 'x' });
    expect(response.statusCode).toBe(403);
  });
});

describe('warn and timeout', () => {
  it('warns on every connection, and a timeout refuses sends with MUTED and the end time', async () => {
    const moderator = await signUp(t, 'moderator');
    const owner = await signUp(t);
    const user = await signUp(t);
    const room = await createRoom(t, owner.accessToken);
    await joinRoom(t, user.accessToken, room.id);
    const socket = sockets.track(await connectSynced(url, user.accessToken, { [room.id]: 0 }));

    await actOk(t, moderator.accessToken, { action: 'warn', userId: user.user.id, reason: 'be nice' });
    expect(await socket.next(isType('moderation'), 'warning')).toMatchObject({ kind: 'warning', reason: 'be nice' });

    await actOk(t, moderator.accessToken, {
      action: 'timeout',
      userId: user.user.id,
      durationSeconds: 600,
      reason: 'cool down',
    });
    const notice = await socket.next(
      (f): f is ServerFrameOf<'moderation'> => f.type === 'moderation' && f.kind === 'timeout',
      'timeout notice',
    );
    expect(notice.until).not.toBeNull();
    const clientId = randomUUID();
    socket.send({ type: 'send', roomId: room.id, clientId, body: 'hello?' });
    const error = await socket.next(
      (f): f is ServerFrameOf<'error'> => f.type === 'error' && f.clientId === clientId,
      'MUTED',
    );
    expect(error.code).toBe('MUTED');
    expect(error.message).toContain(notice.until!);
    await waitFor(async () => (await auditOf(t, moderator.accessToken, user.user.id)).length === 2);
  });
});
