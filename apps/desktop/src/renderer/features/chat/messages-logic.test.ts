import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../../common/contract.js';
import {
  addTyping,
  lastEditable,
  mergeLatest,
  newestSeq,
  oldestSeq,
  prependOlder,
  refreshLimit,
  pruneTyping,
  removeTypingOfAuthors,
  toggleReaction,
  typingName,
  typingText,
} from './messages-logic.js';

function m(seq: number | null, over: Partial<ChatMessage> = {}): ChatMessage {
  const id = seq === null ? null : `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`;
  return {
    id,
    clientId: over.clientId ?? `c${seq}`,
    roomId: 'r',
    seq,
    authorId: 'me',
    authorUsername: 'me',
    body: `m${seq}`,
    replyTo: null,
    mentions: [],
    mentionsMe: false,
    createdAt: new Date(2025, 0, 1).toISOString(),
    editedAt: null,
    deletedAt: null,
    reactions: [],
    delivery: seq === null ? 'pending' : 'sent',
    deliveryError: null,
    ...over,
  };
}

describe('refreshLimit', () => {
  it('asks for every loaded sent message, at least a page and at most 500', () => {
    expect(refreshLimit(undefined, 50)).toBe(50);
    expect(refreshLimit([m(1), m(null, { clientId: 'p' })], 50)).toBe(50);
    const scrolledBack = Array.from({ length: 180 }, (_, i) => m(i + 1));
    expect(refreshLimit(scrolledBack, 50)).toBe(180);
    // The page covers all of it, so an edit far up the window is replaced too.
    const page = { messages: scrolledBack.map((x) => (x.seq === 3 ? { ...x, body: 'edited' } : x)), hasOlder: false };
    expect(mergeLatest({ messages: scrolledBack, hasOlder: false }, page).messages[2]?.body).toBe('edited');
    expect(
      refreshLimit(
        Array.from({ length: 900 }, (_, i) => m(i + 1)),
        50,
      ),
    ).toBe(500);
  });
});

describe('mergeLatest', () => {
  it('keeps older pages and replaces the latest range', () => {
    const existing = {
      messages: [m(1), m(2), m(3), m(4, { body: 'old' }), m(null, { clientId: 'p' })],
      hasOlder: false,
    };
    const page = { messages: [m(3), m(4, { body: 'edited' }), m(5, { clientId: 'p' })], hasOlder: true };
    const merged = mergeLatest(existing, page);
    expect(merged.messages.map((x) => x.clientId)).toEqual(['c1', 'c2', 'c3', 'c4', 'p']);
    expect(merged.messages[3]?.body).toBe('edited');
    expect(merged.messages[4]?.delivery).toBe('sent');
    expect(merged.hasOlder).toBe(false);
  });

  it('drops discarded pending messages', () => {
    const existing = { messages: [m(1), m(null, { clientId: 'gone' })], hasOlder: false };
    expect(mergeLatest(existing, { messages: [m(1)], hasOlder: false }).messages.map((x) => x.clientId)).toEqual([
      'c1',
    ]);
  });

  it('takes the page as is when nothing is loaded', () => {
    const page = { messages: [m(1)], hasOlder: true };
    expect(mergeLatest(undefined, page)).toEqual(page);
  });
});

describe('prependOlder', () => {
  it('prepends without duplicates', () => {
    const merged = prependOlder(
      { messages: [m(3), m(4)], hasOlder: true },
      { messages: [m(1), m(2), m(3)], hasOlder: false },
    );
    expect(merged.messages.map((x) => x.seq)).toEqual([1, 2, 3, 4]);
    expect(merged.hasOlder).toBe(false);
  });
});

describe('seq helpers', () => {
  it('finds the oldest and newest sent seq', () => {
    const list = [m(null, { clientId: 'a' }), m(7), m(9), m(null, { clientId: 'b' })];
    expect(oldestSeq(list)).toBe(7);
    expect(newestSeq(list)).toBe(9);
    expect(newestSeq([])).toBeNull();
  });

  it('finds my last editable message', () => {
    const list = [m(1), m(2, { authorId: 'other' }), m(3, { deletedAt: '2025-01-01T00:00:00Z' }), m(null)];
    expect(lastEditable(list, 'me')?.seq).toBe(1);
    expect(lastEditable(list, 'nobody')).toBeNull();
  });
});

describe('toggleReaction', () => {
  it('adds, increments and removes my reaction', () => {
    const added = toggleReaction(m(1), '👍', 'me');
    expect(added.reactions).toEqual([{ emoji: '👍', userIds: ['me'], byMe: true }]);
    expect(toggleReaction(added, '👍', 'me').reactions).toEqual([]);
    const other = m(1, { reactions: [{ emoji: '🔥', userIds: ['x'], byMe: false }] });
    expect(toggleReaction(other, '🔥', 'me').reactions).toEqual([{ emoji: '🔥', userIds: ['x', 'me'], byMe: true }]);
  });
});

describe('typing', () => {
  it('expires notices after the TTL', () => {
    let map = addTyping({}, 'r', 'u1', 'ada', 1000);
    map = addTyping(map, 'r', 'u2', 'bob', 3000);
    expect(Object.keys(pruneTyping(map, 5500).r ?? {})).toEqual(['u2']);
    expect(pruneTyping(map, 100)).toBe(map);
    expect(pruneTyping(map, 9000)).toEqual({});
  });

  it('ends the notices of people who just posted', () => {
    let map = addTyping({}, 'r', 'u1', 'ada', 1000);
    map = addTyping(map, 'r', 'u2', 'bob', 1000);
    expect(Object.keys(removeTypingOfAuthors(map, 'r', ['u1', 'u3']).r ?? {})).toEqual(['u2']);
    expect(removeTypingOfAuthors(map, 'other', ['u1'])).toBe(map);
  });

  it('finds a name for an unknown typist in the room, else none', () => {
    const messages = [m(1, { authorId: 'u9', authorUsername: 'zoe' })];
    expect(typingName('ada', 'u1', messages)).toBe('ada');
    expect(typingName('', 'u9', messages)).toBe('zoe');
    expect(typingName('  ', 'u1', messages)).toBeNull();
  });

  it('says who is typing', () => {
    expect(typingText([])).toBe('');
    expect(typingText(['ada'])).toBe('ada is typing…');
    expect(typingText(['ada', 'bob'])).toBe('ada and bob are typing…');
    expect(typingText(['a', 'b', 'c', 'd'])).toBe('Several people are typing…');
  });

  it('says "Someone" for an unknown name', () => {
    expect(typingText([''])).toBe('Someone is typing…');
    expect(typingText(['', ''])).toBe('Several people are typing…');
    expect(typingText(['ada', ''])).toBe('ada and someone else are typing…');
    expect(typingText(['', 'ada', 'bob'])).toBe('Several people are typing…');
  });
});
