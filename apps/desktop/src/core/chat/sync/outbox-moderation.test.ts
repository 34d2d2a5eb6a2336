import { randomUUID } from 'node:crypto';
import type { ClientFrame, Message } from '@veza/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCacheDatabase, type CacheDb } from '../../cache/database.js';
import { EventApplier } from '../store/event-applier.js';
import { MessageStore } from '../store/message-store.js';
import { MessageView } from '../store/message-view.js';
import { OutboxStore, type OutboxEntry } from '../store/outbox-store.js';
import { RoomStore } from '../store/room-store.js';
import { UsersStore } from '../store/users-store.js';
import { ChangeNotifier } from './change-notifier.js';
import { OutboxSender } from './outbox-sender.js';

/*
 * The outbox's answers from moderation: a rule's MESSAGE_BLOCKED, a timeout's MUTED, a send
 * held for review then approved or rejected. Real SQLite, the real sender and event applier;
 * the frames are what the server sends (packages/shared protocol).
 */

const me = { id: randomUUID(), username: 'ada' };
const roomId = randomUUID();
const at = new Date(Date.UTC(2026, 0, 1)).toISOString();

let db: CacheDb;
let messages: MessageStore;
let outbox: OutboxStore;
let applier: EventApplier;
let sender: OutboxSender;
let sent: ClientFrame[];
let delays: (number | null)[];
let mutedUntil: number | null;
let refusedWith: string[];

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
    createdAt: at,
    lastSeq: 0,
    memberCount: 2,
    myRole: 'member',
    lastReadSeq: 0,
    unreadCount: 0,
    dmPeer: null,
  });
  applier = new EventApplier(db, { rooms, messages, users: new UsersStore(db), outbox, meId: me.id });
  sent = [];
  delays = [];
  mutedUntil = null;
  refusedWith = [];
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
    // Record the wait instead of waiting (no timed assertions); a long pause keeps the retry parked.
    retryDelayMs: (_attempts, hint) => {
      delays.push(hint);
      return 3_600_000;
    },
    mutes: {
      mutedUntil: () => mutedUntil,
      refused: (_room, message) => refusedWith.push(message),
    },
  });
});

afterEach(() => {
  sender.stop();
  db.close();
});

function queueSend(body = 'hello there'): OutboxEntry<'send'> {
  const clientId = randomUUID();
  return outbox.add('send', roomId, { roomId, clientId, body }, clientId);
}

const deliveryOf = (clientId: string) => {
  const entry = outbox.get(clientId) as OutboxEntry<'send'> | undefined;
  return entry ? new MessageView(messages, me).fromOutbox(entry) : undefined;
};

describe('outbox and moderation', () => {
  it('MESSAGE_BLOCKED fails the send with the rule’s reason and it is not sent again', () => {
    const entry = queueSend('buy cheap followers');
    const next = queueSend('second message');
    sender.setOnline(true);
    expect(sent).toHaveLength(1);
    sender.onError({
      type: 'error',
      code: 'MESSAGE_BLOCKED',
      message: 'No advertising here.',
      clientId: entry.client_id,
    });
    expect(deliveryOf(entry.client_id)).toMatchObject({ delivery: 'failed', deliveryError: 'No advertising here.' });
    // The queue moves on to the next message; the blocked one is never resent, even after a reconnect.
    expect(sent.map((f) => (f as { clientId?: string }).clientId)).toEqual([entry.client_id, next.client_id]);
    sender.setOnline(false);
    sent = [];
    sender.setOnline(true);
    expect(sent.map((f) => (f as { clientId?: string }).clientId)).toEqual([next.client_id]);
  });

  it('MUTED keeps the send pending and waits for the timeout’s end, telling moderation the refusal', () => {
    const entry = queueSend();
    mutedUntil = Date.now() + 10 * 60_000;
    sender.setOnline(true);
    sender.onError({
      type: 'error',
      code: 'MUTED',
      message: 'You are muted until 2030-01-01T10:00:00.000Z.',
      clientId: entry.client_id,
    });
    expect(deliveryOf(entry.client_id)).toMatchObject({ delivery: 'pending' });
    expect(refusedWith).toEqual(['You are muted until 2030-01-01T10:00:00.000Z.']);
    // The wait is the rest of the timeout (within the test's own running time), not a few seconds.
    expect(delays).toHaveLength(1);
    expect(delays[0]!).toBeGreaterThan(9 * 60_000);
    expect(delays[0]!).toBeLessThanOrEqual(10 * 60_000);
  });

  it('a held send shows as held, is not resent, and its approval’s event makes it an ordinary message', () => {
    const entry = queueSend('check my mixtape');
    sender.setOnline(true);
    expect(sender.onHeld(entry.client_id, 'Links are reviewed first.')).toBe(true);
    expect(deliveryOf(entry.client_id)).toMatchObject({ delivery: 'held', deliveryError: 'Links are reviewed first.' });
    sender.setOnline(false);
    sent = [];
    sender.setOnline(true);
    expect(sent).toEqual([]);
    const approved: Message = {
      id: randomUUID(),
      roomId,
      seq: 1,
      authorId: me.id,
      authorUsername: me.username,
      clientId: entry.client_id,
      body: 'check my mixtape',
      replyTo: null,
      mentions: [],
      createdAt: at,
      editedAt: null,
      deletedAt: null,
      reactions: [],
    };
    applier.apply([
      { type: 'event', roomId, seq: 1, kind: 'message.created', actorId: me.id, at, data: { message: approved } },
    ]);
    expect(outbox.get(entry.client_id)).toBeUndefined();
    expect(messages.get(approved.id)).toMatchObject({ body: 'check my mixtape' });
  });

  it('a rejected held send fails with the moderator’s reason', () => {
    const entry = queueSend();
    sender.setOnline(true);
    sender.onHeld(entry.client_id, null);
    expect(sender.onRejected(entry.client_id, 'Off topic')).toBe(true);
    expect(deliveryOf(entry.client_id)).toMatchObject({
      delivery: 'failed',
      deliveryError: 'Rejected by a moderator: Off topic',
    });
  });

  it('notices about sends that are not ours change nothing', () => {
    expect(sender.onHeld(randomUUID(), null)).toBe(false);
    expect(sender.onRejected(randomUUID(), 'x')).toBe(false);
  });
});
