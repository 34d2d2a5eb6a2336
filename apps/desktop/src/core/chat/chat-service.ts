import type { Room } from '@veza/shared';
import type {
  chatCommands,
  ChatMessage,
  CoreEvent,
  HandlersOf,
  MessageSearchHit,
  MessageWindow,
  PublicRoomSummary,
  RoomSummary,
} from '../../common/contract.js';
import { DesktopError } from '../../common/errors.js';
import type { ApiClient } from '../api/api-client.js';
import type { CacheDb } from '../cache/database.js';
import { EventApplier } from './store/event-applier.js';
import { MessageStore } from './store/message-store.js';
import { MessageView } from './store/message-view.js';
import { OutboxStore, type OutboxEntry } from './store/outbox-store.js';
import { RoomStore, roomDisplayName } from './store/room-store.js';
import { SearchStore } from './store/search-store.js';
import { UsersStore } from './store/users-store.js';
import { stderrLogger, type SyncLogger } from '../sync/logger.js';
import type { SyncConnection, SyncDomain } from '../sync/sync-connection.js';
import { ChangeNotifier } from './sync/change-notifier.js';
import { CHAT_FRAMES, type ChatFrameType } from './sync/chat-frames.js';
import { HistoryLoader } from './sync/history-loader.js';
import { OutboxSender, bodyProblem, type OutboxSenderDeps } from './sync/outbox-sender.js';
import { SyncEngine } from './sync/sync-engine.js';
import { uuidv7 } from './uuidv7.js';

export interface ChatServiceOptions {
  db: CacheDb;
  api: ApiClient;
  /** The account's sync connection: chat sends through it and reads online/offline from it. */
  connection: SyncConnection;
  me: { id: string; username: string };
  emit(event: CoreEvent): void;
  /** Where ignored frames and refused changes are reported; default stderr. */
  log?: SyncLogger;
  /** Delay before resending after RATE_LIMITED/MUTED; default: the server's hint or exponential. */
  outboxRetryDelayMs?: (attempts: number, serverHintMs: number | null) => number;
  /** My timeouts (moderation keeps them): a muted send waits for the end. */
  mutes?: OutboxSenderDeps['mutes'];
}

const DEFAULT_PAGE = 50;
const MAX_PAGE = 200;
const DEFAULT_SEARCH_LIMIT = 20;
const MAX_SEARCH_LIMIT = 100;
/** The server passes on one typing notice per room every 2 s; sending more is wasted. */
const TYPING_INTERVAL_MS = 2_000;
/** hello may carry this many cursors (the schema's limit); the rest get a reset. */
const MAX_CURSORS = 5_000;

/**
 * The chat of one signed-in account: the SQLite cache, its frames on the account's sync
 * connection and the outbox behind the renderer's chat commands. Reads answer from the cache (instant, offline-proof); changes go
 * through the outbox; commands that only the server can do say OFFLINE when it is unreachable.
 */
export class ChatService implements HandlersOf<typeof chatCommands> {
  private readonly rooms: RoomStore;
  private readonly messages: MessageStore;
  private readonly outbox: OutboxStore;
  private readonly users: UsersStore;
  private readonly search: SearchStore;
  private readonly view: MessageView;
  private readonly notifier: ChangeNotifier;
  private readonly history: HistoryLoader;
  private readonly sender: OutboxSender;
  private readonly engine: SyncEngine;
  private readonly connection: SyncConnection;
  /** The frames chat answers for on the sync connection (the account registers it). */
  readonly sync: SyncDomain<ChatFrameType>;
  private readonly lastTyping = new Map<string, number>();
  private readonly refilling = new Set<string>();
  private stopped = false;

