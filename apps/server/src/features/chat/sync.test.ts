import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PROTOCOL_LIMITS,
  type AuthSession,
  type MessagePage,
  type Room,
  type RoomEvent,
  type ServerFrame,
  type ServerFrameOf,
} from '@veza/shared';
import type { Static, TSchema } from 'typebox';
import { InProcessBus, type Bus, type BusHandler, type Topic, type TopicParams } from '../../infra/bus.js';
import { ManualClock } from '../../infra/clock.js';
import { bearer, createTestApp, signUp, type TestApp } from '../../test-support/app.js';
import {
  api,
  connect,
  connectSynced,
  createRoom,
  eventsOf,
  eventually,
  invite,
  isEvent,
  isEventKind,
  isSynced,
  isType,
  joinRoom,
  myRooms,
  sendMessage,
  sleep,
  wsUrl,
} from '../../test-support/chat.js';
import type { TestSocket } from '../../test-support/ws-client.js';
import { DEFAULT_SEND_LIMITS } from '../../gateway/index.js';
import { roomEventsTopic } from './topics.js';

/*
 * The sync model end to end, over real sockets against real PostgreSQL: replay after a cursor,
 * live streaming, gap filling, resets, membership changes and the ephemeral notices.
 */

let t: TestApp;
let url: string;
beforeAll(async () => {
  // Sends are not what these tests are about: the limiter stays out of the way.
  t = await createTestApp({
    limits: { chatSends: { ...DEFAULT_SEND_LIMITS, capacity: 10_000, refillPerSecond: 10_000 } },
  });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  url = wsUrl(t);
});
afterAll(async () => {
  await t.close();
});

const sockets: TestSocket[] = [];
/** A socket closed at the end of the file, whatever the test did. */
async function open(token: string, cursors: Record<string, number>, synced = true): Promise<TestSocket> {
  const socket = synced ? await connectSynced(url, token, cursors) : await connect(url, token, cursors);
  sockets.push(socket);
  return socket;
}
afterAll(() => {
  for (const socket of sockets) socket.close();
});

const seqsOf = (socket: TestSocket, roomId: string): number[] => eventsOf(socket, roomId).map((e) => e.seq);
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const withRef =
  <T extends 'done' | 'error' | 'fetched'>(type: T, ref: string) =>
  (frame: ServerFrame): frame is ServerFrameOf<T> =>
    frame.type === type && 'ref' in frame && frame.ref === ref;
const anyAnswer = (ref: string) => (frame: ServerFrame) =>
  (frame.type === 'done' || frame.type === 'error' || frame.type === 'fetched') && 'ref' in frame && frame.ref === ref;

async function lastSeq(roomId: string): Promise<number> {
  const { rows } = await t.database.db.query<{ last_seq: string }>('SELECT last_seq FROM rooms WHERE id = $1', [
    roomId,
  ]);
  return Number(rows[0]!.last_seq);
}

async function history(token: string, roomId: string, query = ''): Promise<MessagePage> {
  const response = await api(t, 'GET', `/rooms/${roomId}/messages${query}`, token);
  expect(response.statusCode, response.body).toBe(200);
  return response.json<MessagePage>();
}

/** Appends `count` events to a room's log directly in SQL (no bus), as the service would. */
async function appendRawEvents(roomId: string, actorId: string, count: number): Promise<number> {
  const { rows } = await t.database.db.query<{ last_seq: string }>(
    'UPDATE rooms SET last_seq = last_seq + $2 WHERE id = $1 RETURNING last_seq',
    [roomId, count],
  );
  const until = Number(rows[0]!.last_seq);
  await t.database.db.query(
    `INSERT INTO room_events (room_id, seq, kind, actor_id, at, payload)
     SELECT $1, s, 'message.deleted', $2, now(),
            jsonb_build_object('messageId', gen_random_uuid(), 'deletedAt', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
     FROM generate_series($3::bigint, $4::bigint) AS s`,
    [roomId, actorId, until - count + 1, until],
  );
  return until;
}

