import {
  DeleteFrameSchema,
  EditFrameSchema,
  FetchFrameSchema,
  PROTOCOL_LIMITS,
  ReactFrameSchema,
  ReadFrameSchema,
  SendFrameSchema,
  TypingFrameSchema,
  type RoomEvent,
  type ServerFrameOf,
} from '@veza/shared';
import type { Bus } from '../../../infra/bus.js';
import type { Clock } from '../../../infra/clock.js';
import type { Logger } from '../../../infra/logger.js';
import type { Metrics } from '../../../infra/metrics.js';
import {
  type ClientFrameSpec,
  encodeFrame,
  type GatewayServices,
  type GatewaySession,
  type PresenceAudience,
  type RealtimeFeature,
  RoomFanout,
} from '../../../gateway/index.js';
import type { ChatService } from '../service.js';
import { roomEventsTopic, typingTopic, type TypingMessage } from '../topics.js';
import { ChatSession, type ChatSessionHost } from './chat-session.js';
import type { ChatFrameType, WireEvent } from './wire.js';

const CHAT_CLIENT_FRAMES: { readonly [K in ChatFrameType]: ClientFrameSpec<K> } = {
  send: { schema: SendFrameSchema, refusal: (frame) => ({ clientId: frame.clientId }) },
  edit: { schema: EditFrameSchema },
  delete: { schema: DeleteFrameSchema },
  react: { schema: ReactFrameSchema },
  read: { schema: ReadFrameSchema },
  typing: { schema: TypingFrameSchema },
  fetch: { schema: FetchFrameSchema },
};

/**
 * Chat as a client of the realtime gateway: its frame family, and the instance's chat
 * switchboard. Room events and typing notices come from the bus and go to the local sessions
 * that follow the rooms concerned; membership events move sessions in and out of rooms as they
 * pass, so a removed member's stream stops with the event that removes them.
 */
export class ChatRealtime implements RealtimeFeature<ChatFrameType>, ChatSessionHost, PresenceAudience {
  readonly name = 'chat';
  readonly clientFrames = CHAT_CLIENT_FRAMES;
  readonly serverFrames = ['event', 'synced', 'reset', 'ack', 'fetched', 'typing'] as const;
  readonly admission = {
    permission: 'chat:read',
    refused: 'This credential may not read chat.',
    lost: 'Your role no longer allows reading chat.',
  } as const;
  readonly presenceAudience = this;
  private readonly rooms = new RoomFanout<ChatSession>();
  private readonly sessionsByUser = new Map<string, Set<ChatSession>>();
  private readonly fills = new Map<string, Promise<WireEvent[]>>();
  private readonly unsubscribe: (() => void)[] = [];
  private gateway: GatewayServices | undefined;

  constructor(
    private readonly deps: {
      bus: Bus;
      chat: ChatService;
      clock: Clock;
      logger: Logger;
      metrics: Metrics;
      gapWaitMs: number;
      typingIntervalMs: number;
    },
  ) {}

  start(gateway: GatewayServices): void {
    this.gateway = gateway;
    const { bus } = this.deps;
    this.unsubscribe.push(
      bus.subscribe(roomEventsTopic, (event) => this.onRoomEvent(event)),
      bus.subscribe(typingTopic, (message) => this.onTyping(message)),
    );
  }

  close(): void {
    for (const stop of this.unsubscribe.splice(0)) stop();
  }

  /** A connection was admitted: from now on membership events for its user reach it. */
  attach(session: GatewaySession): ChatSession {
    const { presence } = this.gateway!;
    const chatSession = new ChatSession(session, this, { ...this.deps, presence });
    let sessions = this.sessionsByUser.get(session.userId);
    if (!sessions) {
      sessions = new Set();
      this.sessionsByUser.set(session.userId, sessions);
    }
    sessions.add(chatSession);
    return chatSession;
  }

  // ── ChatSessionHost ────────────────────────────────────────────────────────

  follow(session: ChatSession, roomId: string): void {
    this.rooms.add(roomId, session);
  }

  unfollow(session: ChatSession, roomId: string): void {
    this.rooms.remove(roomId, session);
  }

  leave(session: ChatSession): void {
    const sessions = this.sessionsByUser.get(session.userId);
    sessions?.delete(session);
    if (sessions?.size === 0) this.sessionsByUser.delete(session.userId);
  }

  fill(roomId: string, after: number, until: number): Promise<WireEvent[]> {
    // One page at a time; the session asks again for what remains.
    until = Math.min(until, after + PROTOCOL_LIMITS.replayPageSize);
    const key = `${roomId}:${after}:${until}`;
    let pending = this.fills.get(key);
    if (!pending) {
      pending = this.deps.chat
        .readEvents(roomId, after, until - after, until)
        .then((events) => events.map((event) => ({ event, data: encodeFrame(event) })))
        .finally(() => this.deps.clock.setTimeout(() => this.fills.delete(key), 1_000));
      this.fills.set(key, pending);
    }
    return pending;
  }

  publishTyping(roomId: string, userId: string): void {
    // Ephemeral: losing one is harmless, but it must never become an unhandled rejection.
    this.deps.bus.publish(typingTopic, { roomId }, { roomId, userId }).catch((error: unknown) => {
      this.deps.logger.warn({ err: error, topic: typingTopic.pattern }, 'ephemeral publish failed');
    });
  }

  // ── PresenceAudience ───────────────────────────────────────────────────────

  tell(roomIds: readonly string[], aboutUserId: string, data: Buffer): void {
    this.rooms.broadcastOnce(roomIds, data, 'presence', aboutUserId);
  }

  // ── bus ────────────────────────────────────────────────────────────────────

  private onRoomEvent(event: RoomEvent): void {
    const wire = { event, data: encodeFrame(event) };
    if (event.kind === 'member.joined') {
      for (const session of this.sessionsByUser.get(event.data.userId) ?? []) {
        if (!session.isFollowing(event.roomId)) session.follow(event.roomId, event.seq - 1, { catchUp: true });
      }
      this.gateway?.presence.noteRoom(event.data.userId, event.roomId, true);
    }
    // A removed member's sessions stop at member.left themselves, once it is delivered in
    // order (events behind a gap are never sent past it).
    for (const session of this.rooms.followersOf(event.roomId)) session.deliver(wire);
    if (event.kind === 'member.left') this.gateway?.presence.noteRoom(event.data.userId, event.roomId, false);
  }

  private onTyping(message: TypingMessage): void {
    const frame: ServerFrameOf<'typing'> = { type: 'typing', roomId: message.roomId, userId: message.userId };
    this.rooms.broadcast(message.roomId, encodeFrame(frame), 'typing', message.userId);
  }
}