  constructor(private readonly options: ChatServiceOptions) {
    const { db, me, connection } = options;
    this.connection = connection;
    const log = options.log ?? stderrLogger;
    // Message ids are random UUIDs: inserts land all over the id index, and SQLite's default
    // 2 MiB page cache would reread pages from disk for every event of a catch-up.
    if ((db.pragma('cache_size', { simple: true }) as number) > -32_768) db.pragma('cache_size = -32768');
    this.rooms = new RoomStore(db, me.id);
    this.messages = new MessageStore(db, me.id);
    this.outbox = new OutboxStore(db);
    this.users = new UsersStore(db);
    this.search = new SearchStore(db);
    this.view = new MessageView(this.messages, me);
    this.notifier = new ChangeNotifier(options.emit);
    this.history = new HistoryLoader({
      api: options.api,
      db,
      rooms: this.rooms,
      messages: this.messages,
      users: this.users,
      notifier: this.notifier,
    });
    const send = (frame: Parameters<SyncConnection['send']>[0]) => connection.send(frame);
    this.sender = new OutboxSender({
      outbox: this.outbox,
      messages: this.messages,
      me,
      send,
      notifier: this.notifier,
      log,
      retryDelayMs: options.outboxRetryDelayMs,
      ...(options.mutes ? { mutes: options.mutes } : {}),
    });
    this.engine = new SyncEngine({
      rooms: this.rooms,
      messages: this.messages,
      users: this.users,
      applier: new EventApplier(db, {
        rooms: this.rooms,
        messages: this.messages,
        users: this.users,
        outbox: this.outbox,
        meId: me.id,
      }),
      history: this.history,
      sender: this.sender,
      view: this.view,
      notifier: this.notifier,
      meId: me.id,
      send,
      markOnline: () => connection.markOnline(),
      emit: options.emit,
      log,
    });
    this.sync = {
      frames: CHAT_FRAMES,
      cursors: () => Object.fromEntries([...this.rooms.cursors()].slice(0, MAX_CURSORS)),
      onWelcome: (frame) => this.engine.onWelcome(frame),
      onFrame: (frame) => this.engine.onFrame(frame),
      onDisconnected: () => this.engine.onDisconnected(),
    };
  }

  /** Before the connection starts: the welcome's frames may name me. */
  start(): void {
    if (this.stopped) return;
    this.users.remember(this.options.me.id, this.options.me.username);
  }

  /** After the connection stopped (its disconnect took the outbox offline). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.sender.stop();
    this.notifier.flush();
  }

  // ── moderation's answers to my sends (moderation owns the notices and passes these on) ──

  /** A rule held my send for review. */
  messageHeld(clientId: string, reason: string | null): void {
    this.sender.onHeld(clientId, reason);
  }

  /** A moderator rejected my held send. */
  messageRejected(clientId: string, reason: string | null): void {
    this.sender.onRejected(clientId, reason);
  }

  // ── rooms ──────────────────────────────────────────────────────────────────

  async listRooms(): Promise<RoomSummary[]> {
    return this.rooms.listSummaries();
  }

  async listPublicRooms(): Promise<PublicRoomSummary[]> {
    const { rooms } = await this.needServer('Browsing public rooms', () =>
      this.options.api.request<{ rooms: Room[] }>('GET', '/api/v1/rooms/public', { query: { limit: 200 } }),
    );
    return rooms.map((room) => ({
      id: room.id,
      name: room.name,
      topic: room.topic,
      memberCount: room.memberCount,
      joined: room.myRole !== null,
    }));
  }

  async createRoom(args: { name: string; visibility: 'public' | 'private'; topic?: string }): Promise<RoomSummary> {
    const room = await this.needServer('Creating a room', () =>
      this.options.api.request<Room>('POST', '/api/v1/rooms', { body: args }),
    );
    return this.adoptRoom(room);
  }

  async joinRoom(args: { roomId: string }): Promise<RoomSummary> {
    const room = await this.needServer('Joining a room', () =>
      this.options.api.request<Room>('POST', `/api/v1/rooms/${args.roomId}/join`),
    );
    return this.adoptRoom(room);
  }

  async leaveRoom(args: { roomId: string }): Promise<void> {
    await this.needServer('Leaving a room', () =>
      this.options.api.request<void>('POST', `/api/v1/rooms/${args.roomId}/leave`),
    );
    this.rooms.remove(args.roomId);
    this.notifier.roomsChanged();
    this.notifier.messagesChanged(args.roomId);
  }