describe('replay and live streaming', () => {
  it('replays each room after its cursor, says synced, then streams live events in every room', async () => {
    const ada = await signUp(t);
    const [a, b, c] = [
      await createRoom(t, ada.accessToken),
      await createRoom(t, ada.accessToken),
      await createRoom(t, ada.accessToken),
    ];
    const writer = await open(ada.accessToken, { [a.id]: 1, [b.id]: 1, [c.id]: 1 });
    for (let i = 1; i <= 3; i++) await sendMessage(writer, a.id, `a${i}`);
    for (let i = 1; i <= 2; i++) await sendMessage(writer, b.id, `b${i}`);
    // a: seq 1 (joined) + 2..4; b: 1 + 2..3; c: 1.

    const reader = await connect(url, ada.accessToken, { [a.id]: 2, [b.id]: 0, [c.id]: 1 });
    sockets.push(reader);
    const welcome = await reader.next(isType('welcome'), 'welcome');
    expect(welcome.userId).toBe(ada.user.id);
    expect(welcome.rooms).toEqual(
      expect.arrayContaining([
        { roomId: a.id, lastSeq: 4 },
        { roomId: b.id, lastSeq: 3 },
        { roomId: c.id, lastSeq: 1 },
      ]),
    );
    expect(welcome.rooms).toHaveLength(3);
    expect((await reader.next(isSynced(a.id), 'synced a')).seq).toBe(4);
    expect((await reader.next(isSynced(b.id), 'synced b')).seq).toBe(3);
    expect((await reader.next(isSynced(c.id), 'synced c')).seq).toBe(1);
    expect(seqsOf(reader, a.id)).toEqual([3, 4]);
    expect(seqsOf(reader, b.id)).toEqual([1, 2, 3]);
    expect(seqsOf(reader, c.id)).toEqual([]);
    expect(eventsOf(reader, b.id).map((e) => e.kind)).toEqual(['member.joined', 'message.created', 'message.created']);
    // Replayed events of a room come before its synced frame.
    const syncedAt = reader.frames.findIndex(isSynced(a.id));
    expect(reader.frames.findIndex(isEvent(a.id, 4))).toBeLessThan(syncedAt);

    await sendMessage(writer, c.id, 'c live');
    await sendMessage(writer, a.id, 'a live');
    await sendMessage(writer, b.id, 'b live');
    await reader.next(isEvent(b.id, 4), 'live b 4');
    await reader.next(isEvent(a.id, 5), 'live a 5');
    const live = await reader.next(isEvent(c.id, 2), 'live c 2');
    expect(live).toMatchObject({
      kind: 'message.created',
      actorId: ada.user.id,
      data: { message: { body: 'c live', authorId: ada.user.id, seq: 2, roomId: c.id } },
    });
    expect(seqsOf(reader, a.id)).toEqual([3, 4, 5]);
    expect(seqsOf(reader, b.id)).toEqual([1, 2, 3, 4]);
    expect(seqsOf(reader, c.id)).toEqual([2]);
  });

  it('replays in pages past the replay page size, without gaps or duplicates', async () => {
    const ada = await signUp(t);
    const room = await createRoom(t, ada.accessToken);
    const until = await appendRawEvents(room.id, ada.user.id, PROTOCOL_LIMITS.replayPageSize * 2 + 7);
    const reader = await open(ada.accessToken, { [room.id]: 3 });
    expect((await reader.next(isSynced(room.id), 'synced')).seq).toBe(until);
    expect(seqsOf(reader, room.id)).toEqual(range(4, until));
  });

  it('answers fetch with the events after the seq asked for, then fetched', async () => {
    const ada = await signUp(t);
    const room = await createRoom(t, ada.accessToken);
    const writer = await open(ada.accessToken, { [room.id]: 0 });
    for (let i = 1; i <= 6; i++) await sendMessage(writer, room.id, `m${i}`);
    // The log is 1..7. A client that noticed a gap after seq 2 asks for what follows.
    const client = await open(ada.accessToken, { [room.id]: 7 });
    client.send({ type: 'fetch', roomId: room.id, after: 2, ref: 'gap' });
    const fetched = await client.next(withRef('fetched', 'gap'), 'fetched');
    expect(fetched).toEqual({ type: 'fetched', roomId: room.id, after: 2, until: 7, latestSeq: 7, ref: 'gap' });
    const fetchedAt = client.frames.indexOf(fetched);
    const answered = client.frames
      .slice(0, fetchedAt)
      .filter((f): f is RoomEvent => f.type === 'event' && f.roomId === room.id);
    expect(answered.map((e) => e.seq)).toEqual([3, 4, 5, 6, 7]);
    expect(answered.map((e) => (e.kind === 'message.created' ? e.data.message.body : e.kind))).toEqual([
      'm2',
      'm3',
      'm4',
      'm5',
      'm6',
    ]);

    // With a limit: until says how far the answer went; latestSeq says there is more.
    client.frames.length = 0;
    client.send({ type: 'fetch', roomId: room.id, after: 0, limit: 2, ref: 'page' });
    expect(await client.next(withRef('fetched', 'page'), 'fetched page')).toMatchObject({ until: 2, latestSeq: 7 });
    expect(seqsOf(client, room.id)).toEqual([1, 2]);

    // Caught up: nothing to send, until equals after.
    client.frames.length = 0;
    client.send({ type: 'fetch', roomId: room.id, after: 7, ref: 'none' });
    expect(await client.next(withRef('fetched', 'none'), 'fetched none')).toMatchObject({ until: 7, latestSeq: 7 });
    expect(seqsOf(client, room.id)).toEqual([]);

    // Not a member: refused.
    const other = await createRoom(t, (await signUp(t)).accessToken, 'private');
    client.send({ type: 'fetch', roomId: other.id, after: 0, ref: 'nope' });
    expect(await client.next(anyAnswer('nope'), 'answer to nope')).toMatchObject({ type: 'error', code: 'FORBIDDEN' });
    expect(seqsOf(client, other.id)).toEqual([]);
  });

  it('fills a hole in the live stream from the log when an event never comes over the bus', async () => {
    const ada = await signUp(t);
    const room = await createRoom(t, ada.accessToken);
    const reader = await open(ada.accessToken, { [room.id]: 1 });
    // seq 2 is committed without being published (as when a publish fails after the commit).
    await appendRawEvents(room.id, ada.user.id, 1);
    const writer = await open(ada.accessToken, { [room.id]: 2 });
    await sendMessage(writer, room.id, 'after the hole');
    await reader.next(isEvent(room.id, 3), 'event 3');
    expect(seqsOf(reader, room.id)).toEqual([2, 3]);
  });

  it('keeps each room in seq order, gapless and without duplicates, under concurrent senders', async () => {
    const [ada, bob, carol] = [await signUp(t), await signUp(t), await signUp(t)];
    const room = await createRoom(t, ada.accessToken);
    await joinRoom(t, bob.accessToken, room.id);
    await joinRoom(t, carol.accessToken, room.id);
    const start = await lastSeq(room.id);
    const senders = [
      await open(ada.accessToken, { [room.id]: start }),
      await open(bob.accessToken, { [room.id]: start }),
    ];
    const receivers = [...senders, await open(carol.accessToken, { [room.id]: start })];
    const perSender = 50;
    const clientIds = senders.map(() => Array.from({ length: perSender }, () => randomUUID()));
    // Everything is sent at once: both sockets' frames interleave on the server.
    for (let i = 0; i < perSender; i++) {
      senders.forEach((socket, s) =>
        socket.send({ type: 'send', roomId: room.id, clientId: clientIds[s]![i]!, body: `s${s} #${i}` }),
      );
    }
    const end = start + senders.length * perSender;
    for (const receiver of receivers) await receiver.next(isEvent(room.id, end), 'the last event', 15_000);
    for (const receiver of receivers) expect(seqsOf(receiver, room.id)).toEqual(range(start + 1, end));

    const acks = senders.flatMap((socket) =>
      socket.frames.filter((f): f is ServerFrameOf<'ack'> => f.type === 'ack' && f.roomId === room.id),
    );
    expect(acks).toHaveLength(senders.length * perSender);
    expect(new Set(acks.map((ack) => ack.seq)).size).toBe(acks.length);
    // Each sender's messages appear in the order that sender sent them.
    const bodies = eventsOf(receivers[2]!, room.id).map((e) =>
      e.kind === 'message.created' ? e.data.message.body : '',
    );
    for (let s = 0; s < senders.length; s++) {
      expect(bodies.filter((body) => body.startsWith(`s${s} `))).toEqual(
        range(0, perSender - 1).map((i) => `s${s} #${i}`),
      );
    }
  });
});

