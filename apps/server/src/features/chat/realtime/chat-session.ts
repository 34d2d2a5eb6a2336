import { CLOSE_CODES, PROTOCOL_LIMITS, type ClientFrameOf, type RoomEvent } from '@veza/shared';
import type { Clock, Timer } from '../../../infra/clock.js';
import { AppError } from '../../../infra/errors.js';
import type { Logger } from '../../../infra/logger.js';
import type { Metrics, SentFrameType } from '../../../infra/metrics.js';
import {
  encodeFrame,
  type FeatureSession,
  type GatewaySession,
  type HelloFrame,
  type Presence,
  type WelcomeParts,
} from '../../../gateway/index.js';
import type { Actor } from '../../auth/index.js';
import type { ChatService } from '../service.js';
import type { ChatFrameType, WireEvent } from './wire.js';

/**
 * Rooms with more members than this carry no presence: announcing every arrival to thousands
 * of members (and every member to each arrival) would cost O(members²) frames.
 */
export const PRESENCE_ROOM_LIMIT = 500;

/** Live events held for one room while it replays or waits for a gap to fill. */
const MAX_PENDING_EVENTS = 10_000;

/** What a chat session needs from the instance's chat fan-out. */
export interface ChatSessionHost {
  follow(session: ChatSession, roomId: string): void;
  unfollow(session: ChatSession, roomId: string): void;
  leave(session: ChatSession): void;
  /** Events after `after` up to `until`, read once from the log however many sessions ask. */
  fill(roomId: string, after: number, until: number): Promise<WireEvent[]>;
  publishTyping(roomId: string, userId: string): void;
}

export interface ChatSessionDeps {
  chat: ChatService;
  presence: Presence;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  gapWaitMs: number;
  typingIntervalMs: number;
}

/** Per followed room: what was delivered, and what waits while a replay or a gap is in progress. */
interface RoomStream {
  delivered: number;
  replaying: boolean;
  pending: Map<number, WireEvent>;
  gapTimer: Timer | undefined;
}

/**
 * Chat's side of one connection. Every room's stream reaches the client gapless and in seq
 * order: replay first, then live events, with duplicates dropped and gaps filled from the log.
 */
export class ChatSession implements FeatureSession<ChatFrameType> {
  private readonly rooms = new Map<string, RoomStream>();
  private readonly lastTyping = new Map<string, number>();
  private hello_: HelloFrame | undefined;
  private memberships: Map<string, { lastSeq: number; memberCount: number }> | undefined;
  private presenceRooms: string[] = [];

  constructor(
    readonly session: GatewaySession,
    private readonly host: ChatSessionHost,
    private readonly deps: ChatSessionDeps,
  ) {}

  get userId(): string {
    return this.session.userId;
  }

  sendData(data: Buffer, type: SentFrameType): void {
    this.session.sendData(data, type);
  }

  // ── hello ──────────────────────────────────────────────────────────────────

  async hello(frame: HelloFrame): Promise<Partial<WelcomeParts>> {
    this.hello_ = frame;
    const memberships = await this.deps.chat.memberships(this.userId);
    this.memberships = memberships;
    if (this.session.closed) return {};
    // Presence travels only through rooms small enough for it (see PRESENCE_ROOM_LIMIT).
    this.presenceRooms = [...memberships].filter(([, m]) => m.memberCount <= PRESENCE_ROOM_LIMIT).map(([id]) => id);
    this.deps.presence.announce(this.userId, this.presenceRooms);
    return { rooms: [...memberships].map(([roomId, { lastSeq }]) => ({ roomId, lastSeq })) };
  }

  async afterWelcome(): Promise<void> {
    const frame = this.hello_!;
    const memberships = this.memberships!;
    const { session } = this;
    for (const roomId of Object.keys(frame.cursors)) {
      if (!memberships.has(roomId)) session.send({ type: 'reset', roomId, reason: 'not_member', latestSeq: 0 });
    }
    // Every room is followed now, before any further await: a removal or an event that happens
    // while earlier rooms replay then reaches this connection's streams, never the void.
    const replays: [string, number][] = [];
    for (const [roomId, { lastSeq }] of memberships) {
      const cursor = frame.cursors[roomId];
      if (cursor === undefined || cursor > lastSeq) {
        this.follow(roomId, lastSeq);
        session.send({ type: 'reset', roomId, reason: 'unknown_cursor', latestSeq: lastSeq });
      } else if (lastSeq - cursor > PROTOCOL_LIMITS.maxReplayEvents) {
        this.follow(roomId, lastSeq);
        session.send({ type: 'reset', roomId, reason: 'cursor_too_old', latestSeq: lastSeq });
      } else {
        this.follow(roomId, cursor);
        const stream = this.rooms.get(roomId)!;
        stream.delivered = Math.min(stream.delivered, cursor);
        stream.replaying = true;
        replays.push([roomId, cursor]);
      }
    }
    for (const [roomId, cursor] of replays) {
      await this.replay(roomId, cursor);
      if (session.closed) return;
    }
    for (const userId of this.deps.presence.onlineRoomMates(this.userId, this.presenceRooms)) {
      session.send({ type: 'presence', userId, status: 'online' });
    }
  }

