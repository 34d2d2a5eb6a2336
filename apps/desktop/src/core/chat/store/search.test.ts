import { randomUUID } from 'node:crypto';
import type { RoomEvent } from '@veza/shared';
import { beforeEach, describe, expect, it } from 'vitest';
import { openCacheDatabase, type CacheDb } from '../../cache/database.js';
import { EventApplier } from './event-applier.js';
import { toFtsQuery } from './fts-query.js';
import { MessageStore } from './message-store.js';
import { OutboxStore } from './outbox-store.js';
import { RoomStore } from './room-store.js';
import { SearchStore, SNIPPET_CLOSE, SNIPPET_OPEN } from './search-store.js';
import { UsersStore } from './users-store.js';

const me = randomUUID();
const bob = randomUUID();
let db: CacheDb;
let search: SearchStore;
let applier: EventApplier;
const roomId = randomUUID();
const otherRoomId = randomUUID();
const ids: string[] = [];

function created(room: string, seq: number, body: string): RoomEvent {
  const id = randomUUID();
  ids.push(id);
  const at = new Date(Date.UTC(2026, 0, 1, 0, seq)).toISOString();
  return {
    type: 'event',
    roomId: room,
    seq,
    kind: 'message.created',
    actorId: bob,
    at,
    data: {
      message: {
        id,
        roomId: room,
        seq,
        authorId: bob,
        authorUsername: 'bob',
        clientId: randomUUID(),
        body,
        replyTo: null,
        mentions: [],
        createdAt: at,
        editedAt: null,
        deletedAt: null,
        reactions: [],
      },
    },
  };
}

const BODIES = [
  'The café on Rue de Rivoli serves crème brûlée',
  'Meet me NEAR the station AND bring "quotes"',
  'naïve résumé with Ångström units',
  'column:filter ^start and wild* cards OR NOT operators',
  'Привет, как дела? Москва',
  '東京 is in Japan',
  'deleted later: secret plans',
];

beforeEach(() => {
  db = openCacheDatabase(':memory:');
  ids.length = 0;
  const rooms = new RoomStore(db, me);
  const messages = new MessageStore(db, me);
  for (const id of [roomId, otherRoomId]) {
    rooms.upsertFromServer({
      id,
      kind: 'public',
      name: id === roomId ? 'general' : 'other',
      topic: null,
      createdAt: new Date().toISOString(),
      lastSeq: 0,
      memberCount: 2,
      myRole: 'member',
      lastReadSeq: 0,
      unreadCount: 0,
      dmPeer: null,
    });
  }
  applier = new EventApplier(db, { rooms, messages, users: new UsersStore(db), outbox: new OutboxStore(db), meId: me });
  applier.apply(BODIES.map((body, index) => created(roomId, index + 1, body)));
  applier.apply([created(otherRoomId, 1, 'café in the other room')]);
  search = new SearchStore(db);
});

const bodiesOf = (query: string, roomFilter?: string) =>
  search.search(query, { limit: 20, ...(roomFilter ? { roomId: roomFilter } : {}) }).map((row) => row.body);

describe('FTS query sanitising', () => {
  it('turns words into quoted prefix terms and drops every operator character', () => {
    expect(toFtsQuery('hello world')).toBe('"hello"* "world"*');
    expect(toFtsQuery('"unterminated AND (x OR y) NOT z NEAR/3 a* ^b col:c')).toBe(
      '"unterminated"* "and"* "x" "or" "y" "not"* "z" "near"* "3" "a" "b" "col"*',
    );
    // At most 12 terms: the 13th word ("c") is dropped.
    expect(toFtsQuery('   "" ** ^^ :: () - + ')).toBeNull();
    expect(toFtsQuery('')).toBeNull();
  });
});

describe('message search', () => {
  it('matches prefixes, ignoring case and accents both ways', () => {
    expect(bodiesOf('cafe')).toEqual(['café in the other room', BODIES[0]]);
    expect(bodiesOf('CRÈME brul')).toEqual([BODIES[0]]);
    expect(bodiesOf('naive resume angstrom')).toEqual([BODIES[2]]);
    expect(bodiesOf('Ангстрем')).toEqual([]);
    expect(bodiesOf('моск')).toEqual([BODIES[4]]);
    expect(bodiesOf('東京')).toEqual([BODIES[5]]);
  });

  it('treats quotes, operators and syntax as plain words, never throwing', () => {
    expect(bodiesOf('"quotes"')).toEqual([BODIES[1]]);
    expect(bodiesOf('NEAR station')).toEqual([BODIES[1]]);
    // Newest first.
    expect(bodiesOf('AND')).toEqual([BODIES[3], BODIES[1]]);
    expect(bodiesOf('OR NOT')).toEqual([BODIES[3]]);
    expect(bodiesOf('column:filter')).toEqual([BODIES[3]]);
    expect(bodiesOf('^start')).toEqual([BODIES[3]]);
    expect(bodiesOf('wild*')).toEqual([BODIES[3]]);
    // Short words match whole, longer ones as prefixes.
    expect(bodiesOf('me')).toEqual([BODIES[1]]);
    expect(bodiesOf('sta')).toEqual([BODIES[3], BODIES[1]]);
    for (const hostile of [
      '"',
      '(((',
      'a OR',
      'NOT',
      '*',
      '^',
      ':',
      'NEAR(',
      '"a" "b',
      '\u0000',
      '\uD800',
      '💥'.repeat(500),
    ]) {
      expect(() => search.search(hostile, { limit: 5 })).not.toThrow();
    }
    expect(bodiesOf('"" ** ::')).toEqual([]);
  });

  it('returns snippets with private-use markers and filters by room', () => {
    const [hit] = search.search('brulee', { limit: 5 });
    expect(hit!.snippet).toContain(`${SNIPPET_OPEN}brûlée${SNIPPET_CLOSE}`);
    expect(hit!.name).toBe('general');
    expect(bodiesOf('cafe', otherRoomId)).toEqual(['café in the other room']);
  });

  it('drops tombstones from the index and reindexes edits', () => {
    applier.apply([
      {
        type: 'event',
        roomId,
        seq: 8,
        kind: 'message.deleted',
        actorId: bob,
        at: new Date().toISOString(),
        data: { messageId: ids[6]!, deletedAt: new Date().toISOString() },
      },
      {
        type: 'event',
        roomId,
        seq: 9,
        kind: 'message.edited',
        actorId: bob,
        at: new Date().toISOString(),
        data: { messageId: ids[5]!, body: 'Kyoto now', mentions: [], editedAt: new Date().toISOString() },
      },
    ]);
    expect(bodiesOf('secret')).toEqual([]);
    expect(bodiesOf('japan')).toEqual([]);
    expect(bodiesOf('kyoto')).toEqual(['Kyoto now']);
    // The external-content index agrees with its table (FTS5's own consistency check).
    expect(() => db.exec("INSERT INTO messages_fts(messages_fts) VALUES ('integrity-check')")).not.toThrow();
  });
});
