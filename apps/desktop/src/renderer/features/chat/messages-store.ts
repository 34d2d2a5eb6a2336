import { create } from 'zustand';
import type { ChatMessage, MessageSearchHit } from '../../../common/contract.js';
import { veza } from '../../bridge.js';
import { errorMessage } from '../../lib/errors.js';
import {
  addTyping,
  mergeLatest,
  refreshLimit,
  newestSeq,
  oldestSeq,
  prependOlder,
  pruneTyping,
  removeTyping,
  removeTypingOfAuthors,
  type RoomWindow,
  toggleReaction,
  type TypingMap,
  typingName,
} from './messages-logic.js';
import { currentUser } from '../session/session-store.js';
import { useUi } from '../../app/ui-store.js';

export const PAGE_SIZE = 50;
export const TYPING_THROTTLE_MS = 2000;

export interface LoadedRoom extends RoomWindow {
  loading: boolean;
  loadingOlder: boolean;
  error: string | null;
}

interface MessagesStore {
  rooms: Record<string, LoadedRoom>;
  typing: TypingMap;
  load(roomId: string): Promise<void>;
  /** Re-queries a room's latest page if it is loaded (messages.changed). */
  refresh(roomId: string): Promise<void>;
  loadOlder(roomId: string): Promise<void>;
  send(roomId: string, body: string, replyTo?: string): Promise<boolean>;
  retry(clientId: string): Promise<void>;
  discard(roomId: string, clientId: string): Promise<void>;
  edit(messageId: string, body: string): Promise<boolean>;
  remove(messageId: string): Promise<void>;
  react(message: ChatMessage, emoji: string): Promise<void>;
  markRead(roomId: string, seq: number): Promise<void>;
  notifyTyping(roomId: string): void;
  /** A typing notice from core; `username` may be '' (core does not know the user yet). */
  typingReceived(roomId: string, userId: string, username: string): void;
  pruneTyping(): void;
  /** Forgets every typing notice (the connection is not online: nobody can tell us they stopped). */
  clearTyping(): void;
  search(query: string, roomId?: string): Promise<MessageSearchHit[]>;
  reset(): void;
}

const EMPTY: LoadedRoom = { messages: [], hasOlder: false, loading: false, loadingOlder: false, error: null };
let lastTypingSent: Record<string, number> = {};
let lastMarked: Record<string, number> = {};
const refreshing = new Map<string, Promise<void>>();
const refreshAgain = new Set<string>();

