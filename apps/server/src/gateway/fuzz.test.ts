import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_FRAME_TYPES, CLOSE_CODES, PROTOCOL_VERSION, type ServerFrame } from '@veza/shared';
import { createLogger } from '../infra/logger.js';
import { createTestApp, signUp, type TestApp } from '../test-support/app.js';
import {
  connect,
  connectSynced,
  createRoom,
  eventsOf,
  isEvent,
  isType,
  joinRoom,
  sendMessage,
  wsUrl,
} from '../test-support/chat.js';
import { TestSocket } from '../test-support/ws-client.js';
import { DEFAULT_SEND_LIMITS } from './send-limiter.js';

/*
 * Thousands of random frames thrown at the gateway: arbitrary JSON, valid frames with one thing
 * broken, random text and bytes. Whatever comes in, the connection that sent it stays usable,
 * every other client is unaffected, and the server logs no error (an error-level line is a
 * frame the server failed to handle, not one it refused).
 *
 * VEZA_FUZZ_SEED replays a run; fast-check prints the seed and the smallest failing batch.
 */

interface LogLine {
  level: number;
  msg?: string;
  err?: { message?: string };
}
const logLines: LogLine[] = [];
const ERROR_LEVEL = 50;
const errorLines = (from = 0): LogLine[] => logLines.slice(from).filter((line) => line.level >= ERROR_LEVEL);

let t: TestApp;
let url: string;
const ids = {
  room: '',
  otherRoom: '',
  foreignRoom: '',
  messages: [] as string[],
  foreignMessage: '',
  token: '',
  otherUserToken: '',
  userIds: [] as string[],
};
beforeAll(async () => {
  t = await createTestApp({
    logger: createLogger('warn', { write: (line: string) => void logLines.push(JSON.parse(line) as LogLine) }),
    // The limiter would mute the fuzzer after a few valid writes; those must reach the database.
    limits: { chatSends: { ...DEFAULT_SEND_LIMITS, capacity: 1_000_000, refillPerSecond: 1_000_000 } },
  });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  url = wsUrl(t);
  const [fuzzer, other, stranger] = [await signUp(t), await signUp(t), await signUp(t)];
  ids.token = fuzzer.accessToken;
  ids.otherUserToken = other.accessToken;
  ids.userIds = [fuzzer.user.id, other.user.id, stranger.user.id];
  ids.room = (await createRoom(t, fuzzer.accessToken)).id;
  ids.otherRoom = (await createRoom(t, fuzzer.accessToken, 'private')).id;
  ids.foreignRoom = (await createRoom(t, stranger.accessToken, 'private')).id;
  await joinRoom(t, other.accessToken, ids.room);
  const socket = await connectSynced(url, fuzzer.accessToken, { [ids.room]: 0 });
  for (const body of [`hello @${other.user.username}`, 'second', 'third'])
    ids.messages.push((await sendMessage(socket, ids.room, body)).messageId);
  const otherRoomSocket = await connectSynced(url, fuzzer.accessToken, { [ids.otherRoom]: 0 });
  ids.messages.push((await sendMessage(otherRoomSocket, ids.otherRoom, 'elsewhere')).messageId);
  otherRoomSocket.close();
  const strangerSocket = await connectSynced(url, stranger.accessToken, { [ids.foreignRoom]: 0 });
  ids.foreignMessage = (await sendMessage(strangerSocket, ids.foreignRoom, 'mine')).messageId;
  socket.close();
  strangerSocket.close();
});
afterAll(async () => {
  await t.close();
});

// ── arbitraries ───────────────────────────────────────────────────────────────

/** Mostly ids that exist (so frames reach the database), sometimes ones that do not or are not ids. */
const idFrom = (known: () => string[]): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...known()) },
    { weight: 1, arbitrary: fc.constantFrom(ids.foreignRoom, ids.foreignMessage, ...ids.userIds) },
    { weight: 1, arbitrary: fc.uuid() },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
    // Spellings a uuid format check may accept and PostgreSQL may not, or the other way round.
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(...known())
        .chain((id) =>
          fc.constantFrom(`urn:uuid:${id}`, id.toUpperCase(), `{${id}}`, id.replaceAll('-', ''), ` ${id}`),
        ),
    },
  );
