import { randomUUID } from 'node:crypto';
import type { ClientFrame, Message, RoomEvent } from '@veza/shared';
import { beforeEach, describe, expect, it } from 'vitest';
import { openCacheDatabase, type CacheDb } from '../../cache/database.js';
import { EventApplier } from '../store/event-applier.js';
import { MessageStore } from '../store/message-store.js';
import { MessageView } from '../store/message-view.js';
import { OutboxStore } from '../store/outbox-store.js';
import { RoomStore } from '../store/room-store.js';
import { UsersStore } from '../store/users-store.js';
import { ChangeNotifier } from './change-notifier.js';
import { OutboxSender } from './outbox-sender.js';

const me = { id: randomUUID(), username: 'ada' };
const bob = randomUUID();
const roomId = randomUUID();
const at = (seq: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString();

let db: CacheDb;
let messages: MessageStore;
let outbox: OutboxStore;
let applier: EventApplier;
let sender: OutboxSender;
let sent: ClientFrame[];

function message(seq: number, authorId = bob): Message {
  return {
    id: randomUUID(),
    roomId,
    seq,
    authorId,
    authorUsername: authorId === me.id ? me.username : 'bob',
    clientId: randomUUID(),
    body: `message ${seq}`,
    replyTo: null,
    mentions: [],
    createdAt: at(seq),
    editedAt: null,
    deletedAt: null,
    reactions: [],
  };
}

const event = (seq: number, kind: RoomEvent['kind'], data: unknown, actorId = bob): RoomEvent =>
  ({ type: 'event', roomId, seq, kind, actorId, at: at(seq), data }) as RoomEvent;

const reactionsOf = (m: Message) =>
  new MessageView(messages, me).build([messages.get(m.id)!])[0]!.reactions.map((r) => [r.emoji, r.userIds]);

beforeEach(() => {
  db = openCacheDatabase(':memory:');
  const rooms = new RoomStore(db, me.id);
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
  sent = [];
  sender = new OutboxSender({
    outbox,
    messages,
    me,
    send: (frame) => {
      sent.push(frame);
      return true;
    },
    notifier: new ChangeNotifier(() => undefined),
    log: { warn: () => undefined, error: () => undefined },
  });
});

describe('OutboxSender', () => {
  it('a done that overtakes an earlier event does not make that event look applied', () => {
    const m = message(1);
    applier.apply([event(1, 'message.created', { message: m })]);
    outbox.add('react', roomId, { messageId: m.id, emoji: '❤️', op: 'add' });
    sender.setOnline(true);
    const frame = sent[0] as Extract<ClientFrame, { type: 'react' }>;
    // Bob reacted at seq 2; our reaction is seq 3. The done is answered directly, Bob's event
    // comes through the bus: the done arrives first.
    sender.onDone({ type: 'done', ref: frame.ref!, seq: 3 });
    expect(reactionsOf(m)).toEqual([['❤️', [me.id]]]);
    applier.apply([
      event(2, 'reaction.added', { messageId: m.id, emoji: '👍', userId: bob }),
      event(3, 'reaction.added', { messageId: m.id, emoji: '❤️', userId: me.id }, me.id),
    ]);
    expect(reactionsOf(m)).toEqual(
      expect.arrayContaining([
        ['❤️', [me.id]],
        ['👍', [bob]],
      ]),
    );
    sender.stop();
  });

  it('an edit confirmed by done shows at once and never overrides the event that follows', () => {
    const m = message(1, me.id);
    applier.apply([event(1, 'message.created', { message: m }, me.id)]);
    outbox.add('edit', roomId, { messageId: m.id, body: 'edited' });
    sender.setOnline(true);
    const frame = sent[0] as Extract<ClientFrame, { type: 'edit' }>;
    sender.onDone({ type: 'done', ref: frame.ref!, seq: 3 });
    expect(messages.get(m.id)!.body).toBe('edited');
    applier.apply([
      event(2, 'reaction.added', { messageId: m.id, emoji: '👍', userId: bob }),
      event(3, 'message.edited', { messageId: m.id, body: 'edited', mentions: [], editedAt: at(3) }, me.id),
    ]);
    expect(messages.get(m.id)).toMatchObject({ body: 'edited', edited_at: at(3) });
    expect(reactionsOf(m)).toEqual([['👍', [bob]]]);
    sender.stop();
  });
});