describe('an offline client catching up', () => {
  it('gets edits, deletions (tombstones) and reactions when it reconnects with its old cursor', async () => {
    const [ada, bob] = [await signUp(t), await signUp(t)];
    const room = await createRoom(t, ada.accessToken);
    await joinRoom(t, bob.accessToken, room.id);
    const cursor = await lastSeq(room.id);

    const adaSocket = await open(ada.accessToken, { [room.id]: cursor });
    const bobSocket = await open(bob.accessToken, { [room.id]: cursor });
    const first = await sendMessage(adaSocket, room.id, 'first draft');
    const second = await sendMessage(adaSocket, room.id, 'secret to delete');

    adaSocket.send({ type: 'edit', messageId: first.messageId, body: 'first, edited', ref: 'edit' });
    expect(await adaSocket.next(anyAnswer('edit'), 'edit')).toEqual({ type: 'done', ref: 'edit', seq: cursor + 3 });
    adaSocket.send({ type: 'delete', messageId: second.messageId, ref: 'delete' });
    expect(await adaSocket.next(anyAnswer('delete'), 'delete')).toEqual({
      type: 'done',
      ref: 'delete',
      seq: cursor + 4,
    });
    bobSocket.send({ type: 'react', messageId: first.messageId, emoji: '👍', op: 'add', ref: 'r1' });
    expect(await bobSocket.next(anyAnswer('r1'), 'r1')).toEqual({ type: 'done', ref: 'r1', seq: cursor + 5 });
    // Adding the same reaction again changes nothing and appends nothing.
    bobSocket.send({ type: 'react', messageId: first.messageId, emoji: '👍', op: 'add', ref: 'r2' });
    expect(await bobSocket.next(anyAnswer('r2'), 'r2')).toEqual({ type: 'done', ref: 'r2', seq: null });
    bobSocket.send({ type: 'react', messageId: first.messageId, emoji: '🎉', op: 'add', ref: 'r3' });
    expect(await bobSocket.next(anyAnswer('r3'), 'r3')).toEqual({ type: 'done', ref: 'r3', seq: cursor + 6 });
    bobSocket.send({ type: 'react', messageId: first.messageId, emoji: '🎉', op: 'remove', ref: 'r4' });
    expect(await bobSocket.next(anyAnswer('r4'), 'r4')).toEqual({ type: 'done', ref: 'r4', seq: cursor + 7 });
    bobSocket.send({ type: 'react', messageId: first.messageId, emoji: '🎉', op: 'remove', ref: 'r5' });
    expect(await bobSocket.next(anyAnswer('r5'), 'r5')).toEqual({ type: 'done', ref: 'r5', seq: null });

    // Not allowed: editing someone else's message, editing or reacting to a deleted one.
    bobSocket.send({ type: 'edit', messageId: first.messageId, body: 'hijack', ref: 'e1' });
    expect(await bobSocket.next(anyAnswer('e1'), 'e1')).toMatchObject({ type: 'error', code: 'FORBIDDEN', ref: 'e1' });
    adaSocket.send({ type: 'edit', messageId: second.messageId, body: 'resurrect', ref: 'e2' });
    expect(await adaSocket.next(anyAnswer('e2'), 'e2')).toMatchObject({ type: 'error', code: 'CONFLICT', ref: 'e2' });
    bobSocket.send({ type: 'react', messageId: second.messageId, emoji: '👀', op: 'add', ref: 'e3' });
    expect(await bobSocket.next(anyAnswer('e3'), 'e3')).toMatchObject({ type: 'error', code: 'CONFLICT', ref: 'e3' });
    expect(await lastSeq(room.id)).toBe(cursor + 7);

    // A device of bob's that was offline since `cursor` comes back.
    const device = await connect(url, bob.accessToken, { [room.id]: cursor });
    sockets.push(device);
    expect((await device.next(isSynced(room.id), 'synced')).seq).toBe(cursor + 7);
    const replayed = eventsOf(device, room.id);
    expect(replayed.map((e) => [e.seq, e.kind])).toEqual([
      [cursor + 1, 'message.created'],
      [cursor + 2, 'message.created'],
      [cursor + 3, 'message.edited'],
      [cursor + 4, 'message.deleted'],
      [cursor + 5, 'reaction.added'],
      [cursor + 6, 'reaction.added'],
      [cursor + 7, 'reaction.removed'],
    ]);
    expect(replayed[2]).toMatchObject({ data: { messageId: first.messageId, body: 'first, edited' } });
    expect(replayed[3]).toMatchObject({ actorId: ada.user.id, data: { messageId: second.messageId } });
    expect(replayed[4]).toMatchObject({ data: { messageId: first.messageId, emoji: '👍', userId: bob.user.id } });
    expect(replayed[6]).toMatchObject({ data: { messageId: first.messageId, emoji: '🎉', userId: bob.user.id } });
    // The deleted message's text is gone from the log too: the replay carries an empty body.
    expect(replayed[1]).toMatchObject({ data: { message: { id: second.messageId, body: '', mentions: [] } } });
    // Otherwise the live sockets saw exactly the same events.
    const scrubbed = (events: RoomEvent[]) =>
      events.map((e) =>
        e.kind === 'message.created' && e.data.message.id === second.messageId
          ? { ...e, data: { message: { ...e.data.message, body: '', mentions: [] } } }
          : e,
      );
    expect(scrubbed(eventsOf(adaSocket, room.id))).toEqual(replayed);
    expect(scrubbed(eventsOf(bobSocket, room.id))).toEqual(replayed);

    // History: the edit applied, the deleted message a tombstone without its body, one reaction left.
    const page = await history(bob.accessToken, room.id);
    const byId = new Map(page.messages.map((m) => [m.id, m]));
    expect(byId.get(first.messageId)).toMatchObject({
      body: 'first, edited',
      editedAt: expect.any(String),
      deletedAt: null,
      reactions: [{ emoji: '👍', userIds: [bob.user.id] }],
    });
    expect(byId.get(second.messageId)).toMatchObject({ body: '', deletedAt: expect.any(String), reactions: [] });
    expect(JSON.stringify(page)).not.toContain('secret to delete');
  });

  it('returns the original message and seq when a send is retried with the same clientId', async () => {
    const ada = await signUp(t);
    const room = await createRoom(t, ada.accessToken);
    const socket = await open(ada.accessToken, { [room.id]: 1 });
    const clientId = randomUUID();
    const first = await sendMessage(socket, room.id, 'once', { clientId });
    await sendMessage(socket, room.id, 'another');
    // The retry arrives on a new connection, after other messages.
    const again = await open(ada.accessToken, { [room.id]: 3 });
    const retried = await sendMessage(again, room.id, 'once', { clientId });
    expect(retried).toEqual(first);
    await sleep(50);
    expect(await lastSeq(room.id)).toBe(3);
    expect(seqsOf(again, room.id)).toEqual([]);
  });
});

