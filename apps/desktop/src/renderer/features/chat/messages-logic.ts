import type { ChatMessage } from '../../../common/contract.js';

/** Pure helpers the messages store uses to keep a room's loaded window consistent. */

export interface RoomWindow {
  messages: ChatMessage[];
  hasOlder: boolean;
}

/**
 * Merges a fresh latest page (what core returns without `beforeSeq`) into what is loaded: keeps
 * the older messages the user scrolled back to, replaces everything the page covers (edits,
 * deletions, reactions, pending → sent), and drops pending messages the page no longer has.
 */
export function mergeLatest(existing: RoomWindow | undefined, page: RoomWindow): RoomWindow {
  if (!existing || existing.messages.length === 0) return { messages: page.messages, hasOlder: page.hasOlder };
  let firstSeq: number | null = null;
  for (const m of page.messages) {
    if (m.seq !== null && (firstSeq === null || m.seq < firstSeq)) firstSeq = m.seq;
  }
  if (firstSeq === null && !page.hasOlder) return { messages: page.messages, hasOlder: false };
  const pageIds = new Set(page.messages.map((m) => m.clientId));
  const limit = firstSeq ?? Infinity;
  const older = existing.messages.filter((m) => m.seq !== null && m.seq < limit && !pageIds.has(m.clientId));
  return { messages: [...older, ...page.messages], hasOlder: older.length > 0 ? existing.hasOlder : page.hasOlder };
}

/** The most messages core returns in one getMessages call. */
export const MAX_PAGE = 500;

/**
 * How many of the latest messages a refresh asks for: at least a page, and as many as are loaded
 * (up to MAX_PAGE), so an edit, deletion or reaction on a message the user scrolled back to shows
 * too. Beyond MAX_PAGE loaded messages, the oldest ones refresh when the room is reopened.
 */
export function refreshLimit(loaded: readonly ChatMessage[] | undefined, pageSize: number): number {
  let sent = 0;
  for (const m of loaded ?? []) if (m.seq !== null) sent += 1;
  return Math.min(MAX_PAGE, Math.max(pageSize, sent));
}

/** Adds an older page in front of the loaded messages, skipping any already there. */
export function prependOlder(existing: RoomWindow | undefined, page: RoomWindow): RoomWindow {
  if (!existing) return page;
  const have = new Set(existing.messages.map((m) => m.clientId));
  const fresh = page.messages.filter((m) => !have.has(m.clientId));
  return { messages: [...fresh, ...existing.messages], hasOlder: page.hasOlder };
}

/** The seq of the oldest loaded sent message, for `getMessages({ beforeSeq })`. */
export function oldestSeq(messages: readonly ChatMessage[]): number | null {
  for (const m of messages) if (m.seq !== null) return m.seq;
  return null;
}

/** The newest sent seq (what `markRead` wants). */
export function newestSeq(messages: readonly ChatMessage[]): number | null {
  for (let i = messages.length - 1; i >= 0; i--) {
    const seq = messages[i]?.seq;
    if (seq !== null && seq !== undefined) return seq;
  }
  return null;
}

/** My most recent message that can still be edited (sent, not deleted). */
export function lastEditable(messages: readonly ChatMessage[], myId: string): ChatMessage | null {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m && m.authorId === myId && m.id !== null && m.deletedAt === null && m.delivery === 'sent') return m;
  }
  return null;
}

/** Applies a reaction toggle optimistically, so the chip reacts before core confirms. */
export function toggleReaction(message: ChatMessage, emoji: string, myId: string): ChatMessage {
  const reactions = message.reactions.map((r) => ({ ...r, userIds: [...r.userIds] }));
  const existing = reactions.find((r) => r.emoji === emoji);
  if (existing?.byMe) {
    existing.byMe = false;
    existing.userIds = existing.userIds.filter((id) => id !== myId);
  } else if (existing) {
    existing.byMe = true;
    if (!existing.userIds.includes(myId)) existing.userIds.push(myId);
  } else {
    reactions.push({ emoji, userIds: [myId], byMe: true });
  }
  return { ...message, reactions: reactions.filter((r) => r.userIds.length > 0) };
}

// ---------------------------------------------------------------------------------------------
// Typing

export const TYPING_TTL_MS = 4000;
export type TypingMap = Record<string, Record<string, { username: string; until: number }>>;

export function addTyping(map: TypingMap, roomId: string, userId: string, username: string, now: number): TypingMap {
  return { ...map, [roomId]: { ...map[roomId], [userId]: { username, until: now + TYPING_TTL_MS } } };
}

export function removeTyping(map: TypingMap, roomId: string, userId: string): TypingMap {
  const room = map[roomId];
  if (!room || !(userId in room)) return map;
  const { [userId]: _gone, ...rest } = room;
  return { ...map, [roomId]: rest };
}

/** Drops expired notices (and rooms left with none); the same map when nothing expired. */
export function pruneTyping(map: TypingMap, now: number): TypingMap {
  let changed = false;
  const next: TypingMap = {};
  for (const [roomId, users] of Object.entries(map)) {
    const kept: TypingMap[string] = {};
    for (const [userId, entry] of Object.entries(users)) {
      if (entry.until > now) kept[userId] = entry;
      else changed = true;
    }
    if (Object.keys(kept).length > 0) next[roomId] = kept;
    else changed = true;
  }
  return changed ? next : map;
}

/** Ends the notices of everyone who just posted in the room (their message replaces "is typing"). */
export function removeTypingOfAuthors(map: TypingMap, roomId: string, authorIds: Iterable<string>): TypingMap {
  let next = map;
  for (const userId of authorIds) next = removeTyping(next, roomId, userId);
  return next;
}

/**
 * A name for a typing notice: core sends '' when it does not know the user yet; the room's loaded
 * messages may still tell. null when nobody knows.
 */
export function typingName(username: string, userId: string, messages: readonly ChatMessage[]): string | null {
  if (username.trim()) return username.trim();
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m?.authorId === userId && m.authorUsername.trim()) return m.authorUsername.trim();
  }
  return null;
}

/**
 * "ada is typing…", "ada and bob are typing…", "Several people are typing…"; '' when nobody.
 * An unknown name ('') reads "Someone".
 */
export function typingText(names: readonly string[]): string {
  if (names.length === 0) return '';
  const known = names.filter((name) => name.trim() !== '');
  if (known.length === 0) return names.length === 1 ? 'Someone is typing…' : 'Several people are typing…';
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) {
    const [first, second] = known.length === 2 ? known : [known[0], 'someone else'];
    return `${first} and ${second} are typing…`;
  }
  if (names.length === 3 && known.length === 3) return `${names[0]}, ${names[1]} and ${names[2]} are typing…`;
  return 'Several people are typing…';
}