  // ── frames ─────────────────────────────────────────────────────────────────

  async handle(frame: ClientFrameOf<ChatFrameType>): Promise<void> {
    const { session, deps } = this;
    switch (frame.type) {
      case 'send': {
        session.require('chat:write');
        session.throttle();
        const result = await deps.chat.send(this.actor(), frame);
        // Held for a moderator: no ack; the sender hears of it through a moderation notice.
        if (result.held) return;
        session.send({
          type: 'ack',
          clientId: frame.clientId,
          messageId: result.messageId,
          roomId: frame.roomId,
          seq: result.seq,
        });
        return;
      }
      case 'edit':
        session.require('chat:write');
        session.throttle();
        return session.done(frame.ref, (await deps.chat.edit(this.actor(), frame.messageId, frame.body)).seq);
      case 'delete':
        session.require('chat:write');
        session.throttle();
        return session.done(frame.ref, (await deps.chat.delete(this.actor(), frame.messageId)).seq);
      case 'react':
        session.require('chat:write');
        session.throttle();
        return session.done(
          frame.ref,
          (await deps.chat.react(this.actor(), frame.messageId, frame.emoji, frame.op)).seq,
        );
      case 'read':
        await deps.chat.markRead(this.actor(), frame.roomId, frame.seq);
        return session.done(frame.ref, null);
      case 'typing':
        return this.onTyping(frame);
      case 'fetch':
        return this.onFetch(frame);
    }
  }

  private async onFetch(frame: ClientFrameOf<'fetch'>): Promise<void> {
    // Reads cost the server too: fetches draw on the same budget as writes.
    this.session.throttle();
    // Read before the events, so `latestSeq` never claims less than what is sent.
    const access = await this.deps.chat.roomAccess(frame.roomId, this.userId);
    if (!access?.role) throw new AppError(403, 'FORBIDDEN', 'You are not a member of this room.');
    const events = await this.deps.chat.readEvents(
      frame.roomId,
      frame.after,
      frame.limit ?? PROTOCOL_LIMITS.replayPageSize,
    );
    for (const event of events) this.sendData(encodeFrame(event), 'event');
    const latest = Math.max(access.lastSeq, events.at(-1)?.seq ?? 0);
    this.session.send({
      type: 'fetched',
      roomId: frame.roomId,
      after: frame.after,
      until: events.at(-1)?.seq ?? frame.after,
      latestSeq: latest,
      ...(frame.ref ? { ref: frame.ref } : {}),
    });
  }

  private onTyping(frame: ClientFrameOf<'typing'>): void {
    this.session.require('chat:write');
    if (!this.rooms.has(frame.roomId)) throw new AppError(403, 'FORBIDDEN', 'You are not a member of this room.');
    const now = this.deps.clock.now().getTime();
    // Typing notices are ephemeral and frequent: at most one per room per interval is passed on.
    if (now - (this.lastTyping.get(frame.roomId) ?? 0) < this.deps.typingIntervalMs) return;
    this.lastTyping.set(frame.roomId, now);
    this.host.publishTyping(frame.roomId, this.userId);
  }

  private actor(): Actor {
    const { user, permissions } = this.session.principal;
    return { id: user.id, username: user.username, permissions };
  }

  // ── room streams ───────────────────────────────────────────────────────────

  /**
   * Starts following a room live, with `deliveredSeq` as the last event it already has.
   * `catchUp` also reads what the log holds beyond it, for events that overtook the one that
   * made the user a member.
   */
  follow(roomId: string, deliveredSeq: number, options: { catchUp?: boolean } = {}): void {
    if (this.rooms.has(roomId)) return;
    const stream: RoomStream = { delivered: deliveredSeq, replaying: false, pending: new Map(), gapTimer: undefined };
    this.rooms.set(roomId, stream);
    this.host.follow(this, roomId);
    if (options.catchUp) {
      stream.gapTimer = this.deps.clock.setTimeout(() => {
        stream.gapTimer = undefined;
        if (this.rooms.get(roomId) !== stream) return;
        void this.deps.chat
          .readEvents(roomId, stream.delivered, PROTOCOL_LIMITS.replayPageSize)
          .then((events) => {
            for (const event of events) stream.pending.set(event.seq, { event, data: encodeFrame(event) });
            if (this.rooms.get(roomId) === stream) this.drain(roomId, stream);
          })
          .catch((error: unknown) => this.deps.logger.error({ err: error, roomId }, 'catch-up after join failed'));
      }, this.deps.gapWaitMs);
    }
  }