export const useMessages = create<MessagesStore>()((set, get) => {
  const patchRoom = (roomId: string, patch: Partial<LoadedRoom>): void => {
    set({ rooms: { ...get().rooms, [roomId]: { ...(get().rooms[roomId] ?? EMPTY), ...patch } } });
  };
  const patchMessage = (roomId: string, clientId: string, update: (m: ChatMessage) => ChatMessage): void => {
    const room = get().rooms[roomId];
    if (!room) return;
    patchRoom(roomId, { messages: room.messages.map((m) => (m.clientId === clientId ? update(m) : m)) });
  };
  const findByClientId = (clientId: string): ChatMessage | undefined => {
    for (const room of Object.values(get().rooms)) {
      const found = room.messages.find((m) => m.clientId === clientId);
      if (found) return found;
    }
    return undefined;
  };

  const fetchLatest = async (roomId: string): Promise<void> => {
    try {
      const page = await veza.getMessages({ roomId, limit: refreshLimit(get().rooms[roomId]?.messages, PAGE_SIZE) });
      const before = get().rooms[roomId];
      const merged = mergeLatest(before, page);
      patchRoom(roomId, { ...merged, loading: false, error: null });
      // Someone's new message ends their "is typing" (only for messages that just arrived).
      if (before && !before.loading) {
        const had = new Set(before.messages.map((m) => m.clientId));
        const authors = page.messages.filter((m) => !had.has(m.clientId)).map((m) => m.authorId);
        const typing = removeTypingOfAuthors(get().typing, roomId, authors);
        if (typing !== get().typing) set({ typing });
      }
    } catch (error) {
      patchRoom(roomId, { loading: false, error: errorMessage(error) });
    }
  };

  return {
    rooms: {},
    typing: {},
    load: async (roomId) => {
      const existing = get().rooms[roomId];
      if (!existing) patchRoom(roomId, { loading: true });
      await get().refresh(roomId);
    },
    refresh: async (roomId) => {
      // One query in flight per room; events during it schedule exactly one more.
      const running = refreshing.get(roomId);
      if (running) {
        refreshAgain.add(roomId);
        return running;
      }
      const run = (async () => {
        do {
          refreshAgain.delete(roomId);
          await fetchLatest(roomId);
        } while (refreshAgain.has(roomId));
      })();
      refreshing.set(roomId, run);
      try {
        await run;
      } finally {
        refreshing.delete(roomId);
      }
    },
    loadOlder: async (roomId) => {
      const room = get().rooms[roomId];
      if (!room || room.loadingOlder || !room.hasOlder) return;
      const beforeSeq = oldestSeq(room.messages);
      if (beforeSeq === null) return;
      patchRoom(roomId, { loadingOlder: true });
      try {
        const page = await veza.getMessages({ roomId, beforeSeq, limit: PAGE_SIZE * 2 });
        patchRoom(roomId, { ...prependOlder(get().rooms[roomId], page), loadingOlder: false });
      } catch (error) {
        patchRoom(roomId, { loadingOlder: false });
        useUi.getState().reportError(error);
      }
    },
    send: async (roomId, body, replyTo) => {
      try {
        const message = await veza.sendMessage({ roomId, body, ...(replyTo ? { replyTo } : {}) });
        const room = get().rooms[roomId] ?? EMPTY;
        if (!room.messages.some((m) => m.clientId === message.clientId)) {
          patchRoom(roomId, { messages: [...room.messages, message] });
        }
        delete lastTypingSent[roomId];
        return true;
      } catch (error) {
        useUi.getState().reportError(error);
        return false;
      }
    },
    retry: async (clientId) => {
      const message = findByClientId(clientId);
      if (message) patchMessage(message.roomId, clientId, (m) => ({ ...m, delivery: 'pending', deliveryError: null }));
      try {
        await veza.retryMessage({ clientId });
      } catch (error) {
        useUi.getState().reportError(error);
        if (message) await get().refresh(message.roomId);
      }
    },
    discard: async (roomId, clientId) => {
      const room = get().rooms[roomId];
      if (room) patchRoom(roomId, { messages: room.messages.filter((m) => m.clientId !== clientId) });
      try {
        await veza.discardMessage({ clientId });
      } catch (error) {
        useUi.getState().reportError(error);
        await get().refresh(roomId);
      }
    },
    edit: async (messageId, body) => {
      try {
        await veza.editMessage({ messageId, body });
        return true;
      } catch (error) {
        useUi.getState().reportError(error);
        return false;
      }
    },
    remove: async (messageId) => {
      try {
        await veza.deleteMessage({ messageId });
      } catch (error) {
        useUi.getState().reportError(error);
      }
    },
    react: async (message, emoji) => {
      const me = currentUser();
      if (!me || !message.id) return;
      const mine = message.reactions.find((r) => r.emoji === emoji)?.byMe ?? false;
      patchMessage(message.roomId, message.clientId, (m) => toggleReaction(m, emoji, me.id));
      try {
        await veza.react({ messageId: message.id, emoji, op: mine ? 'remove' : 'add' });
      } catch (error) {
        useUi.getState().reportError(error);
        await get().refresh(message.roomId);
      }
    },
    markRead: async (roomId, seq) => {
      if ((lastMarked[roomId] ?? 0) >= seq) return;
      lastMarked[roomId] = seq;
      try {
        await veza.markRead({ roomId, seq });
      } catch {
        delete lastMarked[roomId];
      }
    },
    notifyTyping: (roomId) => {
      const now = Date.now();
      if (now - (lastTypingSent[roomId] ?? 0) < TYPING_THROTTLE_MS) return;
      lastTypingSent[roomId] = now;
      veza.notifyTyping({ roomId }).catch(() => undefined);
    },
    typingReceived: (roomId, userId, username) => {
      if (!userId || userId === currentUser()?.id) return;
      const name = typingName(username, userId, get().rooms[roomId]?.messages ?? []) ?? '';
      set({ typing: addTyping(get().typing, roomId, userId, name, Date.now()) });
    },
    pruneTyping: () => {
      const next = pruneTyping(get().typing, Date.now());
      if (next !== get().typing) set({ typing: next });
    },
    clearTyping: () => {
      if (Object.keys(get().typing).length > 0) set({ typing: {} });
    },
    search: async (query, roomId) => veza.searchMessages({ query, limit: 50, ...(roomId ? { roomId } : {}) }),
    reset: () => {
      lastTypingSent = {};
      lastMarked = {};
      set({ rooms: {}, typing: {} });
    },
  };
});

/** A new message from someone ends their typing notice. */
export function clearTypingFor(roomId: string, userId: string): void {
  useMessages.setState({ typing: removeTyping(useMessages.getState().typing, roomId, userId) });
}

export { newestSeq };