describe('reset', () => {
  it('resets an unknown cursor, a room not joined and a room missing from the cursors, then streams live', async () => {
    const [ada, eve] = [await signUp(t), await signUp(t)];
    const ahead = await createRoom(t, ada.accessToken);
    const missing = await createRoom(t, ada.accessToken);
    const foreign = await createRoom(t, eve.accessToken, 'private');
    const writer = await open(ada.accessToken, { [ahead.id]: 1, [missing.id]: 1 });
    await sendMessage(writer, ahead.id, 'one');

    const client = await connect(url, ada.accessToken, { [ahead.id]: 99, [foreign.id]: 0 });
    sockets.push(client);
    const resets = async (roomId: string) => client.next((f) => f.type === 'reset' && f.roomId === roomId, 'reset');
    expect(await resets(ahead.id)).toEqual({ type: 'reset', roomId: ahead.id, reason: 'unknown_cursor', latestSeq: 2 });
    expect(await resets(foreign.id)).toEqual({ type: 'reset', roomId: foreign.id, reason: 'not_member', latestSeq: 0 });
    expect(await resets(missing.id)).toEqual({
      type: 'reset',
      roomId: missing.id,
      reason: 'unknown_cursor',
      latestSeq: 1,
    });
    await sleep(50);
    expect(eventsOf(client, ahead.id)).toEqual([]);
    expect(eventsOf(client, foreign.id)).toEqual([]);

    // After a reset the room streams live from latestSeq.
    await sendMessage(writer, ahead.id, 'two');
    await sendMessage(writer, missing.id, 'first');
    await client.next(isEvent(ahead.id, 3), 'ahead 3');
    await client.next(isEvent(missing.id, 2), 'missing 2');
    expect(seqsOf(client, ahead.id)).toEqual([3]);
    expect(seqsOf(client, missing.id)).toEqual([2]);
    // Nothing of the room the client does not belong to, even after eve writes in it.
    const eveSocket = await open(eve.accessToken, { [foreign.id]: 1 });
    await sendMessage(eveSocket, foreign.id, 'private');
    await sleep(100);
    expect(eventsOf(client, foreign.id)).toEqual([]);
  });

  it(`resets a cursor more than ${PROTOCOL_LIMITS.maxReplayEvents} events behind, and replays one exactly that far`, async () => {
    const ada = await signUp(t);
    const room = await createRoom(t, ada.accessToken);
    const until = await appendRawEvents(room.id, ada.user.id, PROTOCOL_LIMITS.maxReplayEvents + 1);
    expect(until).toBe(PROTOCOL_LIMITS.maxReplayEvents + 2);

    const tooOld = await connect(url, ada.accessToken, { [room.id]: until - PROTOCOL_LIMITS.maxReplayEvents - 1 });
    sockets.push(tooOld);
    expect(await tooOld.next(isType('reset'), 'reset')).toEqual({
      type: 'reset',
      roomId: room.id,
      reason: 'cursor_too_old',
      latestSeq: until,
    });
    await sleep(50);
    expect(eventsOf(tooOld, room.id)).toEqual([]);
    expect(tooOld.frames.some(isSynced(room.id))).toBe(false);

    const justInReach = await connect(url, ada.accessToken, { [room.id]: until - PROTOCOL_LIMITS.maxReplayEvents });
    sockets.push(justInReach);
    expect((await justInReach.next(isSynced(room.id), 'synced', 20_000)).seq).toBe(until);
    expect(justInReach.frames.some(isType('reset'))).toBe(false);
    const seqs = seqsOf(justInReach, room.id);
    expect(seqs).toHaveLength(PROTOCOL_LIMITS.maxReplayEvents);
    expect(seqs[0]).toBe(until - PROTOCOL_LIMITS.maxReplayEvents + 1);
    expect(seqs.every((seq, i) => i === 0 || seq === seqs[i - 1]! + 1)).toBe(true);

    // Both continue live.
    await sendMessage(justInReach, room.id, 'live');
    await tooOld.next(isEvent(room.id, until + 1), 'live after reset');
  });
});

