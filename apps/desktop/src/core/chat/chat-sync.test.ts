import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chatTestKit,
  createRoom,
  cursorOf,
  joinRoom,
  openChat,
  serverMessages,
  waitFor,
  type TestChat,
} from './test-support/chat-harness.js';

const kit = chatTestKit();
const { account, chat, online } = kit;
beforeAll(kit.start);
afterAll(kit.finish);

/** Sends from a second client and waits until the server acknowledged it. */
async function post(c: TestChat, roomId: string, body: string, replyTo?: string) {
  const pending = await c.service.sendMessage({ roomId, body, ...(replyTo ? { replyTo } : {}) });
  return waitFor(async () => {
    const window = await c.service.getMessages({ roomId });
    return window.messages.find((m) => m.clientId === pending.clientId && m.delivery === 'sent' && m.id);
  }, `"${body}" acknowledged`);
}

describe('sync', () => {
  it('syncs from an empty cache: rooms, names, history and live messages', async () => {
    const ada = await account();
    const bob = await account();
    const room = await createRoom(ada, 'general');
    await joinRoom(bob, room.id);
    const bobChat = chat(bob);
    await online(bobChat);
    await post(bobChat, room.id, 'first from bob');
    await post(bobChat, room.id, `hello @${ada.session.user.username}`);

    const adaChat = chat(ada);
    await online(adaChat);
    const rooms = await waitFor(async () => {
      const list = await adaChat.service.listRooms();
      return list.length === 1 && list[0]!.name === 'general' ? list : null;
    }, 'the room list');
    expect(rooms[0]).toMatchObject({ id: room.id, kind: 'public', myRole: 'owner', memberCount: 2 });
    const window = await waitFor(async () => {
      const w = await adaChat.service.getMessages({ roomId: room.id });
      return w.messages.length === 2 ? w : null;
    }, 'history');
    expect(window.messages.map((m) => m.body)).toEqual(['first from bob', `hello @${ada.session.user.username}`]);
    expect(window.messages[1]).toMatchObject({
      authorUsername: bob.session.user.username,
      mentionsMe: true,
      delivery: 'sent',
    });
    expect(window.hasOlder).toBe(false);
    expect(rooms[0]!.unreadCount).toBe(2);

    // Live: a message from bob arrives, mentions ada, and emits a mention notice.
    await post(bobChat, room.id, `live @${ada.session.user.username}`);
    const mention = await waitFor(() => adaChat.events.find((e) => e.type === 'mention'), 'a mention event');
    expect(mention).toMatchObject({
      roomId: room.id,
      roomName: 'general',
      message: { body: `live @${ada.session.user.username}` },
    });
    expect(adaChat.events.some((e) => e.type === 'messages.changed' && e.roomId === room.id)).toBe(true);
    const latest = await adaChat.service.getMessages({ roomId: room.id });
    expect(cursorOf(adaChat.db, room.id)).toBe(latest.messages.at(-1)!.seq);
  });

  it('resumes from cursors: a reconnect replays only newer events', async () => {
    const ada = await account();
    const bob = await account();
    const room = await createRoom(ada);
    await joinRoom(bob, room.id);
    const bobChat = chat(bob);
    await online(bobChat);
    await post(bobChat, room.id, 'before');

    const file = `${ada.dir}/resume.sqlite`;
    let adaChat = openChat(ada, { file });
    await online(adaChat);
    await waitFor(async () => (await adaChat.service.getMessages({ roomId: room.id })).messages.length === 1, 'first');
    const cursor = cursorOf(adaChat.db, room.id)!;
    await adaChat.close();

    await post(bobChat, room.id, 'while away 1');
    await post(bobChat, room.id, 'while away 2');

    adaChat = chat(ada, { file });
    await online(adaChat);
    const hello = adaChat.sent.find((f) => f.type === 'hello') as { cursors: Record<string, number> };
    expect(hello.cursors[room.id]).toBe(cursor);
    const window = await waitFor(async () => {
      const w = await adaChat.service.getMessages({ roomId: room.id });
      return w.messages.length === 3 ? w : null;
    }, 'replayed messages');
    expect(window.messages.map((m) => m.body)).toEqual(['before', 'while away 1', 'while away 2']);
    // A replay, not a reset: no history request was needed and nothing was fetched twice.
    expect(adaChat.sent.some((f) => f.type === 'fetch')).toBe(false);
  });

  it('fills a gap: a missing range is fetched and applied in order', async () => {
    const ada = await account();
    const bob = await account();
    const room = await createRoom(ada);
    await joinRoom(bob, room.id);
    const bobChat = chat(bob);
    const adaChat = chat(ada);
    await online(bobChat);
    await online(adaChat);
    for (const body of ['one', 'two', 'three']) await post(bobChat, room.id, body);
    await waitFor(async () => (await adaChat.service.getMessages({ roomId: room.id })).messages.length === 3, 'three');

    // Lose the last two events from the cache, as if they had never arrived.
    const cursor = cursorOf(adaChat.db, room.id)!;
    adaChat.db.prepare('DELETE FROM messages WHERE room_id = ? AND seq > ?').run(room.id, cursor - 2);
    adaChat.db.prepare('UPDATE rooms SET cursor = ? WHERE id = ?').run(cursor - 2, room.id);

    await post(bobChat, room.id, 'four');
    const window = await waitFor(async () => {
      const w = await adaChat.service.getMessages({ roomId: room.id });
      return w.messages.length === 4 ? w : null;
    }, 'the gap filled');
    expect(window.messages.map((m) => m.body)).toEqual(['one', 'two', 'three', 'four']);
    expect(adaChat.sent).toContainEqual(expect.objectContaining({ type: 'fetch', roomId: room.id, after: cursor - 2 }));
    expect(cursorOf(adaChat.db, room.id)).toBe(cursor + 1);
  });

  it('applies edits, deletions and reactions made by another client', async () => {
    const ada = await account();
    const bob = await account();
    const room = await createRoom(ada);
    await joinRoom(bob, room.id);
    const bobChat = chat(bob);
    const adaChat = chat(ada);
    await online(bobChat);
    await online(adaChat);
    const first = await post(bobChat, room.id, 'typo hre');
    const second = await post(bobChat, room.id, 'to be deleted');
    const reply = await post(bobChat, room.id, 'a reply', first.id!);

    await bobChat.service.editMessage({ messageId: first.id!, body: 'typo here' });
    await bobChat.service.deleteMessage({ messageId: second.id! });
    await bobChat.service.react({ messageId: first.id!, emoji: '👍', op: 'add' });
    await bobChat.service.react({ messageId: first.id!, emoji: '🎉', op: 'add' });
    await bobChat.service.react({ messageId: first.id!, emoji: '🎉', op: 'remove' });

    const window = await waitFor(async () => {
      const w = await adaChat.service.getMessages({ roomId: room.id });
      const edited = w.messages.find((m) => m.id === first.id);
      const deleted = w.messages.find((m) => m.id === second.id);
      return edited?.editedAt && deleted?.deletedAt && edited.reactions.length === 1 && !edited.reactions[0]!.byMe
        ? w
        : null;
    }, 'edit, delete and reactions applied');
    const edited = window.messages.find((m) => m.id === first.id)!;
    expect(edited.body).toBe('typo here');
    expect(edited.reactions).toEqual([{ emoji: '👍', userIds: [bob.session.user.id], byMe: false }]);
    const tombstone = window.messages.find((m) => m.id === second.id)!;
    expect(tombstone.body).toBe('');
    expect(window.messages.find((m) => m.id === reply.id)!.replyTo).toEqual({
      messageId: first.id,
      authorUsername: bob.session.user.username,
      excerpt: 'typo here',
    });
    // The tombstone left the search index; the edited text replaced the old one.
    expect(await adaChat.service.searchMessages({ query: 'deleted' })).toEqual([]);
    expect(await adaChat.service.searchMessages({ query: 'hre' })).toEqual([]);
    expect((await adaChat.service.searchMessages({ query: 'here' })).map((h) => h.message.id)).toEqual([first.id]);

    // The other side: bob's own view shows the same, through his outbox and the events.
    const bobWindow = await waitFor(async () => {
      const w = await bobChat.service.getMessages({ roomId: room.id });
      return w.messages.find((m) => m.id === first.id)?.reactions[0]?.byMe ? w : null;
    }, "bob's reaction");
    expect(bobWindow.messages.every((m) => m.delivery === 'sent')).toBe(true);
  });

  it('resets a room whose cursor is beyond the log, and drops a room the user is no longer in', async () => {
    const ada = await account();
    const bob = await account();
    const kept = await createRoom(bob, 'kept');
    const lost = await createRoom(bob, 'lost');
    await joinRoom(ada, kept.id);
    await joinRoom(ada, lost.id);
    const bobChat = chat(bob);
    await online(bobChat);
    await post(bobChat, kept.id, 'kept message');

    const file = `${ada.dir}/reset.sqlite`;
    let adaChat = openChat(ada, { file });
    await online(adaChat);
    await waitFor(async () => (await adaChat.service.getMessages({ roomId: kept.id })).messages.length === 1, 'cached');
    await waitFor(async () => (await adaChat.service.listRooms()).length === 2, 'two rooms');
    const latestSeq = cursorOf(adaChat.db, kept.id)!;
    await adaChat.close();

    // Offline meanwhile: the cursor is corrupted and bob removes ada from the other room.
    adaChat.db = (await import('../cache/database.js')).openCacheDatabase(file);
    adaChat.db.prepare('UPDATE rooms SET cursor = cursor + 100 WHERE id = ?').run(kept.id);
    adaChat.db.close();
    await bob.api.request('DELETE', `/api/v1/rooms/${lost.id}/members/${ada.session.user.id}`);

    adaChat = chat(ada, { file });
    await online(adaChat);
    await waitFor(
      async () => (await adaChat.service.listRooms()).map((r) => r.id).join() === kept.id,
      'lost room gone',
    );
    const window = await waitFor(async () => {
      const w = await adaChat.service.getMessages({ roomId: kept.id });
      return w.messages.length === 1 ? w : null;
    }, 'history refetched after the reset');
    expect(window.messages[0]!.body).toBe('kept message');
    expect(cursorOf(adaChat.db, kept.id)).toBe(latestSeq);
    expect(adaChat.db.prepare('SELECT count(*) AS n FROM messages WHERE room_id = ?').get(lost.id)).toEqual({ n: 0 });
  });

  it('fetches older history from the server on demand when scrolling past the cache', async () => {
    const ada = await account();
    const bob = await account();
    const room = await createRoom(ada);
    await joinRoom(bob, room.id);
    const bobChat = chat(bob);
    await online(bobChat);
    for (let i = 1; i <= 8; i++) await post(bobChat, room.id, `m${i}`);

    const adaChat = chat(ada);
    await online(adaChat);
    // A reset fetched only the newest page; pretend it was 3 messages to test paging.
    await waitFor(async () => (await adaChat.service.getMessages({ roomId: room.id })).messages.length === 8, 'all');
    const seqs = (await adaChat.service.getMessages({ roomId: room.id })).messages.map((m) => m.seq!);
    adaChat.db.prepare('DELETE FROM messages WHERE room_id = ? AND seq < ?').run(room.id, seqs[5]);
    adaChat.db.prepare('UPDATE rooms SET history_floor = ? WHERE id = ?').run(seqs[5], room.id);

    const latest = await adaChat.service.getMessages({ roomId: room.id, limit: 3 });
    expect(latest.messages.map((m) => m.body)).toEqual(['m6', 'm7', 'm8']);
    expect(latest.hasOlder).toBe(true);
    const older = await adaChat.service.getMessages({ roomId: room.id, beforeSeq: seqs[5], limit: 3 });
    expect(older.messages.map((m) => m.body)).toEqual(['m3', 'm4', 'm5']);
    expect(older.hasOlder).toBe(true);
    const oldest = await adaChat.service.getMessages({ roomId: room.id, beforeSeq: seqs[2], limit: 3 });
    expect(oldest.messages.map((m) => m.body)).toEqual(['m1', 'm2']);
    expect(oldest.hasOlder).toBe(false);
  });

  it('emits typing with the username, and presence', async () => {
    const ada = await account();
    const bob = await account();
    const room = await createRoom(ada);
    const adaChat = chat(ada);
    await online(adaChat);
    // Joining while ada is connected: the member.joined event tells her bob's name.
    await joinRoom(bob, room.id);
    const bobChat = chat(bob);
    await online(bobChat);
    await waitFor(
      () => adaChat.events.find((e) => e.type === 'presence' && e.userId === bob.session.user.id),
      'presence of bob',
    );
    await bobChat.service.notifyTyping({ roomId: room.id });
    const typing = await waitFor(() => adaChat.events.find((e) => e.type === 'typing'), 'typing');
    expect(typing).toEqual({
      type: 'typing',
      notice: { roomId: room.id, userId: bob.session.user.id, username: bob.session.user.username },
    });
  });

  it('marks a room read locally at once and on the server through the outbox', async () => {
    const ada = await account();
    const bob = await account();
    const room = await createRoom(ada);
    await joinRoom(bob, room.id);
    const bobChat = chat(bob);
    const adaChat = chat(ada);
    await online(bobChat);
    await online(adaChat);
    const message = await post(bobChat, room.id, 'read me');
    await waitFor(async () => (await adaChat.service.listRooms())[0]?.unreadCount === 1, 'unread');
    await adaChat.service.markRead({ roomId: room.id, seq: message.seq! });
    expect((await adaChat.service.listRooms())[0]).toMatchObject({ unreadCount: 0, lastReadSeq: message.seq });
    await waitFor(async () => {
      const rooms = await ada.api.request<{ rooms: { id: string; lastReadSeq: number }[] }>('GET', '/api/v1/rooms');
      return rooms.rooms.find((r) => r.id === room.id)?.lastReadSeq === message.seq;
    }, 'the server read marker');
    expect(adaChat.db.prepare('SELECT count(*) AS n FROM chat_outbox').get()).toEqual({ n: 0 });
    // Messages of bob's own room count for him only when from others.
    expect(await serverMessages(bob, room.id)).toHaveLength(1);
  });
});