const roomId = (): fc.Arbitrary<string> => idFrom(() => [ids.room, ids.otherRoom]);
const messageId = (): fc.Arbitrary<string> => idFrom(() => ids.messages);
const anyId = (): fc.Arbitrary<string> => idFrom(() => [ids.room, ids.otherRoom, ...ids.messages]);
const text = (): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ minLength: 1, maxLength: 50 }),
    fc.string({ minLength: 1, maxLength: 50, unit: 'grapheme' }),
    fc.string({ minLength: 1, maxLength: 50, unit: 'binary' }),
    fc.constantFrom(' ', '\n\t', '@', `@${'a'.repeat(40)}`, '**bold** `code` [l](javascript:alert(1))', '👍', '🇫🇷'),
    fc.integer({ min: 3_990, max: 4_010 }).map((n) => 'y'.repeat(n)),
    fc.string({ unit: fc.constantFrom('@', 'a', 'b', '.', '-', '_', ' '), maxLength: 200 }),
    // Characters that trip databases, JSON encoders and terminals.
    fc.string({
      unit: fc.constantFrom(
        'a',
        '\u0000',
        '\ud800',
        '\udfff',
        '\ud83d\ude00',
        '\u202e',
        '\ufeff',
        '\uffff',
        '\\',
        '"',
        "'",
        '%',
      ),
      minLength: 1,
      maxLength: 20,
    }),
  );
const seq = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.nat({ max: 20 }),
    fc.constantFrom(0, -1, 1.5, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, 1e308, '3', null),
    fc.integer(),
  );
const ref = (): fc.Arbitrary<string | undefined> =>
  fc.option(fc.string({ minLength: 1, maxLength: 70 }), { nil: undefined });
const token = (): fc.Arbitrary<string> =>
  fc.oneof(fc.constantFrom(ids.token, ids.otherUserToken, `${ids.token}x`, ids.token.slice(0, -2)), fc.string());

/** Frames that follow the schema (or nearly: values come from pools that include wrong ones). */
const validish = (): fc.Arbitrary<Record<string, unknown>> =>
  fc.oneof(
    fc.record({
      type: fc.constant('hello'),
      protocol: fc.constantFrom(PROTOCOL_VERSION, 0, 2),
      token: token(),
      cursors: fc.dictionary(anyId(), seq(), { maxKeys: 4 }),
    }),
    fc.record({ type: fc.constant('auth'), token: token(), ref: ref() }, { requiredKeys: ['type', 'token'] }),
    fc.record(
      {
        type: fc.constant('send'),
        roomId: roomId(),
        clientId: fc.oneof(fc.uuid(), fc.constant('6e5b3c1e-0000-4000-8000-000000000001')),
        body: text(),
        replyTo: messageId(),
      },
      { requiredKeys: ['type', 'roomId', 'clientId', 'body'] },
    ),
    fc.record(
      { type: fc.constant('edit'), messageId: messageId(), body: text(), ref: ref() },
      { requiredKeys: ['type', 'messageId', 'body'] },
    ),
    fc.record(
      { type: fc.constant('delete'), messageId: messageId(), ref: ref() },
      { requiredKeys: ['type', 'messageId'] },
    ),
    fc.record(
      {
        type: fc.constant('react'),
        messageId: messageId(),
        emoji: fc.oneof(fc.constantFrom('👍', '🎉', ':)', 'x'), text()),
        op: fc.constantFrom('add', 'remove', 'toggle'),
        ref: ref(),
      },
      { requiredKeys: ['type', 'messageId', 'emoji', 'op'] },
    ),
    fc.record(
      { type: fc.constant('read'), roomId: roomId(), seq: seq(), ref: ref() },
      { requiredKeys: ['type', 'roomId', 'seq'] },
    ),
    fc.record({ type: fc.constant('typing'), roomId: roomId() }),
    fc.record(
      { type: fc.constant('fetch'), roomId: roomId(), after: seq(), limit: seq(), ref: ref() },
      { requiredKeys: ['type', 'roomId', 'after'] },
    ),
  );

