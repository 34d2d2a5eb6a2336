import { PROTOCOL_LIMITS, type ClientFrame, type RoomEvent, type ServerFrameOf } from '@veza/shared';
import type { CoreEvent } from '../../../common/contract.js';
import type { EventApplier, AppliedBatch } from '../store/event-applier.js';
import type { MessageStore } from '../store/message-store.js';
import type { MessageView } from '../store/message-view.js';
import { roomDisplayName, type RoomStore } from '../store/room-store.js';
import type { UsersStore } from '../store/users-store.js';
import type { SyncLogger } from '../../sync/logger.js';
import type { ChangeNotifier } from './change-notifier.js';
import type { ChatFrame } from './chat-frames.js';
import type { HistoryLoader } from './history-loader.js';
import type { OutboxSender } from './outbox-sender.js';

/** `ref` of gap-fill fetches: "fetch:<roomId>". */
const FETCH_REF_PREFIX = 'fetch:';
/** Events held past a gap, per room; beyond this they are dropped and fetched again. */
const MAX_BUFFERED = PROTOCOL_LIMITS.maxReplayEvents;
/** A gap fetch the server refused for now (rate limit) is asked again after this. */
const FETCH_RETRY_MS = 1_000;
/**
 * While a replay or gap fill streams in, events are held this long (or up to BULK_EVENTS) so they
 * commit together: every commit also flushes an FTS segment, and 20 commits of 500 cost far more
 * than 2 of 5000. Live events (nothing replaying) are applied on the next tick.
 */
const BULK_WAIT_MS = 15;
const BULK_EVENTS = 5_000;

export interface SyncEngineDeps {
  rooms: RoomStore;
  messages: MessageStore;
  users: UsersStore;
  applier: EventApplier;
  history: HistoryLoader;
  sender: OutboxSender;
  view: MessageView;
  notifier: ChangeNotifier;
  meId: string;
  send(frame: ClientFrame): boolean;
  markOnline(): void;
  emit(event: CoreEvent): void;
  log: SyncLogger;
}

/**
 * The room-log side of the protocol: welcome, replay, resets, live events, gap fills. Frames are
 * queued and drained on the next turn of the event loop, so the events of a burst (a replay page)
 * are applied in one transaction, and in the order they came with the frames between them.
 */
export class SyncEngine {
  private queue: ChatFrame[] = [];
  private draining = false;
  /** Events received and not applied yet (see BULK_WAIT_MS). */
  private held: RoomEvent[] = [];
  private heldTimer: NodeJS.Timeout | undefined;
  /** Rooms of the welcome still replaying (waiting for `synced` or `reset`). */
  private awaiting = new Set<string>();
  /** Rooms past their replay: their new messages are live (mention notices). */
  private live = new Set<string>();
  private buffered = new Map<string, Map<number, RoomEvent>>();
  private fetching = new Set<string>();
  private fetchTimers = new Set<NodeJS.Timeout>();
  private connected = false;

  constructor(private readonly deps: SyncEngineDeps) {}

  onWelcome(frame: ServerFrameOf<'welcome'>): void {
    this.connected = true;
    this.awaiting = new Set(frame.rooms.map((room) => room.roomId));
    // Refresh names, roles and unread counts on every connect (they change while we are away).
    this.background(this.deps.history.refreshRooms(), 'room list refresh');
    this.checkOnline();
  }

  onFrame(frame: ChatFrame): void {
    this.queue.push(frame);
    if (this.draining) return;
    this.draining = true;
    setImmediate(() => this.drain());
  }

  onDisconnected(): void {
    this.connected = false;
    this.queue = [];
    // Events already received are valid whatever happens to the socket: keep them.
    this.flushHeld();
    this.awaiting.clear();
    this.live.clear();
    this.buffered.clear();
    this.fetching.clear();
    for (const timer of this.fetchTimers) clearTimeout(timer);
    this.fetchTimers.clear();
    this.deps.sender.setOnline(false);
  }