describe('read markers, mentions and replies', () => {
  it('counts unread messages from others and moves the read marker forward only', async () => {
    const [ada, bob] = [await signUp(t), await signUp(t)];
    const room = await createRoom(t, ada.accessToken);
    const adaSocket = await open(ada.accessToken, { [room.id]: 1 });
    await sendMessage(adaSocket, room.id, 'before bob joined');
    await joinRoom(t, bob.accessToken, room.id);
    const joinedAt = await lastSeq(room.id);
    const bobRoom = async () => (await myRooms(t, bob.accessToken)).find((r) => r.id === room.id)!;
    // History from before joining counts as read (up to the seq before bob's member.joined).
    expect(await bobRoom()).toMatchObject({ lastReadSeq: joinedAt - 1, unreadCount: 0, myRole: 'member' });

    const acks = [];
    for (let i = 1; i <= 4; i++) acks.push(await sendMessage(adaSocket, room.id, `unread ${i}`));
    const bobSocket = await open(bob.accessToken, { [room.id]: joinedAt });
    await sendMessage(bobSocket, room.id, 'my own message is not unread');
    expect(await bobRoom()).toMatchObject({ lastReadSeq: joinedAt - 1, unreadCount: 4 });
    // The writer has nothing unread in its own room.
    expect((await myRooms(t, ada.accessToken)).find((r) => r.id === room.id)).toMatchObject({ unreadCount: 1 });

    bobSocket.send({ type: 'read', roomId: room.id, seq: acks[1]!.seq, ref: 'read1' });
    expect(await bobSocket.next(anyAnswer('read1'), 'read1')).toEqual({ type: 'done', ref: 'read1', seq: null });
    expect(await bobRoom()).toMatchObject({ lastReadSeq: acks[1]!.seq, unreadCount: 2 });

    // Backwards is ignored.
    bobSocket.send({ type: 'read', roomId: room.id, seq: 1, ref: 'read2' });
    await bobSocket.next(anyAnswer('read2'), 'read2');
    expect(await bobRoom()).toMatchObject({ lastReadSeq: acks[1]!.seq, unreadCount: 2 });

    // A deleted message is no longer unread.
    adaSocket.send({ type: 'delete', messageId: acks[3]!.messageId, ref: 'del' });
    await adaSocket.next(anyAnswer('del'), 'del');
    expect(await bobRoom()).toMatchObject({ unreadCount: 1 });

    // Past the end of the log: clamped to the latest seq.
    bobSocket.send({ type: 'read', roomId: room.id, seq: 1_000_000, ref: 'read3' });
    await bobSocket.next(anyAnswer('read3'), 'read3');
    expect(await bobRoom()).toMatchObject({ lastReadSeq: await lastSeq(room.id), unreadCount: 0 });

    // The REST route does the same.
    const response = await api(t, 'POST', `/rooms/${room.id}/read`, bob.accessToken, { seq: 2 });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ lastReadSeq: await lastSeq(room.id) });

    // Not a member: an error, not a silent success.
    const other = await createRoom(t, ada.accessToken, 'private');
    bobSocket.send({ type: 'read', roomId: other.id, seq: 1, ref: 'read4' });
    expect(await bobSocket.next(anyAnswer('read4'), 'read4')).toMatchObject({ type: 'error', code: 'NOT_FOUND' });
  });

  it('resolves @username mentions to user ids, on send and on edit', async () => {
    const [ada, bob, carol] = [await signUp(t), await signUp(t), await signUp(t)];
    const room = await createRoom(t, ada.accessToken);
    await joinRoom(t, bob.accessToken, room.id);
    const socket = await open(ada.accessToken, { [room.id]: await lastSeq(room.id) });
    const ack = await sendMessage(
      socket,
      room.id,
      `hi @${bob.user.username}, @${bob.user.username.toUpperCase()} and @nobody_here_${randomUUID().slice(0, 6)}; mail@${carol.user.username} is no mention`,
    );
    const created = await socket.next(isEvent(room.id, ack.seq), 'created');
    expect(created).toMatchObject({ kind: 'message.created', data: { message: { mentions: [bob.user.id] } } });

    socket.send({
      type: 'edit',
      messageId: ack.messageId,
      body: `now @${carol.user.username}. and @${bob.user.username}`,
      ref: 'edit',
    });
    const done = await socket.next(anyAnswer('edit'), 'edit');
    expect(done).toMatchObject({ type: 'done' });
    const edited = await socket.next(isEventKind(room.id, 'message.edited'), 'edited');
    expect([...edited.data.mentions].sort()).toEqual([bob.user.id, carol.user.id].sort());
    const message = (await history(ada.accessToken, room.id)).messages.find((m) => m.id === ack.messageId)!;
    expect([...message.mentions].sort()).toEqual([bob.user.id, carol.user.id].sort());
  });

  it('accepts a reply within the room and refuses one to a message of another room', async () => {
    const ada = await signUp(t);
    const [room, elsewhere] = [await createRoom(t, ada.accessToken), await createRoom(t, ada.accessToken)];
    const socket = await open(ada.accessToken, { [room.id]: 1, [elsewhere.id]: 1 });
    const parent = await sendMessage(socket, room.id, 'parent');
    const foreign = await sendMessage(socket, elsewhere.id, 'foreign parent');

    const reply = await sendMessage(socket, room.id, 'reply', { replyTo: parent.messageId });
    const created = await socket.next(isEvent(room.id, reply.seq), 'reply event');
    expect(created).toMatchObject({ data: { message: { replyTo: parent.messageId } } });

    const before = await lastSeq(room.id);
    for (const replyTo of [foreign.messageId, randomUUID()]) {
      socket.frames.length = 0;
      socket.send({ type: 'send', roomId: room.id, clientId: randomUUID(), body: 'cross-room reply', replyTo });
      expect(await socket.next(isType('error'), 'error')).toMatchObject({ type: 'error', code: 'BAD_REQUEST' });
      expect(socket.frames.some(isType('ack'))).toBe(false);
    }
    expect(await lastSeq(room.id)).toBe(before);
  });
});