/** A valid-looking frame with one thing broken. */
const mutated = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    validish().chain((frame) =>
      fc.constantFrom(...Object.keys(frame)).map((key) => {
        const { [key]: _dropped, ...rest } = frame;
        return rest;
      }),
    ),
    fc.tuple(validish(), fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 })).map(([frame, key, value]) => ({
      ...frame,
      [key]: value,
    })),
    fc
      .tuple(validish(), fc.jsonValue({ maxDepth: 2 }))
      .chain(([frame, value]) => fc.constantFrom(...Object.keys(frame)).map((key) => ({ ...frame, [key]: value }))),
    fc.tuple(validish(), fc.constantFrom(...CLIENT_FRAME_TYPES, 'event', 'ack', '', 'HELLO')).map(([frame, type]) => ({
      ...frame,
      type,
    })),
    validish().map((frame) => [frame]),
    validish().map((frame) => ({ frame })),
  );

type Wire = { kind: 'text'; data: string } | { kind: 'binary'; data: Uint8Array };

const wire = (): fc.Arbitrary<Wire> =>
  fc.oneof(
    { weight: 3, arbitrary: validish().map((f): Wire => ({ kind: 'text', data: JSON.stringify(f) })) },
    { weight: 4, arbitrary: mutated().map((f): Wire => ({ kind: 'text', data: JSON.stringify(f) })) },
    { weight: 2, arbitrary: fc.jsonValue().map((v): Wire => ({ kind: 'text', data: JSON.stringify(v) })) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(validish(), fc.nat(), fc.string({ maxLength: 3, unit: 'binary' }))
        .map(([frame, at, insert]): Wire => {
          const json = JSON.stringify(frame);
          const cut = at % (json.length + 1);
          return { kind: 'text', data: json.slice(0, cut) + insert + json.slice(cut + 1) };
        }),
    },
    {
      weight: 1,
      arbitrary: fc.string({ maxLength: 200, unit: 'binary' }).map((s): Wire => ({ kind: 'text', data: s })),
    },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((b): Wire => ({ kind: 'binary', data: b })) },
  );

const sendWire = (socket: TestSocket, w: Wire): void =>
  socket.sendRaw(w.kind === 'text' ? w.data : Buffer.from(w.data));

const seed = process.env.VEZA_FUZZ_SEED ? Number(process.env.VEZA_FUZZ_SEED) : undefined;

// ── properties ────────────────────────────────────────────────────────────────

