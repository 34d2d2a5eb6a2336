import { afterAll, describe, expect, it } from 'vitest';
import type { ServerFrame } from '@veza/shared';
import type { AppLimits } from '../../app.js';
import { ManualClock } from '../../infra/clock.js';
import { createTestApp, signUp, type TestApp } from '../../test-support/app.js';
import { randomUUID } from 'node:crypto';
import { api, connect, createRoom, myRooms, sendMessage, wsUrl } from '../../test-support/chat.js';
import type { TestSocket } from '../../test-support/ws-client.js';
import { DEFAULT_SEND_LIMITS } from '../../gateway/index.js';
import { DEFAULT_READ_LIMITS } from './read-throttle.js';

/*
 * Security finding 3: read markers cost the database nothing when they do not move, and a client
 * cannot make them move (or try to) as fast as it can send frames. Writes are counted by a
 * trigger on the members table, so the count is exact and known as soon as a statement commits.
 */

const apps: TestApp[] = [];
const sockets: TestSocket[] = [];
afterAll(async () => {
  for (const socket of sockets) socket.ws.terminate();
  for (const t of apps) await t.close();
});

async function startApp(limits: Partial<AppLimits>, clock?: ManualClock): Promise<TestApp> {
  const t = await createTestApp({
    ...(clock ? { clock } : {}),
    audioTools: null,
    limits: { chatSends: { ...DEFAULT_SEND_LIMITS, capacity: 10_000, refillPerSecond: 10_000 }, ...limits },
  });
  apps.push(t);
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  await t.database.db.query(`
    CREATE TABLE read_marker_writes (n bigint NOT NULL);
    INSERT INTO read_marker_writes VALUES (0);
    CREATE FUNCTION count_read_marker_write() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN UPDATE read_marker_writes SET n = n + 1; RETURN NEW; END $$;
    CREATE TRIGGER count_read_marker_writes AFTER UPDATE OF last_read_seq ON room_members
      FOR EACH ROW EXECUTE FUNCTION count_read_marker_write();`);
  return t;
}

async function markerWrites(t: TestApp): Promise<number> {
  const { rows } = await t.database.db.query<{ n: string }>('SELECT n FROM read_marker_writes');
  return Number(rows[0]!.n);
}

/** A user in a room of `messages` messages, with a socket (no room followed). */
async function reader(t: TestApp, messages: number) {
  const user = await signUp(t);
  const room = await createRoom(t, user.accessToken);
  const socket = await connect(wsUrl(t), user.accessToken, {});
  sockets.push(socket);
  let seq = 1;
  for (let i = 0; i < messages; i++) seq = (await sendMessage(socket, room.id, `message ${i}`)).seq;
  return { user, room, socket, lastSeq: seq };
}

/**
 * Sends read frames in batches (the server handles at most 256 waiting frames per socket) and
 * returns every answer, in order.
 */
async function sendReads(socket: TestSocket, roomId: string, seqs: number[]): Promise<ServerFrame[]> {
  const answers: ServerFrame[] = [];
  for (let start = 0; start < seqs.length; start += 100) {
    const batch = seqs.slice(start, start + 100).map((seq, i) => ({ seq, ref: `read-${start + i}` }));
    for (const { seq, ref } of batch) socket.send({ type: 'read', roomId, seq, ref });
    for (const { ref } of batch)
      answers.push(
        await socket.next((f) => (f.type === 'done' || f.type === 'error') && 'ref' in f && f.ref === ref, ref),
      );
  }
  return answers;
}

const GENEROUS = { capacity: 100_000, refillPerSecond: 100_000 };
const GENEROUS_READS: Partial<AppLimits> = { chatReads: { perRoom: GENEROUS, perUser: GENEROUS } };

describe('a read marker that does not move', () => {
  it('writes nothing: 2000 identical read frames are one write', async () => {
    const t = await startApp(GENEROUS_READS);
    const { room, socket, lastSeq } = await reader(t, 2);
    const before = await markerWrites(t);

    const answers = await sendReads(socket, room.id, Array(2000).fill(lastSeq));

    expect(answers.every((f) => f.type === 'done')).toBe(true);
    expect((await markerWrites(t)) - before).toBe(1);
  });

  it('writes nothing through POST /rooms/:id/read either, and still answers with the marker', async () => {
    const t = await startApp(GENEROUS_READS);
    const { user, room, lastSeq } = await reader(t, 2);
    const before = await markerWrites(t);
    for (let i = 0; i < 50; i++) {
      const response = await api(t, 'POST', `/rooms/${room.id}/read`, user.accessToken, { seq: lastSeq });
      expect(response.json()).toEqual({ lastReadSeq: lastSeq });
    }
    // Backwards is no move either.
    const back = await api(t, 'POST', `/rooms/${room.id}/read`, user.accessToken, { seq: 1 });
    expect(back.json()).toEqual({ lastReadSeq: lastSeq });
    expect((await markerWrites(t)) - before).toBe(1);
  });
});

