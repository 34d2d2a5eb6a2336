import { randomUUID } from 'node:crypto';
import type { Message, RoomEvent } from '@veza/shared';
import { beforeEach, describe, expect, it } from 'vitest';
import { openCacheDatabase, type CacheDb } from '../../cache/database.js';
import { EventApplier } from './event-applier.js';
import { MessageStore } from './message-store.js';
import { MessageView } from './message-view.js';
import { OutboxStore } from './outbox-store.js';
import { RoomStore } from './room-store.js';
import { UsersStore } from './users-store.js';

const me = { id: randomUUID(), username: 'ada' };
const bob = randomUUID();
const roomId = randomUUID();
let db: CacheDb;
let applier: EventApplier;
let messages: MessageStore;
let rooms: RoomStore;
let outbox: OutboxStore;

const at = (seq: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString();

function message(seq: number, overrides: Partial<Message> = {}): Message {
  return {
    id: randomUUID(),
    roomId,
    seq,
    authorId: bob,
    authorUsername: 'bob',
    clientId: randomUUID(),
    body: `message ${seq}`,
    replyTo: null,
    mentions: [],
    createdAt: at(seq),
    editedAt: null,
    deletedAt: null,
    reactions: [],
    ...overrides,
  };
}

function created(m: Message): RoomEvent {
  return {
    type: 'event',
    roomId,
    seq: m.seq,
    kind: 'message.created',
    actorId: m.authorId,
    at: m.createdAt,
    data: { message: m },
  };
}

function edited(seq: number, messageId: string, body: string): RoomEvent {
  return {
    type: 'event',
    roomId,
    seq,
    kind: 'message.edited',
    actorId: bob,
    at: at(seq),
    data: { messageId, body, mentions: [], editedAt: at(seq) },
  };
}

const cursor = () => rooms.get(roomId)!.cursor;
const bodies = () =>
  messages
    .page(roomId, undefined, 100)
    .map((row) => row.body)
    .reverse();

beforeEach(() => {
  db = openCacheDatabase(':memory:');
  rooms = new RoomStore(db, me.id);
  messages = new MessageStore(db, me.id);
  outbox = new OutboxStore(db);
  rooms.upsertFromServer({
    id: roomId,
    kind: 'public',
    name: 'general',
    topic: null,
    createdAt: at(0),
    lastSeq: 0,
    memberCount: 2,
    myRole: 'member',
    lastReadSeq: 0,
    unreadCount: 0,
    dmPeer: null,
  });
  applier = new EventApplier(db, { rooms, messages, users: new UsersStore(db), outbox, meId: me.id });
});

describe('EventApplier', () => {
  it('applies in seq order, once: a repeated batch changes nothing', () => {
    const batch = [1, 2, 3].map((seq) => created(message(seq)));
    expect(applier.apply(batch).created).toHaveLength(3);
    expect(applier.apply(batch).created).toHaveLength(0);
    expect(bodies()).toEqual(['message 1', 'message 2', 'message 3']);
    expect(cursor()).toBe(3);
  });

  it('defers events past a gap instead of applying them', () => {
    const result = applier.apply([created(message(1)), created(message(3))]);
    expect(result.deferred.map((e) => e.seq)).toEqual([3]);
    expect(cursor()).toBe(1);
    applier.apply([created(message(2)), ...result.deferred]);
    expect(cursor()).toBe(3);
  });

  it('never lets an older REST snapshot undo a newer event', () => {
    const original = message(1);
    applier.apply([created(original), edited(2, original.id, 'edited at 2')]);
    // A history page read "as of seq 1" arrives late.
    messages.put(original, 1);
    expect(bodies()).toEqual(['edited at 2']);
    // One read as of seq 5 wins.
    messages.put({ ...original, body: 'as of 5', editedAt: at(5) }, 5);
    expect(bodies()).toEqual(['as of 5']);
  });

  it('takes my own message out of the outbox when its event comes before the ack', () => {
    const clientId = randomUUID();
    outbox.add('send', roomId, { roomId, clientId, body: 'mine' }, clientId);
    applier.apply([created(message(1, { authorId: me.id, authorUsername: me.username, clientId, body: 'mine' }))]);
    expect(outbox.get(clientId)).toBeUndefined();
    const view = new MessageView(messages, me);
    expect(view.build(messages.page(roomId, undefined, 10))).toMatchObject([
      { body: 'mine', delivery: 'sent', clientId },
    ]);
  });

  it('drops the room with the event that removes me, and ignores what follows', () => {
    const result = applier.apply([
      created(message(1)),
      {
        type: 'event',
        roomId,
        seq: 2,
        kind: 'member.left',
        actorId: bob,
        at: at(2),
        data: { userId: me.id, reason: 'removed' },
      },
      created(message(3)),
    ]);
    expect(result.left).toEqual([roomId]);
    expect(rooms.get(roomId)).toBeUndefined();
    expect(db.prepare('SELECT count(*) AS n FROM messages').get()).toEqual({ n: 0 });
  });

  it('asks nothing of the server for a room I already left when my own leave comes back', () => {
    rooms.remove(roomId); // leaveRoom drops the room at once; the server's event follows
    const result = applier.apply([
      {
        type: 'event',
        roomId,
        seq: 9,
        kind: 'member.left',
        actorId: me.id,
        at: at(9),
        data: { userId: me.id, reason: 'left' },
      },
    ]);
    expect(result.left).toEqual([roomId]);
    expect(result.discovered).toEqual([]);
    expect(rooms.get(roomId)).toBeUndefined();
  });
});