  async openDirectMessage(args: { userId: string }): Promise<RoomSummary> {
    const room = await this.needServer('Opening a direct message', () =>
      this.options.api.request<Room>('POST', '/api/v1/dms', { body: { userId: args.userId } }),
    );
    return this.adoptRoom(room);
  }

  // ── messages ───────────────────────────────────────────────────────────────

  async getMessages(args: { roomId: string; beforeSeq?: number; limit?: number }): Promise<MessageWindow> {
    const limit = Math.max(1, Math.min(MAX_PAGE, args.limit ?? DEFAULT_PAGE));
    this.requireRoom(args.roomId);
    let rows = this.messages.page(args.roomId, args.beforeSeq, limit + 1);
    // Scrolling up past the cache: fetch the older page from the server (when it answers).
    if (args.beforeSeq !== undefined && rows.length <= limit && this.requireRoom(args.roomId).history_floor > 1) {
      const before = rows.at(-1)?.seq ?? args.beforeSeq;
      const fetched = await this.history.loadBefore(args.roomId, before, limit + 1 - rows.length).catch(() => 0);
      if (fetched > 0) rows = this.messages.page(args.roomId, args.beforeSeq, limit + 1);
    }
    const room = this.requireRoom(args.roomId);
    const hasOlder = rows.length > limit || room.history_floor > 1;
    if (args.beforeSeq === undefined && rows.length < limit && room.history_floor > 1) {
      // A thin cache (the history request after a reset failed): refill it in the background;
      // this read stays instant and messages.changed follows when the page is stored.
      this.refillInBackground(args.roomId, rows.at(-1)?.seq ?? room.cursor + 1, limit);
    }
    const page = rows.slice(0, limit).reverse();
    const outbox = this.outbox.forRoom(args.roomId);
    const messages = this.view.build(page, outbox);
    if (args.beforeSeq === undefined) {
      // A send leaves the outbox in the transaction that stores its message (ack or event), so
      // what is still there is not in `messages`.
      for (const entry of outbox) {
        if (entry.kind === 'send') messages.push(this.view.fromOutbox(entry as OutboxEntry<'send'>));
      }
    }
    return { roomId: args.roomId, messages, hasOlder };
  }

  async sendMessage(args: { roomId: string; body: string; replyTo?: string }): Promise<ChatMessage> {
    this.requireRoom(args.roomId);
    const problem = bodyProblem(args.body);
    if (problem) throw new DesktopError('INVALID_ARGUMENT', problem);
    const clientId = uuidv7();
    const entry = this.outbox.add(
      'send',
      args.roomId,
      { roomId: args.roomId, clientId, body: args.body, ...(args.replyTo ? { replyTo: args.replyTo } : {}) },
      clientId,
    );
    this.changed(args.roomId);
    return this.view.fromOutbox(entry);
  }

  async retryMessage(args: { clientId: string }): Promise<void> {
    const entry = this.outbox.get(args.clientId);
    if (!entry) throw new DesktopError('NOT_FOUND', 'This message is no longer waiting to be sent.');
    if (this.outbox.retry(args.clientId)) this.changed(entry.room_id);
  }

  async discardMessage(args: { clientId: string }): Promise<void> {
    const entry = this.outbox.get(args.clientId);
    if (!entry) return;
    // A pending send may already be on the wire (and stored by the server): only a refused one can go.
    if (entry.state !== 'failed') {
      throw new DesktopError('CONFLICT', 'This message is still being sent. You can discard it only if sending fails.');
    }
    this.outbox.delete(args.clientId);
    this.notifier.messagesChanged(entry.room_id);
  }

  async editMessage(args: { messageId: string; body: string }): Promise<void> {
    const message = this.ownMessage(args.messageId, 'edit');
    const problem = bodyProblem(args.body);
    if (problem) throw new DesktopError('INVALID_ARGUMENT', problem);
    this.outbox.add('edit', message.room_id, { messageId: args.messageId, body: args.body });
    this.changed(message.room_id);
  }