describe('membership', () => {
  it('starts the live stream with member.joined when a connected user joins a public room', async () => {
    const [ada, bob] = [await signUp(t), await signUp(t)];
    const room = await createRoom(t, ada.accessToken);
    const adaSocket = await open(ada.accessToken, { [room.id]: 1 });
    await sendMessage(adaSocket, room.id, 'before bob');
    const bobSocket = await open(bob.accessToken, {});

    await joinRoom(t, bob.accessToken, room.id);
    const joined = await bobSocket.next(isEventKind(room.id, 'member.joined'), 'member.joined');
    expect(joined).toMatchObject({
      seq: 3,
      actorId: bob.user.id,
      data: { userId: bob.user.id, username: bob.user.username, role: 'member' },
    });
    await adaSocket.next(isEvent(room.id, 3), 'ada sees bob join');
    await sendMessage(adaSocket, room.id, 'welcome bob');
    await bobSocket.next(isEvent(room.id, 4), 'live after join');
    expect(seqsOf(bobSocket, room.id)).toEqual([3, 4]);
    // Bob may write right away on the same connection.
    await sendMessage(bobSocket, room.id, 'thanks');
    await adaSocket.next(isEvent(room.id, 5), 'bob writes');
  });

  it('stops a removed member stream after member.left, and lets them back in on rejoining', async () => {
    const [ada, bob, carol] = [await signUp(t), await signUp(t), await signUp(t)];
    const room = await createRoom(t, ada.accessToken);
    await joinRoom(t, bob.accessToken, room.id);
    await joinRoom(t, carol.accessToken, room.id);
    const cursor = await lastSeq(room.id);
    const adaSocket = await open(ada.accessToken, { [room.id]: cursor });
    const bobSocket = await open(bob.accessToken, { [room.id]: cursor });
    const bobDevice = await open(bob.accessToken, { [room.id]: cursor });
    const carolSocket = await open(carol.accessToken, { [room.id]: cursor });

    // Only owners and moderators remove; a member cannot.
    const refused = await api(t, 'DELETE', `/rooms/${room.id}/members/${bob.user.id}`, carol.accessToken);
    expect(refused.statusCode).toBe(403);
    const removed = await api(t, 'DELETE', `/rooms/${room.id}/members/${bob.user.id}`, ada.accessToken);
    expect(removed.statusCode, removed.body).toBe(204);
    for (const socket of [bobSocket, bobDevice]) {
      const left = await socket.next(isEventKind(room.id, 'member.left'), 'member.left');
      expect(left).toMatchObject({
        seq: cursor + 1,
        actorId: ada.user.id,
        data: { userId: bob.user.id, reason: 'removed' },
      });
    }

    for (let i = 0; i < 5; i++) await sendMessage(adaSocket, room.id, `after removal ${i}`);
    carolSocket.send({ type: 'typing', roomId: room.id });
    await carolSocket.next(isEvent(room.id, cursor + 6), 'carol gets the rest');
    await adaSocket.next((f) => f.type === 'typing', 'typing reaches ada');
    await sleep(100);
    for (const socket of [bobSocket, bobDevice]) {
      expect(seqsOf(socket, room.id)).toEqual([cursor + 1]);
      expect(socket.frames.some((f) => f.type === 'typing')).toBe(false);
    }
    // No more writing, reading or fetching in it.
    bobSocket.send({ type: 'send', roomId: room.id, clientId: randomUUID(), body: 'still here?' });
    expect(await bobSocket.next(isType('error'), 'send refused')).toMatchObject({ code: 'FORBIDDEN' });
    bobSocket.send({ type: 'fetch', roomId: room.id, after: 0, ref: 'f' });
    expect(await bobSocket.next(anyAnswer('f'), 'fetch refused')).toMatchObject({ type: 'error', code: 'FORBIDDEN' });
    bobSocket.send({ type: 'typing', roomId: room.id });
    await eventually(() => expect(bobSocket.frames.filter(isType('error'))).toHaveLength(3));
    expect((await api(t, 'GET', `/rooms/${room.id}/messages`, bob.accessToken)).statusCode).toBe(403);
    expect(seqsOf(bobSocket, room.id)).toEqual([cursor + 1]);
    // A reconnect does not bring the room back either.
    const later = await connect(url, bob.accessToken, { [room.id]: cursor });
    sockets.push(later);
    expect(await later.next(isType('reset'), 'reset')).toMatchObject({ roomId: room.id, reason: 'not_member' });

    // Rejoining (a public room) resumes the live stream on the open connection.
    await joinRoom(t, bob.accessToken, room.id);
    await bobSocket.next(isEventKind(room.id, 'member.joined'), 'rejoined');
    await sendMessage(adaSocket, room.id, 'welcome back');
    await bobSocket.next(isEvent(room.id, cursor + 8), 'live after rejoin');
    expect(seqsOf(bobSocket, room.id)).toEqual([cursor + 1, cursor + 7, cursor + 8]);
  });

  it('stops the stream of a member who leaves', async () => {
    const [ada, bob] = [await signUp(t), await signUp(t)];
    const room = await createRoom(t, ada.accessToken);
    await joinRoom(t, bob.accessToken, room.id);
    const adaSocket = await open(ada.accessToken, { [room.id]: 2 });
    const bobSocket = await open(bob.accessToken, { [room.id]: 2 });
    const left = await api(t, 'POST', `/rooms/${room.id}/leave`, bob.accessToken);
    expect(left.statusCode, left.body).toBe(204);
    expect(await bobSocket.next(isEvent(room.id, 3), 'member.left')).toMatchObject({
      kind: 'member.left',
      data: { userId: bob.user.id, reason: 'left' },
    });
    await sendMessage(adaSocket, room.id, 'gone?');
    await adaSocket.next(isEvent(room.id, 4), 'ada 4');
    await sleep(100);
    expect(seqsOf(bobSocket, room.id)).toEqual([3]);
  });

  it('lets only owners and moderators invite to a private room, and streams it to the invitee at once', async () => {
    const [ada, bob, carol] = [await signUp(t), await signUp(t), await signUp(t)];
    const room = await createRoom(t, ada.accessToken, 'private');
    expect((await api(t, 'POST', `/rooms/${room.id}/join`, bob.accessToken)).statusCode).toBe(403);
    const bobSocket = await open(bob.accessToken, {});

    await invite(t, ada.accessToken, room.id, bob.user.id);
    expect(await bobSocket.next(isEvent(room.id, 2), 'member.joined')).toMatchObject({
      kind: 'member.joined',
      actorId: ada.user.id,
      data: { userId: bob.user.id, role: 'member' },
    });
    // A plain member of a private room cannot invite.
    const byMember = await api(t, 'POST', `/rooms/${room.id}/invites`, bob.accessToken, { userId: carol.user.id });
    expect(byMember.statusCode).toBe(403);
    // Inviting twice is harmless and appends nothing.
    await invite(t, ada.accessToken, room.id, bob.user.id);
    expect(await lastSeq(room.id)).toBe(2);
    await sendMessage(bobSocket, room.id, 'hello from the invitee');
    expect((await myRooms(t, bob.accessToken)).map((r) => r.id)).toContain(room.id);
  });

  it('opens one direct-message room per pair, whoever opens it and however often', async () => {
    const [ada, bob] = [await signUp(t), await signUp(t)];
    const adaSocket = await open(ada.accessToken, {});
    const bobSocket = await open(bob.accessToken, {});
    const first = await api(t, 'POST', '/dms', ada.accessToken, { userId: bob.user.id });
    expect(first.statusCode, first.body).toBe(200);
    const dm = first.json<Room>();
    expect(dm).toMatchObject({ kind: 'dm', memberCount: 2, dmPeer: { id: bob.user.id, username: bob.user.username } });
    const again = await api(t, 'POST', '/dms', ada.accessToken, { userId: bob.user.id });
    expect(again.json<Room>().id).toBe(dm.id);
    const fromBob = await api(t, 'POST', '/dms', bob.accessToken, { userId: ada.user.id });
    expect(fromBob.json<Room>()).toMatchObject({ id: dm.id, dmPeer: { id: ada.user.id } });
    expect((await api(t, 'POST', '/dms', ada.accessToken, { userId: ada.user.id })).statusCode).toBe(400);

    // Both connected users start following it.
    await adaSocket.next(isEvent(dm.id, 2), 'ada follows the dm');
    await bobSocket.next(isEvent(dm.id, 2), 'bob follows the dm');
    await sendMessage(adaSocket, dm.id, 'psst');
    await bobSocket.next(isEvent(dm.id, 3), 'bob gets the dm');
    expect((await api(t, 'POST', `/rooms/${dm.id}/leave`, bob.accessToken)).statusCode).toBe(400);
  });
});

