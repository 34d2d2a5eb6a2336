import type { MessagePage, Room } from '@veza/shared';
import type { ApiClient } from '../../api/api-client.js';
import type { CacheDb } from '../../cache/database.js';
import type { MessageStore } from '../store/message-store.js';
import type { RoomStore } from '../store/room-store.js';
import type { UsersStore } from '../store/users-store.js';
import type { ChangeNotifier } from './change-notifier.js';

/** Messages fetched after a reset, or when a room first appears. */
export const RECENT_HISTORY = 50;

/**
 * What the socket does not carry: room details and message history over REST. Pages are stored
 * as snapshots "as of latestSeq", so they never undo an event applied meanwhile.
 */
export class HistoryLoader {
  private roomsRefresh: Promise<void> | null = null;

  constructor(
    private readonly deps: {
      api: ApiClient;
      db: CacheDb;
      rooms: RoomStore;
      messages: MessageStore;
      users: UsersStore;
      notifier: ChangeNotifier;
    },
  ) {}

  /** Names, roles, read markers and unread counts of every room; one request at a time. */
  refreshRooms(): Promise<void> {
    this.roomsRefresh ??= this.fetchRooms().finally(() => {
      this.roomsRefresh = null;
    });
    return this.roomsRefresh;
  }

  /** Stores a room the server just described; true when it was not cached before. */
  storeRoom(room: Room): boolean {
    const created = this.deps.rooms.upsertFromServer(room);
    if (room.dmPeer) this.deps.users.remember(room.dmPeer.id, room.dmPeer.username);
    this.deps.notifier.roomsChanged();
    return created;
  }

  /** The latest messages of a room (after a reset, or a room seen for the first time). */
  async loadLatest(roomId: string, limit = RECENT_HISTORY): Promise<void> {
    const page = await this.deps.api.request<MessagePage>('GET', `/api/v1/rooms/${roomId}/messages`, {
      query: { limit },
    });
    this.storePage(roomId, page);
  }

  /** Older history below what is cached; returns how many messages came back. */
  async loadBefore(roomId: string, beforeSeq: number, limit: number): Promise<number> {
    const page = await this.deps.api.request<MessagePage>('GET', `/api/v1/rooms/${roomId}/messages`, {
      query: { before: beforeSeq, limit: Math.min(200, limit) },
    });
    this.storePage(roomId, page);
    return page.messages.length;
  }

  private storePage(roomId: string, page: MessagePage): void {
    const { db, rooms, messages, users, notifier } = this.deps;
    db.transaction(() => {
      if (!rooms.get(roomId)) return;
      for (const message of page.messages) {
        users.remember(message.authorId, message.authorUsername);
        messages.put(message, page.latestSeq);
      }
      // The page runs without holes from its oldest message up; no more pages: the cache
      // reaches the start of the room.
      const oldest = page.messages.reduce((min, m) => Math.min(min, m.seq), Number.MAX_SAFE_INTEGER);
      if (!page.hasMore) rooms.lowerHistoryFloor(roomId, 1);
      else if (page.messages.length > 0) rooms.lowerHistoryFloor(roomId, oldest);
    })();
    notifier.messagesChanged(roomId);
    notifier.roomsChanged();
  }

  private async fetchRooms(): Promise<void> {
    const { rooms } = await this.deps.api.request<{ rooms: Room[] }>('GET', '/api/v1/rooms');
    const created = this.deps.db.transaction(() => rooms.filter((room) => this.storeRoom(room)))();
    // A room joined on another device while this one was away: show its recent history.
    await Promise.all(created.map((room) => this.loadLatest(room.id)));
  }
}