  async deleteMessage(args: { messageId: string }): Promise<void> {
    // Moderators may delete others' messages: the server decides, a refusal lifts the overlay.
    const message = this.knownMessage(args.messageId);
    if (message.deleted_at) return;
    this.outbox.add('delete', message.room_id, { messageId: args.messageId });
    this.changed(message.room_id);
  }

  async react(args: { messageId: string; emoji: string; op: 'add' | 'remove' }): Promise<void> {
    const message = this.knownMessage(args.messageId);
    if (message.deleted_at) throw new DesktopError('CONFLICT', 'This message was deleted.');
    this.outbox.add('react', message.room_id, { messageId: args.messageId, emoji: args.emoji, op: args.op });
    this.changed(message.room_id);
  }

  async markRead(args: { roomId: string; seq: number }): Promise<void> {
    const room = this.requireRoom(args.roomId);
    // Never past the log (the server refuses that too), never backwards.
    const seq = Math.min(args.seq, Math.max(room.last_seq, room.cursor));
    if (seq <= room.last_read_seq) return;
    this.rooms.markRead(args.roomId, seq);
    this.outbox.addRead(args.roomId, seq);
    this.notifier.roomsChanged();
    this.sender.wake();
  }

  async notifyTyping(args: { roomId: string }): Promise<void> {
    if (!this.connection.isOnline()) return;
    const now = Date.now();
    if (now - (this.lastTyping.get(args.roomId) ?? 0) < TYPING_INTERVAL_MS) return;
    this.lastTyping.set(args.roomId, now);
    this.connection.send({ type: 'typing', roomId: args.roomId });
  }

  async searchMessages(args: { query: string; roomId?: string; limit?: number }): Promise<MessageSearchHit[]> {
    const limit = Math.max(1, Math.min(MAX_SEARCH_LIMIT, args.limit ?? DEFAULT_SEARCH_LIMIT));
    const rows = this.search.search(args.query, { roomId: args.roomId, limit });
    const messages = this.view.build(rows);
    return rows.map((row, index) => ({
      message: messages[index]!,
      roomName: roomDisplayName(row),
      snippet: row.snippet,
    }));
  }

  // ── helpers ────────────────────────────────────────────────────────────────

  /** A room the server just returned: cached, and its recent history fetched when it is new. */
  private async adoptRoom(room: Room): Promise<RoomSummary> {
    if (this.history.storeRoom(room)) {
      await this.history.loadLatest(room.id).catch(() => undefined);
    }
    return this.rooms.getSummary(room.id)!;
  }

  private refillInBackground(roomId: string, beforeSeq: number, limit: number): void {
    if (this.refilling.has(roomId) || !this.connection.isOnline()) return;
    this.refilling.add(roomId);
    void this.history
      .loadBefore(roomId, beforeSeq, limit)
      .catch(() => 0)
      .finally(() => this.refilling.delete(roomId));
  }

  private changed(roomId: string): void {
    this.notifier.messagesChanged(roomId);
    this.sender.wake();
  }

  private requireRoom(roomId: string) {
    const room = this.rooms.get(roomId);
    if (!room) throw new DesktopError('NOT_FOUND', 'This room is not in your list. Join it first.');
    return room;
  }

  private knownMessage(messageId: string) {
    const message = this.messages.get(messageId);
    if (!message) throw new DesktopError('NOT_FOUND', 'This message is not available on this device.');
    return message;
  }

  private ownMessage(messageId: string, action: string) {
    const message = this.knownMessage(messageId);
    if (message.author_id !== this.options.me.id) {
      throw new DesktopError('FORBIDDEN', `Only the author can ${action} a message.`);
    }
    if (message.deleted_at) throw new DesktopError('CONFLICT', 'This message was deleted.');
    return message;
  }

  /** Runs a command only the server can do; "unreachable" becomes a clear OFFLINE. */
  private async needServer<T>(what: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof DesktopError && (error.code === 'OFFLINE' || error.code === 'SERVER_UNREACHABLE')) {
        throw new DesktopError('OFFLINE', `${what} needs the server, which cannot be reached right now.`);
      }
      throw error;
    }
  }
}