describe('gateway fuzzing', () => {
  it('keeps authenticated connections usable and the server error-free under thousands of random frames', async () => {
    const bystander = await connectSynced(url, ids.otherUserToken, { [ids.room]: 2 });
    const fuzzers = [
      await connect(url, ids.token, { [ids.room]: 0 }),
      await connect(url, ids.token, {}),
      await connect(url, ids.token, { [ids.otherRoom]: 0 }),
    ];
    let framesSent = 0;
    let probe = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(wire(), { minLength: 1, maxLength: 40, size: 'max' }),
        fc.nat(),
        async (batch, pick) => {
          const socket = fuzzers[pick % fuzzers.length]!;
          const start = socket.frames.length;
          for (const w of batch) sendWire(socket, w);
          framesSent += batch.length;
          // Frames are handled in order: once the probe is answered, the batch has been handled.
          const probeRef = `probe-${(probe += 1)}`;
          socket.send({ type: 'read', roomId: ids.room, seq: 0, ref: probeRef });
          await socket.next((f) => f.type === 'done' && f.ref === probeRef, probeRef, 10_000);
          expect(socket.closeCode).toBeUndefined();
          const internal = socket.frames.slice(start).filter((f) => f.type === 'error' && f.code === 'INTERNAL_ERROR');
          expect(internal).toEqual([]);
          expect(errorLines()).toEqual([]);
        },
      ),
      { numRuns: 300, seed, endOnFailure: false },
    );
    expect(framesSent).toBeGreaterThan(2_000);

    // The well-behaved client saw every event of the room, in order, exactly once.
    const { rows } = await t.database.db.query<{ last_seq: string }>('SELECT last_seq FROM rooms WHERE id = $1', [
      ids.room,
    ]);
    const last = Number(rows[0]!.last_seq);
    const ack = await sendMessage(bystander, ids.room, 'still here');
    expect(ack.seq).toBe(last + 1);
    await bystander.next(isEvent(ids.room, ack.seq), 'own message back');
    const seqs = eventsOf(bystander, ids.room).map((e) => e.seq);
    expect(seqs).toEqual(Array.from({ length: ack.seq - 2 }, (_, i) => 3 + i));
    // A newcomer replays the fuzzed log without trouble.
    const replayer = await connectSynced(url, ids.otherUserToken, { [ids.room]: 0 });
    expect(eventsOf(replayer, ids.room).map((e) => e.seq)).toEqual(Array.from({ length: ack.seq }, (_, i) => 1 + i));
    for (const socket of [bystander, replayer, ...fuzzers]) socket.close();

    const health = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(health.statusCode).toBe(200);
    expect(errorLines()).toEqual([]);
  });

  it('closes a connection whose first frame is random, with a protocol close code, and nothing else', async () => {
    await fc.assert(
      fc.asyncProperty(wire(), async (w) => {
        const socket = await TestSocket.open(url);
        sendWire(socket, w);
        const outcome = await Promise.race([
          socket.closed(5_000).then((code) => ({ code })),
          socket.next(isType('welcome'), 'welcome').then(() => ({ code: 0 })),
        ]);
        // A mutation may leave a valid hello: then it is a working connection.
        if (outcome.code === 0) {
          socket.send({ type: 'read', roomId: ids.room, seq: 0, ref: 'first' });
          await socket.next((f: ServerFrame) => f.type === 'done' || f.type === 'error', 'answer');
          socket.close();
          return;
        }
        expect([CLOSE_CODES.PROTOCOL_ERROR, CLOSE_CODES.UNAUTHORIZED, CLOSE_CODES.UNSUPPORTED_PROTOCOL]).toContain(
          outcome.code,
        );
        const errors = socket.frames.filter((f) => f.type === 'error');
        expect(errors).toHaveLength(1);
        expect(errors[0]).not.toMatchObject({ code: 'INTERNAL_ERROR' });
      }),
      { numRuns: 300, seed, endOnFailure: false },
    );
    expect(errorLines()).toEqual([]);
  });
});

// Found by this fuzzer (each was an INTERNAL_ERROR from PostgreSQL); kept as plain regressions.
describe('text and ids PostgreSQL cannot take', () => {
  const outcomeOf = async (frame: Record<string, unknown>): Promise<ServerFrame> => {
    const socket = await connectSynced(url, ids.token, { [ids.room]: 0 });
    try {
      socket.send(frame);
      return await socket.next((f) => f.type === 'ack' || f.type === 'error' || f.type === 'done', 'answer');
    } finally {
      socket.close();
    }
  };
  const refusedOrStored = (answer: ServerFrame): void => {
    const outcome = answer.type === 'error' ? `error ${answer.code}` : answer.type;
    expect(['ack', 'done', 'error BAD_FRAME']).toContain(outcome);
  };

  it('a message body with U+0000 is refused as BAD_FRAME, not an INTERNAL_ERROR', async () => {
    refusedOrStored(await outcomeOf({ type: 'send', roomId: ids.room, clientId: randomUUID(), body: 'a\u0000b' }));
  });

  it('a message body with a lone surrogate is stored or refused, not an INTERNAL_ERROR', async () => {
    refusedOrStored(await outcomeOf({ type: 'send', roomId: ids.room, clientId: randomUUID(), body: 'a\ud800b' }));
  });

  it('a reaction emoji with U+0000 is refused, not an INTERNAL_ERROR', async () => {
    refusedOrStored(
      await outcomeOf({ type: 'react', messageId: ids.messages[1]!, emoji: '\u0000', op: 'add', ref: 'r' }),
    );
  });

  it('an urn:uuid: room id is refused as BAD_FRAME, not an INTERNAL_ERROR', async () => {
    refusedOrStored(
      await outcomeOf({ type: 'send', roomId: `urn:uuid:${ids.room}`, clientId: randomUUID(), body: 'urn' }),
    );
  });
});