describe('presence and typing', () => {
  it('tells room-mates when a user comes online and goes offline, and no one else', async () => {
    const [ada, bob, carol] = [await signUp(t), await signUp(t), await signUp(t)];
    const room = await createRoom(t, ada.accessToken);
    await joinRoom(t, bob.accessToken, room.id);
    const adaSocket = await open(ada.accessToken, { [room.id]: 2 });
    const carolSocket = await open(carol.accessToken, {});
    const presenceOf = (userId: string, status: 'online' | 'offline') => (f: ServerFrame) =>
      f.type === 'presence' && f.userId === userId && f.status === status;

    const bobSocket = await open(bob.accessToken, { [room.id]: 2 });
    await adaSocket.next(presenceOf(bob.user.id, 'online'), 'bob online');
    // The newcomer learns who is online already.
    await bobSocket.next(presenceOf(ada.user.id, 'online'), 'ada online, told to bob');

    // A second device changes nothing; closing one of two changes nothing.
    const bobDevice = await open(bob.accessToken, { [room.id]: 2 });
    bobDevice.close();
    await bobDevice.closed();
    await sleep(100);
    expect(adaSocket.frames.filter((f) => f.type === 'presence' && f.userId === bob.user.id)).toHaveLength(1);

    bobSocket.close();
    await adaSocket.next(presenceOf(bob.user.id, 'offline'), 'bob offline');
    await sleep(50);
    expect(carolSocket.frames.some((f) => f.type === 'presence')).toBe(false);
    expect(bobSocket.frames.some(presenceOf(bob.user.id, 'online'))).toBe(false);
  });

  it('passes typing notices to the other members only, without storing them', async () => {
    const [ada, bob, carol, eve] = [await signUp(t), await signUp(t), await signUp(t), await signUp(t)];
    const room = await createRoom(t, ada.accessToken);
    await joinRoom(t, bob.accessToken, room.id);
    await joinRoom(t, carol.accessToken, room.id);
    const cursor = await lastSeq(room.id);
    const adaSocket = await open(ada.accessToken, { [room.id]: cursor });
    const adaDevice = await open(ada.accessToken, { [room.id]: cursor });
    const bobSocket = await open(bob.accessToken, { [room.id]: cursor });
    const carolSocket = await open(carol.accessToken, { [room.id]: cursor });
    const eveSocket = await open(eve.accessToken, {});

    adaSocket.send({ type: 'typing', roomId: room.id });
    const notice = { type: 'typing', roomId: room.id, userId: ada.user.id };
    expect(await bobSocket.next(isType('typing'), 'bob typing')).toEqual(notice);
    expect(await carolSocket.next(isType('typing'), 'carol typing')).toEqual(notice);
    // Repeats within the interval are not passed on.
    adaSocket.send({ type: 'typing', roomId: room.id });
    await sleep(100);
    expect(bobSocket.frames.filter(isType('typing'))).toHaveLength(1);
    for (const socket of [adaSocket, adaDevice, eveSocket]) expect(socket.frames.some(isType('typing'))).toBe(false);
    expect(await lastSeq(room.id)).toBe(cursor);
    expect(eventsOf(bobSocket, room.id)).toEqual([]);

    eveSocket.send({ type: 'typing', roomId: room.id });
    expect(await eveSocket.next(isType('error'), 'eve refused')).toMatchObject({ code: 'FORBIDDEN' });
    await sleep(50);
    expect(bobSocket.frames.filter(isType('typing'))).toHaveLength(1);
  });
});

describe('token expiry on an open connection', () => {
  const FIFTEEN_MINUTES = 15 * 60 * 1000;

  async function appWithClock(): Promise<{ app: TestApp; clock: ManualClock; url: string }> {
    // Near the wall clock, so the database's own now() and the app's agree; on a whole second,
    // because token expiry is in whole seconds: the token then expires exactly 15 min after issue.
    const clock = new ManualClock(new Date(Math.floor(Date.now() / 1000) * 1000));
    const app = await createTestApp({ clock });
    await app.app.listen({ host: '127.0.0.1', port: 0 });
    return { app, clock, url: wsUrl(app) };
  }

  it('sends TOKEN_EXPIRED then closes with 4001 when the access token expires', async () => {
    const { app, clock, url: clockUrl } = await appWithClock();
    try {
      const ada = await signUp(app);
      const room = await createRoom(app, ada.accessToken);
      expect(Date.parse(ada.accessTokenExpiresAt) - clock.now().getTime()).toBe(FIFTEEN_MINUTES);
      clock.advance(FIFTEEN_MINUTES - 1_000);
      const socket = await connect(clockUrl, ada.accessToken, { [room.id]: 1 });
      const welcome = socket.frames.find(isType('welcome'))!;
      expect(welcome.expiresAt).toBe(ada.accessTokenExpiresAt);
      // A moment before expiry the connection still works (the ack comes back on it).
      clock.advance(999);
      expect((await sendMessage(socket, room.id, 'just in time')).seq).toBe(2);
      clock.advance(1);
      expect(await socket.closed(5_000)).toBe(4001);
      expect(socket.frames.at(-1)).toMatchObject({ type: 'error', code: 'TOKEN_EXPIRED' });
    } finally {
      await app.close();
    }
  });

  it('stays open when an auth frame brings a fresh token before expiry', async () => {
    const { app, clock, url: clockUrl } = await appWithClock();
    try {
      const ada = await signUp(app);
      const bob = await signUp(app);
      const room = await createRoom(app, ada.accessToken);
      expect(Date.parse(ada.accessTokenExpiresAt) - clock.now().getTime()).toBe(FIFTEEN_MINUTES);
      clock.advance(FIFTEEN_MINUTES - 1_000);
      const socket = await connect(clockUrl, ada.accessToken, { [room.id]: 1 });
      const refreshed = await app.app.inject({
        method: 'POST',
        url: '/api/v1/auth/refresh',
        payload: { refreshToken: ada.refreshToken },
      });
      expect(refreshed.statusCode, refreshed.body).toBe(200);
      const fresh = refreshed.json<AuthSession>();

      // Another user's token cannot take over the connection.
      socket.send({ type: 'auth', token: bob.accessToken, ref: 'other' });
      expect(await socket.next(anyAnswer('other'), 'other')).toMatchObject({ type: 'error', code: 'FORBIDDEN' });
      socket.send({ type: 'auth', token: 'garbage', ref: 'garbage' });
      expect(await socket.next(anyAnswer('garbage'), 'garbage')).toMatchObject({
        type: 'error',
        code: 'TOKEN_INVALID',
      });

      socket.send({ type: 'auth', token: fresh.accessToken, ref: 'renew' });
      expect(await socket.next(anyAnswer('renew'), 'renew')).toEqual({ type: 'done', ref: 'renew', seq: null });
      // Past the old token's expiry: the ack comes back on the same connection.
      clock.advance(1_500);
      const ack = await sendMessage(socket, room.id, 'still here');
      expect(ack.seq).toBe(2);
      expect(socket.closeCode).toBeUndefined();
      expect(socket.frames.some((f) => f.type === 'error' && f.code === 'TOKEN_EXPIRED')).toBe(false);
      socket.close();
    } finally {
      await app.close();
    }
  });
});