  unfollow(roomId: string): void {
    const stream = this.rooms.get(roomId);
    if (!stream) return;
    this.deps.clock.clearTimeout(stream.gapTimer);
    this.rooms.delete(roomId);
    this.host.unfollow(this, roomId);
  }

  isFollowing(roomId: string): boolean {
    return this.rooms.has(roomId);
  }

  deliver(wire: WireEvent): void {
    const stream = this.rooms.get(wire.event.roomId);
    if (!stream || wire.event.seq <= stream.delivered) return;
    // A replay or a gap that does not end must not grow without bound: the client resumes later.
    if (stream.pending.size >= MAX_PENDING_EVENTS) {
      this.deps.metrics.wsSlowConsumerCloses.add('pending_events');
      this.session.close(CLOSE_CODES.TOO_SLOW, 'too far behind');
      return;
    }
    stream.pending.set(wire.event.seq, wire);
    if (!stream.replaying) this.drain(wire.event.roomId, stream);
  }

  dispose(): void {
    for (const roomId of [...this.rooms.keys()]) this.unfollow(roomId);
    this.host.leave(this);
  }

  /**
   * Sends a followed room's events after `cursor` from the log, then `synced`. The room was
   * followed before the read, so an event committed meanwhile arrives live and waits in
   * `pending`; anything seen twice is dropped by seq.
   */
  private async replay(roomId: string, cursor: number): Promise<void> {
    const stream = this.rooms.get(roomId);
    if (!stream) return;
    let after = cursor;
    for (;;) {
      const events = await this.deps.chat.readEvents(roomId, after, PROTOCOL_LIMITS.replayPageSize);
      // Removed from the room while reading: its stream is gone, and so is the replay.
      if (this.session.closed || this.rooms.get(roomId) !== stream) return;
      for (const event of events) {
        if (event.seq <= stream.delivered) continue;
        this.sendData(encodeFrame(event), 'event');
        stream.delivered = event.seq;
        if (this.isOwnRemoval(event)) {
          this.unfollow(roomId);
          return;
        }
      }
      after = events.at(-1)?.seq ?? after;
      if (events.length < PROTOCOL_LIMITS.replayPageSize) break;
      await this.session.waitForDrain();
      if (this.session.closed || this.rooms.get(roomId) !== stream) return;
    }
    stream.replaying = false;
    this.session.send({ type: 'synced', roomId, seq: stream.delivered });
    this.drain(roomId, stream);
  }

  /** Delivers pending events in order; a hole waits briefly for the bus, then is read from the log. */
  private drain(roomId: string, stream: RoomStream): void {
    for (;;) {
      for (const seq of stream.pending.keys()) if (seq <= stream.delivered) stream.pending.delete(seq);
      const next = stream.pending.get(stream.delivered + 1);
      if (!next) break;
      stream.pending.delete(next.event.seq);
      this.sendData(next.data, 'event');
      stream.delivered = next.event.seq;
      // The event that removes this user is the last one of the room they may see, whatever
      // else already arrived behind it.
      if (this.isOwnRemoval(next.event)) {
        this.unfollow(roomId);
        return;
      }
    }
    if (stream.pending.size === 0 || stream.gapTimer) return;
    stream.gapTimer = this.deps.clock.setTimeout(() => {
      stream.gapTimer = undefined;
      if (this.rooms.get(roomId) !== stream || stream.pending.size === 0) return;
      let until = Number.MAX_SAFE_INTEGER;
      for (const seq of stream.pending.keys()) if (seq <= until) until = seq - 1;
      void this.host
        .fill(roomId, stream.delivered, until)
        .then((events) => {
          for (const wire of events) if (wire.event.seq > stream.delivered) stream.pending.set(wire.event.seq, wire);
          this.drain(roomId, stream);
        })
        .catch((error: unknown) => this.deps.logger.error({ err: error, roomId }, 'gap fill failed'));
    }, this.deps.gapWaitMs);
  }

  private isOwnRemoval(event: RoomEvent): boolean {
    return event.kind === 'member.left' && event.data.userId === this.userId;
  }
}