  private drain(): void {
    this.draining = false;
    const frames = this.queue;
    this.queue = [];
    for (const frame of frames) {
      if (frame.type === 'event') {
        this.held.push(frame);
        continue;
      }
      // Frames after events (synced, fetched, ack…) see those events applied.
      this.flushHeld();
      try {
        this.handle(frame);
      } catch (error) {
        // One frame that cannot be handled (a write refused by the cache) must not stop the rest.
        this.deps.log.error(`could not handle a ${frame.type} frame`, { message: (error as Error).message });
      }
    }
    const bulk = this.awaiting.size > 0 || this.fetching.size > 0;
    if (!bulk || this.held.length >= BULK_EVENTS) this.flushHeld();
    else this.heldTimer ??= setTimeout(() => this.flushHeld(), BULK_WAIT_MS);
  }

  private flushHeld(): void {
    clearTimeout(this.heldTimer);
    this.heldTimer = undefined;
    if (this.held.length === 0) return;
    const events = this.held;
    this.held = [];
    this.applyEvents(events);
  }

  private handle(frame: Exclude<ChatFrame, RoomEvent>): void {
    const { deps } = this;
    switch (frame.type) {
      case 'synced':
        this.roomReady(frame.roomId);
        return;
      case 'reset':
        this.onReset(frame);
        return;
      case 'fetched':
        this.onFetched(frame);
        return;
      case 'ack':
        deps.sender.onAck(frame);
        return;
      case 'done':
        deps.sender.onDone(frame);
        return;
      case 'error':
        this.onError(frame);
        return;
      case 'presence':
        deps.emit({ type: 'presence', userId: frame.userId, status: frame.status });
        return;
      case 'typing':
        if (frame.userId === deps.meId) return;
        deps.emit({
          type: 'typing',
          notice: { roomId: frame.roomId, userId: frame.userId, username: deps.users.username(frame.userId) ?? '' },
        });
        return;
    }
  }

  private applyEvents(events: RoomEvent[]): void {
    let batch: AppliedBatch;
    try {
      batch = this.deps.applier.apply(events);
    } catch (error) {
      // A write that fails (disk full, corrupt row) rolls the whole batch back: cursors did not
      // move, so the events come again on the next connect.
      this.deps.log.error('could not apply events', { message: (error as Error).message });
      return;
    }
    this.report(batch);
    for (const event of batch.deferred) this.buffer(event);
    const touched = new Set([...batch.changedRooms, ...batch.deferred.map((event) => event.roomId)]);
    for (const roomId of touched) this.drainBuffer(roomId);
  }

  private report(batch: AppliedBatch): void {
    const { notifier } = this.deps;
    for (const roomId of batch.changedRooms) notifier.messagesChanged(roomId);
    if (batch.roomsChanged) notifier.roomsChanged();
    for (const roomId of batch.left) {
      this.buffered.delete(roomId);
      this.live.delete(roomId);
      this.awaiting.delete(roomId);
    }
    for (const roomId of batch.discovered) {
      this.live.add(roomId);
      this.background(
        this.deps.history.refreshRooms().then(() => this.deps.history.loadLatest(roomId)),
        'new room history',
      );
    }
    this.notifyMentions(batch);
    if (batch.left.length > 0) this.checkOnline();
  }

  /** Live messages from others that mention me: the UI may show a notification. */
  private notifyMentions(batch: AppliedBatch): void {
    const { deps } = this;
    for (const message of batch.created) {
      if (message.authorId === deps.meId || !message.mentions.includes(deps.meId) || !this.live.has(message.roomId)) {
        continue;
      }
      const row = deps.messages.get(message.id);
      const room = deps.rooms.get(message.roomId);
      if (!row || !room) continue;
      const [chatMessage] = deps.view.build([row]);
      if (chatMessage) {
        deps.emit({ type: 'mention', roomId: message.roomId, roomName: roomDisplayName(room), message: chatMessage });
      }
    }
  }

  /** An event past a gap waits here while the missing range is fetched. */
  private buffer(event: RoomEvent): void {
    let waiting = this.buffered.get(event.roomId);
    if (!waiting) this.buffered.set(event.roomId, (waiting = new Map()));
    if (waiting.size < MAX_BUFFERED) waiting.set(event.seq, event);
    this.requestFetch(event.roomId);
  }