/** Delays the publishes a test picks, so the bus delivers events out of seq order (as NATS may). */
class ReorderingBus implements Bus {
  private readonly inner = new InProcessBus();
  hold: ((payload: unknown) => boolean) | undefined;
  publish<P extends string, S extends TSchema>(
    topic: Topic<P, S>,
    params: TopicParams<P>,
    payload: Static<S>,
  ): Promise<void> {
    if (!this.hold?.(payload)) return this.inner.publish(topic, params, payload);
    setTimeout(() => void this.inner.publish(topic, params, payload), 300);
    return Promise.resolve();
  }
  subscribe<P extends string, S extends TSchema>(
    topic: Topic<P, S>,
    handler: BusHandler<Static<S>>,
    only?: Partial<TopicParams<P>>,
  ): () => void {
    return this.inner.subscribe(topic, handler, only);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

describe('regressions', () => {
  const kind = (k: RoomEvent['kind']) => (payload: unknown) => roomEventsTopic.accepts(payload) && payload.kind === k;

  it('does not stream events after member.left to the removed member when the bus reorders', async () => {
    const bus = new ReorderingBus();
    const app = await createTestApp({ bus });
    try {
      await app.app.listen({ host: '127.0.0.1', port: 0 });
      const [ada, bob] = [await signUp(app), await signUp(app)];
      const room = await createRoom(app, ada.accessToken);
      await joinRoom(app, bob.accessToken, room.id);
      const adaSocket = await connectSynced(wsUrl(app), ada.accessToken, { [room.id]: 2 });
      const bobSocket = await connectSynced(wsUrl(app), bob.accessToken, { [room.id]: 2 });
      bus.hold = kind('member.left');
      expect((await api(app, 'DELETE', `/rooms/${room.id}/members/${bob.user.id}`, ada.accessToken)).statusCode).toBe(
        204,
      );
      await sendMessage(adaSocket, room.id, 'said after bob was removed');
      await sleep(700);
      // member.left is the last event bob may see, even when a later one overtook it on the bus.
      expect(seqsOf(bobSocket, room.id)).toEqual([3]);
      adaSocket.close();
      bobSocket.close();
    } finally {
      await app.close();
    }
  });

  it('streams the events that overtook member.joined to the new member when the bus reorders', async () => {
    const bus = new ReorderingBus();
    const app = await createTestApp({ bus });
    try {
      await app.app.listen({ host: '127.0.0.1', port: 0 });
      const [ada, bob] = [await signUp(app), await signUp(app)];
      const room = await createRoom(app, ada.accessToken);
      const adaSocket = await connectSynced(wsUrl(app), ada.accessToken, { [room.id]: 1 });
      const bobSocket = await connect(wsUrl(app), bob.accessToken, {});
      bus.hold = kind('member.joined');
      await joinRoom(app, bob.accessToken, room.id);
      await sendMessage(adaSocket, room.id, 'hi bob');
      await sleep(700);
      // The message that overtook member.joined is read back from the log.
      expect(seqsOf(bobSocket, room.id)).toEqual([2, 3]);
      adaSocket.close();
      bobSocket.close();
    } finally {
      await app.close();
    }
  });

  it('does not replay the body of a deleted message from the event log', async () => {
    const ada = await signUp(t);
    const room = await createRoom(t, ada.accessToken);
    const socket = await open(ada.accessToken, { [room.id]: 1 });
    const ack = await sendMessage(socket, room.id, 'my password is hunter2');
    socket.send({ type: 'edit', messageId: ack.messageId, body: 'my password is hunter3', ref: 'e' });
    await socket.next(anyAnswer('e'), 'edited');
    socket.send({ type: 'delete', messageId: ack.messageId, ref: 'd' });
    await socket.next(anyAnswer('d'), 'deleted');
    const device = await open(ada.accessToken, { [room.id]: 0 });
    // Deleting scrubs the text from message.created and message.edited in the log.
    expect(JSON.stringify(eventsOf(device, room.id))).not.toMatch(/hunter/);
  });

  it('ends the open connections of a session that logs out', async () => {
    const ada = await signUp(t);
    const room = await createRoom(t, ada.accessToken);
    const socket = await open(ada.accessToken, { [room.id]: 1 });
    const logout = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: bearer(ada.accessToken) });
    expect(logout.statusCode).toBe(204);
    expect((await api(t, 'GET', '/rooms', ada.accessToken)).statusCode).toBe(401);
    // Logging out ends the session's sockets at once, not when the access token expires.
    expect(await socket.closed(1_000)).toBe(4001);
  });
});