describe('read frames and requests past the budget', () => {
  it(`get RATE_LIMITED and write nothing (${DEFAULT_READ_LIMITS.perRoom.capacity} at once by default, per room)`, async () => {
    const clock = new ManualClock();
    const t = await startApp({ chatReads: DEFAULT_READ_LIMITS }, clock);
    const { user, room, socket, lastSeq } = await reader(t, 30);
    const before = await markerWrites(t);
    const { capacity } = DEFAULT_READ_LIMITS.perRoom;

    // Each read moves the marker by one: every accepted one is a write.
    const answers = await sendReads(
      socket,
      room.id,
      Array.from({ length: capacity + 5 }, (_, i) => lastSeq - 25 + i),
    );
    expect(answers.slice(0, capacity).every((f) => f.type === 'done')).toBe(true);
    for (const refused of answers.slice(capacity))
      expect(refused).toMatchObject({ type: 'error', code: 'RATE_LIMITED', message: expect.stringMatching(/\d+ s/) });
    expect((await markerWrites(t)) - before).toBe(capacity);
    expect((await myRooms(t, user.accessToken))[0]!.lastReadSeq).toBe(lastSeq - 25 + capacity - 1);

    // The same budget covers the REST route: refused with 429 and Retry-After, nothing written.
    const refused = await api(t, 'POST', `/rooms/${room.id}/read`, user.accessToken, { seq: lastSeq });
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect((await markerWrites(t)) - before).toBe(capacity);

    // Another room has its own budget; this one refills with time.
    const other = await createRoom(t, user.accessToken);
    socket.frames.length = 0;
    expect(await sendReads(socket, other.id, [1])).toMatchObject([{ type: 'done' }]);
    clock.advance(60_000);
    // Refs start again at read-0: the answers to the first reads must not stand in for this one.
    socket.frames.length = 0;
    expect(await sendReads(socket, room.id, [lastSeq])).toMatchObject([{ type: 'done' }]);
    expect((await myRooms(t, user.accessToken)).find((r) => r.id === room.id)!.lastReadSeq).toBe(lastSeq);
  });
});

describe('read frames for ever new rooms', () => {
  it(`are bounded per user across rooms (${DEFAULT_READ_LIMITS.perUser.capacity} at once by default), socket and REST together`, async () => {
    const clock = new ManualClock();
    const t = await startApp({ chatReads: DEFAULT_READ_LIMITS }, clock);
    const { user, room, socket, lastSeq } = await reader(t, 2);
    const { capacity } = DEFAULT_READ_LIMITS.perUser;
    // Every statement the app sends to the database from here on is counted.
    const { db } = t.database;
    const query = db.query;
    let statements = 0;
    db.query = ((...args: Parameters<typeof query>) => {
      statements += 1;
      return query(...args);
    }) as typeof query;

    // Each made-up room id would open a fresh per-room budget: 2000 of them, as fast as allowed.
    const answers: ServerFrame[] = [];
    for (let start = 0; start < 2000; start += 100) {
      const refs = Array.from({ length: 100 }, (_, i) => `read-${start + i}`);
      for (const ref of refs) socket.send({ type: 'read', roomId: randomUUID(), seq: lastSeq, ref });
      for (const ref of refs)
        answers.push(
          await socket.next((f) => (f.type === 'done' || f.type === 'error') && 'ref' in f && f.ref === ref, ref),
        );
    }
    db.query = query;

    const codes = answers.map((f) => (f.type === 'error' ? f.code : f.type));
    expect(codes.filter((code) => code === 'NOT_FOUND')).toHaveLength(capacity);
    expect(codes.filter((code) => code === 'RATE_LIMITED')).toHaveLength(2000 - capacity);
    expect(answers.at(-1)).toMatchObject({
      message: expect.stringMatching(/^Marking rooms read too often: try again in \d+ s\.$/),
    });
    expect(statements).toBeLessThanOrEqual(capacity);
    expect(socket.closeCode).toBeUndefined();

    // The REST route draws on the same budget, even for a real room with a budget of its own.
    const refused = await api(t, 'POST', `/rooms/${room.id}/read`, user.accessToken, { seq: lastSeq });
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    clock.advance(1_000);
    const later = await api(t, 'POST', `/rooms/${room.id}/read`, user.accessToken, { seq: lastSeq });
    expect(later.json()).toEqual({ lastReadSeq: lastSeq });
  });
});