  /** Applies buffered events that the cursor has now reached. */
  private drainBuffer(roomId: string): void {
    const waiting = this.buffered.get(roomId);
    if (!waiting || waiting.size === 0) return;
    const cursor = this.deps.rooms.get(roomId)?.cursor;
    if (cursor === undefined) {
      this.buffered.delete(roomId);
      return;
    }
    for (const seq of waiting.keys()) if (seq <= cursor) waiting.delete(seq);
    if (!waiting.has(cursor + 1)) return;
    const ready = [...waiting.values()].sort((a, b) => a.seq - b.seq);
    waiting.clear();
    this.applyEvents(ready);
  }

  private requestFetch(roomId: string): void {
    if (this.fetching.has(roomId) || !this.connected) return;
    const cursor = this.deps.rooms.get(roomId)?.cursor;
    if (cursor === undefined) return;
    const sent = this.deps.send({
      type: 'fetch',
      roomId,
      after: cursor,
      limit: PROTOCOL_LIMITS.replayPageSize,
      ref: `${FETCH_REF_PREFIX}${roomId}`,
    });
    if (sent) this.fetching.add(roomId);
  }

  private onFetched(frame: ServerFrameOf<'fetched'>): void {
    this.fetching.delete(frame.roomId);
    const cursor = this.deps.rooms.get(frame.roomId)?.cursor;
    if (cursor === undefined) return;
    const behind = cursor < frame.latestSeq || (this.buffered.get(frame.roomId)?.size ?? 0) > 0;
    // More pages to come: ask again from the cursor. A page that brought nothing ends the loop
    // (the next event or reconnect tries again), so a confused server cannot make us spin.
    if (behind && frame.until > frame.after) this.requestFetch(frame.roomId);
  }

  private onReset(frame: ServerFrameOf<'reset'>): void {
    const { rooms, notifier, history } = this.deps;
    this.buffered.delete(frame.roomId);
    if (frame.reason === 'not_member') {
      rooms.remove(frame.roomId);
      notifier.roomsChanged();
      notifier.messagesChanged(frame.roomId);
      this.roomReady(frame.roomId);
      return;
    }
    // Drop the room's cached messages, continue from latestSeq, refill recent history over REST.
    rooms.ensurePlaceholder(frame.roomId, frame.latestSeq);
    rooms.resetTo(frame.roomId, frame.latestSeq);
    notifier.messagesChanged(frame.roomId);
    notifier.roomsChanged();
    this.background(history.loadLatest(frame.roomId), 'history after reset');
    this.roomReady(frame.roomId);
  }

  private onError(frame: ServerFrameOf<'error'>): void {
    if (frame.ref?.startsWith(FETCH_REF_PREFIX)) {
      const roomId = frame.ref.slice(FETCH_REF_PREFIX.length);
      this.fetching.delete(roomId);
      this.deps.log.warn('a gap fetch was refused', { code: frame.code });
      if (frame.code === 'RATE_LIMITED' || frame.code === 'MUTED') {
        const timer = setTimeout(() => {
          this.fetchTimers.delete(timer);
          this.requestFetch(roomId);
        }, FETCH_RETRY_MS);
        this.fetchTimers.add(timer);
      }
      return;
    }
    if (this.deps.sender.onError(frame)) return;
    this.deps.log.warn('the server reported an error', { code: frame.code, message: frame.message });
  }

  private roomReady(roomId: string): void {
    this.live.add(roomId);
    this.awaiting.delete(roomId);
    this.checkOnline();
  }

  private checkOnline(): void {
    if (!this.connected || this.awaiting.size > 0) return;
    this.deps.markOnline();
    this.deps.sender.setOnline(true);
  }

  private background(work: Promise<unknown>, what: string): void {
    work.catch((error: unknown) => this.deps.log.warn(`${what} failed`, { message: (error as Error).message }));
  }
}
