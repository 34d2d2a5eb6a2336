import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerFrameOf } from '@veza/shared';
import { createTestApp, signUp, type TestApp } from '../../test-support/app.js';
import { api, connectSynced, createRoom, isType, joinRoom, sendMessage, wsUrl } from '../../test-support/chat.js';
import { act, actOk, auditOf } from '../../test-support/moderation.js';
import { socketTracker } from '../../test-support/ws-client.js';

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

describe('room moderation', () => {
  it('a room owner bans from their room: removed, told, cannot rejoin or send there', async () => {
    const owner = await signUp(t);
    const member = await signUp(t);
    const room = await createRoom(t, owner.accessToken);
    await joinRoom(t, member.accessToken, room.id);
    const socket = sockets.track(await connectSynced(url, member.accessToken, { [room.id]: 0 }));

    await actOk(t, owner.accessToken, { action: 'room_ban', userId: member.user.id, roomId: room.id, reason: 'rude' });
    expect(await socket.next(isType('moderation'), 'room ban notice')).toMatchObject({
      kind: 'room_ban',
      roomId: room.id,
      reason: 'rude',
    });
    await socket.next(
      (f) => f.type === 'event' && f.kind === 'member.left' && f.data.userId === member.user.id,
      'removal',
    );
    const rejoin = await api(t, 'POST', `/rooms/${room.id}/join`, member.accessToken);
    expect(rejoin.statusCode).toBe(403);
    expect(rejoin.json().error.code).toBe('BANNED');
    const clientId = randomUUID();
    socket.send({ type: 'send', roomId: room.id, clientId, body: 'let me in' });
    const error = await socket.next(
      (f): f is ServerFrameOf<'error'> => f.type === 'error' && f.clientId === clientId,
      'refusal',
    );
    expect(error.code).toBe('BANNED');
    const invited = await api(t, 'POST', `/rooms/${room.id}/invites`, owner.accessToken, { userId: member.user.id });
    expect(invited.json().error.code).toBe('BANNED');

    await actOk(t, owner.accessToken, { action: 'unban', userId: member.user.id, roomId: room.id });
    expect((await api(t, 'POST', `/rooms/${room.id}/join`, member.accessToken)).statusCode).toBe(200);
    const audit = await auditOf(t, (await signUp(t, 'moderator')).accessToken, member.user.id);
    expect(audit.map((e) => e.action)).toEqual(['unban', 'room_ban']);
  });

  it('room moderators act only in their room and never on global moderators or the owner', async () => {
    const owner = await signUp(t);
    const roomModerator = await signUp(t);
    const globalModerator = await signUp(t, 'moderator');
    const member = await signUp(t);
    const room = await createRoom(t, owner.accessToken);
    for (const user of [roomModerator, globalModerator, member]) await joinRoom(t, user.accessToken, room.id);
    await t.database.db.query("UPDATE room_members SET role = 'moderator' WHERE room_id = $1 AND user_id = $2", [
      room.id,
      roomModerator.user.id,
    ]);
    const elsewhere = await createRoom(t, (await signUp(t)).accessToken);

    const cases: [object, number][] = [
      [{ action: 'timeout', userId: member.user.id, roomId: room.id, durationSeconds: 60, reason: 'x' }, 200],
      [{ action: 'timeout', userId: member.user.id, durationSeconds: 60, reason: 'x' }, 403],
      [{ action: 'timeout', userId: member.user.id, roomId: elsewhere.id, durationSeconds: 60, reason: 'x' }, 403],
      [{ action: 'room_ban', userId: globalModerator.user.id, roomId: room.id, reason: 'x' }, 403],
      [{ action: 'room_ban', userId: owner.user.id, roomId: room.id, reason: 'x' }, 403],
      [{ action: 'ban', userId: member.user.id, reason: 'x' }, 403],
      [{ action: 'warn', userId: member.user.id, reason: 'x' }, 403],
    ];
    for (const [body, status] of cases) {
      const response = await act(t, roomModerator.accessToken, body as never);
      expect(response.statusCode, `${JSON.stringify(body)} ${response.body}`).toBe(status);
    }
  });

  it('a room timeout mutes in that room only', async () => {
    const owner = await signUp(t);
    const member = await signUp(t);
    const room = await createRoom(t, owner.accessToken);
    const other = await createRoom(t, member.accessToken);
    await joinRoom(t, member.accessToken, room.id);
    const socket = sockets.track(await connectSynced(url, member.accessToken, { [room.id]: 0, [other.id]: 0 }));
    await actOk(t, owner.accessToken, {
      action: 'timeout',
      userId: member.user.id,
      roomId: room.id,
      durationSeconds: 600,
      reason: 'calm down',
    });
    const clientId = randomUUID();
    socket.send({ type: 'send', roomId: room.id, clientId, body: 'hi' });
    const error = await socket.next(
      (f): f is ServerFrameOf<'error'> => f.type === 'error' && f.clientId === clientId,
      'muted',
    );
    expect(error.code).toBe('MUTED');
    await sendMessage(socket, other.id, 'still fine here');
  });

  it('room owners delete messages in their room only', async () => {
    const owner = await signUp(t);
    const member = await signUp(t);
    const room = await createRoom(t, owner.accessToken);
    await joinRoom(t, member.accessToken, room.id);
    const socket = sockets.track(await connectSynced(url, member.accessToken, { [room.id]: 0 }));
    const ack = await sendMessage(socket, room.id, 'delete me');
    const stranger = await signUp(t);
    expect((await act(t, stranger.accessToken, { action: 'delete', messageId: ack.messageId })).statusCode).toBe(403);
    expect((await act(t, owner.accessToken, { action: 'delete', messageId: ack.messageId })).statusCode).toBe(200);
  });
});
