import {
  CLOSE_CODES,
  PROTOCOL_LIMITS,
  PROTOCOL_VERSION,
  type ClientFrame,
  type ClientFrameOf,
  type ErrorCode,
  type Permission,
  type Role,
  type RoomEvent,
  type ServerFrame,
} from '@veza/shared';
import type { WebSocket } from 'ws';
import type { Clock } from '../../../infra/clock.js';
import { BAD_INPUT_MESSAGE, isBadInputError } from '../../../infra/db/errors.js';
import { AppError } from '../../../infra/errors.js';
import type { Logger } from '../../../infra/logger.js';
import type { Metrics, SentFrameType, WsConnectionState } from '../../../infra/metrics.js';
import { withRole, type Principal } from '../../auth/principal.js';
import type { AuthService } from '../../auth/service.js';
import type { Actor, ChatService } from '../service.js';
import { closeSocket } from './close-socket.js';
import { parseClientFrame } from './frames.js';
import { encodeFrame, type ChatHub, type HubClient, type WireEvent } from './hub.js';
import type { SendLimiter } from './send-limiter.js';

/**
 * Rooms with more members than this carry no presence: announcing every arrival to thousands
 * of members (and every member to each arrival) would cost O(members²) frames.
 */
export const PRESENCE_ROOM_LIMIT = 500;

/** Live events held for one room while it replays or waits for a gap to fill. */
const MAX_PENDING_EVENTS = 10_000;
/** Frames received and not yet handled; a client past this is flooding, not talking. */
const MAX_QUEUED_FRAMES = 256;

export interface GatewayLimits {
  helloTimeoutMs: number;
  /** Bytes queued on a socket beyond which the client is too slow and is disconnected. */
  maxBufferedBytes: number;
  /** How long to wait for a missing event to arrive before reading it from the log. */
  gapWaitMs: number;
  heartbeatMs: number;
  typingIntervalMs: number;
  /** Sockets one account may have open on this instance; one more is refused. */
  maxSocketsPerUser: number;
  /** Sockets one address may have open on this instance before they say hello. */
  maxPendingSocketsPerAddress: number;
  /** How long a peer has to answer a close frame the server sent before its connection is cut. */
  closeTimeoutMs: number;
}

export const DEFAULT_GATEWAY_LIMITS: GatewayLimits = {
  helloTimeoutMs: PROTOCOL_LIMITS.helloTimeoutMs,
  maxBufferedBytes: 4 * 1024 * 1024,
  gapWaitMs: 100,
  heartbeatMs: 30_000,
  typingIntervalMs: 2_000,
  maxSocketsPerUser: 20,
  maxPendingSocketsPerAddress: 32,
  closeTimeoutMs: 2_000,
};

export interface ConnectionDeps {
  auth: AuthService;
  chat: ChatService;
  hub: ChatHub;
  limiter: SendLimiter;
  clock: Clock;
  logger: Logger;
  limits: GatewayLimits;
  metrics: Metrics;
}

/** Per followed room: what was delivered, and what waits while a replay or a gap is in progress. */
interface RoomStream {
  delivered: number;
  replaying: boolean;
  pending: Map<number, WireEvent>;
  gapTimer: NodeJS.Timeout | undefined;
}

/**
 * One WebSocket client. Frames are handled one at a time in arrival order; every room's stream
 * reaches the client gapless and in seq order: replay first, then live events, with duplicates
 * dropped and gaps filled from the log.
 */
export class ChatConnection implements HubClient {
  private principal: Principal | undefined;
  private readonly rooms = new Map<string, RoomStream>();
  private queue: Promise<void> = Promise.resolve();
  private helloTimer: NodeJS.Timeout | undefined;
  private expiryTimer: NodeJS.Timeout | undefined;
  private readonly lastTyping = new Map<string, number>();
  private closed = false;
  private registered = false;
  private queuedFrames = 0;
  /** Role changes applied so far: a standing read that overlapped one of them is older than it. */
  private roleChanges = 0;
  alive = true;

  /**
   * `leavePending` is called once the socket said hello successfully or closed, whichever comes
   * first: it stops counting against its address's sockets waiting for hello.
   */
  constructor(
    private readonly socket: WebSocket,
    private readonly deps: ConnectionDeps,
    private readonly leavePending: () => void = () => undefined,
  ) {
    this.helloTimer = setTimeout(
      () => this.close(CLOSE_CODES.HELLO_TIMEOUT, 'no hello received in time'),
      deps.limits.helloTimeoutMs,
    );
    socket.on('message', (data, isBinary) => {
      if (isBinary) {
        this.enqueue(async () => {
          deps.metrics.wsFramesReceived.add('invalid');
          this.refuse('BAD_FRAME', 'Frames must be JSON text, not binary.', undefined);
          if (!this.principal) this.close(CLOSE_CODES.PROTOCOL_ERROR, 'expected hello');
        });
        return;
      }
      const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : data.toString('utf8');
      this.enqueue(() => this.onText(text));
    });
    socket.on('pong', () => {
      this.alive = true;
    });
    socket.on('close', () => this.dispose());
    socket.on('error', (error) => deps.logger.debug({ err: error }, 'websocket error'));
  }

  get userId(): string {
    return this.principal?.user.id ?? '';
  }

  /** For /metrics: closing from the moment it is told to close until its socket has closed. */
  get state(): WsConnectionState {
    return this.closed ? 'closing' : this.principal ? 'open' : 'authenticating';
  }

  // ── HubClient ──────────────────────────────────────────────────────────────

  get sessionId(): string | null {
    return this.principal?.sessionId ?? null;
  }

  get apiKeyId(): string | null {
    return this.principal?.apiKeyId ?? null;
  }

  follow(roomId: string, deliveredSeq: number, options: { catchUp?: boolean } = {}): void {
    if (this.rooms.has(roomId)) return;
    const stream: RoomStream = { delivered: deliveredSeq, replaying: false, pending: new Map(), gapTimer: undefined };
    this.rooms.set(roomId, stream);
    this.deps.hub.addFollower(this, roomId);
    if (options.catchUp) {
      stream.gapTimer = setTimeout(() => {
        stream.gapTimer = undefined;
        if (this.rooms.get(roomId) !== stream) return;
        void this.deps.chat
          .readEvents(roomId, stream.delivered, PROTOCOL_LIMITS.replayPageSize)
          .then((events) => {
            for (const event of events) stream.pending.set(event.seq, { event, data: encodeFrame(event) });
            if (this.rooms.get(roomId) === stream) this.drain(roomId, stream);
          })
          .catch((error: unknown) => this.deps.logger.error({ err: error, roomId }, 'catch-up after join failed'));
      }, this.deps.limits.gapWaitMs);
    }
  }

  get permissions(): ReadonlySet<Permission> {
    return this.principal?.permissions ?? new Set();
  }

  revoke(): void {
    this.sendFrame({ type: 'error', code: 'TOKEN_INVALID', message: 'This session has ended. Sign in again.' });
    this.close(CLOSE_CODES.UNAUTHORIZED, 'session ended');
  }

  changeRole(role: Role): void {
    if (!this.principal || this.closed) return;
    this.roleChanges += 1;
    // In place, not by closing: a user whose role changes keeps chatting with what the new role allows.
    this.principal = withRole(this.principal, role);
    if (!this.principal.permissions.has('chat:read')) {
      this.sendFrame({ type: 'error', code: 'FORBIDDEN', message: 'Your role no longer allows reading chat.' });
      this.close(CLOSE_CODES.UNAUTHORIZED, 'forbidden');
    }
  }

  disable(): void {
    this.sendFrame({ type: 'error', code: 'FORBIDDEN', message: 'This account has been disabled.' });
    this.close(CLOSE_CODES.ACCOUNT_DISABLED, 'account disabled');
  }

  unfollow(roomId: string): void {
    const stream = this.rooms.get(roomId);
    if (!stream) return;
    clearTimeout(stream.gapTimer);
    this.rooms.delete(roomId);
    this.deps.hub.removeFollower(this, roomId);
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
      this.close(CLOSE_CODES.TOO_SLOW, 'too far behind');
      return;
    }
    stream.pending.set(wire.event.seq, wire);
    if (!stream.replaying) this.drain(wire.event.roomId, stream);
  }

  sendData(data: Buffer, type: SentFrameType): void {
    const { metrics } = this.deps;
    if (this.closed || this.socket.readyState !== this.socket.OPEN) {
      metrics.wsFramesDropped.add('closed');
      return;
    }
    // A client that does not read fast enough is cut off rather than slowing everyone; it
    // resumes from its cursors when it reconnects.
    if (this.socket.bufferedAmount > this.deps.limits.maxBufferedBytes) {
      metrics.wsFramesDropped.add('too_slow');
      metrics.wsSlowConsumerCloses.add('send_buffer');
      this.close(CLOSE_CODES.TOO_SLOW, 'too slow: send queue full');
      return;
    }
    this.socket.send(data, { binary: false });
    metrics.wsFramesSent.add(type);
  }

  // ── frames ─────────────────────────────────────────────────────────────────

  private enqueue(work: () => Promise<void>): void {
    if (this.queuedFrames >= MAX_QUEUED_FRAMES) {
      if (!this.closed) this.deps.metrics.wsSlowConsumerCloses.add('inbound_queue');
      this.close(CLOSE_CODES.TOO_SLOW, 'too many frames waiting');
      return;
    }
    this.queuedFrames += 1;
    const run = async (): Promise<void> => {
      this.queuedFrames -= 1;
      await work();
    };
    this.queue = this.queue.then(run).catch((error: unknown) => {
      this.deps.logger.error({ err: error }, 'websocket frame handling failed');
      this.sendFrame({ type: 'error', code: 'INTERNAL_ERROR', message: 'Something went wrong on the server.' });
    });
  }

  private async onText(text: string): Promise<void> {
    if (this.closed) return;
    const parsed = parseClientFrame(text);
    this.deps.metrics.wsFramesReceived.add(parsed.ok ? parsed.frame.type : 'invalid');
    if (!this.principal) {
      if (!parsed.ok || parsed.frame.type !== 'hello') {
        const message = parsed.ok ? 'The first frame must be hello.' : parsed.message;
        this.sendFrame({ type: 'error', code: 'BAD_FRAME', message });
        this.close(CLOSE_CODES.PROTOCOL_ERROR, 'expected hello');
        return;
      }
      await this.onHello(parsed.frame);
      return;
    }
    if (!parsed.ok) {
      this.refuse('BAD_FRAME', parsed.message, parsed.ref);
      return;
    }
    try {
      await this.handle(parsed.frame);
    } catch (error) {
      const frame = parsed.frame;
      const ref = 'ref' in frame ? frame.ref : undefined;
      const clientId = frame.type === 'send' ? frame.clientId : undefined;
      if (error instanceof AppError) this.refuse(error.code, error.message, ref, clientId);
      else if (isBadInputError(error)) this.refuse('BAD_FRAME', BAD_INPUT_MESSAGE, ref, clientId);
      else throw error;
    }
  }

  private async handle(frame: ClientFrame): Promise<void> {
    switch (frame.type) {
      case 'hello':
        throw new AppError(400, 'BAD_FRAME', 'hello was already received on this connection.');
      case 'auth':
        return this.onAuth(frame);
      case 'send': {
        this.require('chat:write');
        this.throttle();
        const result = await this.deps.chat.send(this.actor(), frame);
        this.sendFrame({
          type: 'ack',
          clientId: frame.clientId,
          messageId: result.messageId,
          roomId: frame.roomId,
          seq: result.seq,
        });
        return;
      }
      case 'edit':
        this.require('chat:write');
        this.throttle();
        return this.done(frame.ref, (await this.deps.chat.edit(this.actor(), frame.messageId, frame.body)).seq);
      case 'delete':
        this.require('chat:write');
        this.throttle();
        return this.done(frame.ref, (await this.deps.chat.delete(this.actor(), frame.messageId)).seq);
      case 'react':
        this.require('chat:write');
        this.throttle();
        return this.done(
          frame.ref,
          (await this.deps.chat.react(this.actor(), frame.messageId, frame.emoji, frame.op)).seq,
        );
      case 'read':
        await this.deps.chat.markRead(this.actor(), frame.roomId, frame.seq);
        return this.done(frame.ref, null);
      case 'typing':
        return this.onTyping(frame);
      case 'fetch':
        return this.onFetch(frame);
    }
  }

  private async onHello(frame: ClientFrameOf<'hello'>): Promise<void> {
    clearTimeout(this.helloTimer);
    if (frame.protocol !== PROTOCOL_VERSION) {
      this.sendFrame({
        type: 'error',
        code: 'PROTOCOL_VERSION_UNSUPPORTED',
        message: `This server speaks protocol ${PROTOCOL_VERSION}; the client sent ${frame.protocol}.`,
      });
      this.close(CLOSE_CODES.UNSUPPORTED_PROTOCOL, 'unsupported protocol');
      return;
    }
    let principal: Principal;
    try {
      principal = await this.deps.auth.authenticate(frame.token);
    } catch (error) {
      const code: ErrorCode = error instanceof AppError ? error.code : 'TOKEN_INVALID';
      this.sendFrame({
        type: 'error',
        code,
        message: error instanceof AppError ? error.message : 'Authentication failed.',
      });
      this.close(CLOSE_CODES.UNAUTHORIZED, 'authentication failed');
      return;
    }
    // The client may have hung up while we waited: register nothing for a closed socket.
    if (this.closed) return;
    if (!principal.permissions.has('chat:read')) {
      this.sendFrame({ type: 'error', code: 'FORBIDDEN', message: 'This credential may not read chat.' });
      this.close(CLOSE_CODES.UNAUTHORIZED, 'forbidden');
      return;
    }
    const { maxSocketsPerUser } = this.deps.limits;
    if (this.deps.hub.connectionCount(principal.user.id) >= maxSocketsPerUser) {
      this.sendFrame({
        type: 'error',
        code: 'RATE_LIMITED',
        message: `This account already has ${maxSocketsPerUser} connections open to this server; close one first.`,
      });
      this.close(CLOSE_CODES.TOO_MANY_CONNECTIONS, 'too many connections for this account');
      return;
    }
    this.principal = principal;
    this.armExpiry(principal.expiresAt);
    this.leavePending();

    this.deps.hub.register(this);
    this.registered = true;
    await this.confirmStanding();
    if (this.closed) return;
    const memberships = await this.deps.chat.memberships(principal.user.id);
    if (this.closed) return;
    // Presence travels only through rooms small enough for it (see PRESENCE_ROOM_LIMIT).
    const presenceRooms = [...memberships].filter(([, m]) => m.memberCount <= PRESENCE_ROOM_LIMIT).map(([id]) => id);
    this.deps.hub.announce(this, presenceRooms);
    this.sendFrame({
      type: 'welcome',
      protocol: PROTOCOL_VERSION,
      userId: principal.user.id,
      rooms: [...memberships].map(([roomId, { lastSeq }]) => ({ roomId, lastSeq })),
      expiresAt: principal.expiresAt?.toISOString() ?? null,
      heartbeatMs: this.deps.limits.heartbeatMs,
    });

    for (const roomId of Object.keys(frame.cursors)) {
      if (!memberships.has(roomId)) this.sendFrame({ type: 'reset', roomId, reason: 'not_member', latestSeq: 0 });
    }
    // Every room is followed now, before any further await: a removal or an event that happens
    // while earlier rooms replay then reaches this connection's streams, never the void.
    const replays: [string, number][] = [];
    for (const [roomId, { lastSeq }] of memberships) {
      const cursor = frame.cursors[roomId];
      if (cursor === undefined || cursor > lastSeq) {
        this.follow(roomId, lastSeq);
        this.sendFrame({ type: 'reset', roomId, reason: 'unknown_cursor', latestSeq: lastSeq });
      } else if (lastSeq - cursor > PROTOCOL_LIMITS.maxReplayEvents) {
        this.follow(roomId, lastSeq);
        this.sendFrame({ type: 'reset', roomId, reason: 'cursor_too_old', latestSeq: lastSeq });
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
      if (this.closed) return;
    }

    for (const userId of this.deps.hub.onlineRoomMates(principal.user.id, presenceRooms)) {
      this.sendFrame({ type: 'presence', userId, status: 'online' });
    }
  }

  /** Sends the room's events after `cursor` in pages, then `synced`; live events wait meanwhile. */
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
      if (this.closed || this.rooms.get(roomId) !== stream) return;
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
      await this.waitForDrain();
      if (this.closed || this.rooms.get(roomId) !== stream) return;
    }
    stream.replaying = false;
    this.sendFrame({ type: 'synced', roomId, seq: stream.delivered });
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
    stream.gapTimer = setTimeout(() => {
      stream.gapTimer = undefined;
      if (this.rooms.get(roomId) !== stream || stream.pending.size === 0) return;
      let until = Number.MAX_SAFE_INTEGER;
      for (const seq of stream.pending.keys()) if (seq <= until) until = seq - 1;
      void this.deps.hub
        .fill(roomId, stream.delivered, until)
        .then((events) => {
          for (const wire of events) if (wire.event.seq > stream.delivered) stream.pending.set(wire.event.seq, wire);
          this.drain(roomId, stream);
        })
        .catch((error: unknown) => this.deps.logger.error({ err: error, roomId }, 'gap fill failed'));
    }, this.deps.limits.gapWaitMs);
  }

  private isOwnRemoval(event: RoomEvent): boolean {
    return event.kind === 'member.left' && event.data.userId === this.userId;
  }

  private async onFetch(frame: ClientFrameOf<'fetch'>): Promise<void> {
    // Reads cost the server too: fetches draw on the same budget as writes.
    this.throttle();
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
    this.sendFrame({
      type: 'fetched',
      roomId: frame.roomId,
      after: frame.after,
      until: events.at(-1)?.seq ?? frame.after,
      latestSeq: latest,
      ...(frame.ref ? { ref: frame.ref } : {}),
    });
  }

  private async onAuth(frame: ClientFrameOf<'auth'>): Promise<void> {
    this.throttle();
    const principal = await this.deps.auth.authenticate(frame.token);
    if (principal.user.id !== this.userId) {
      throw new AppError(403, 'FORBIDDEN', 'A connection cannot change user; open a new one.');
    }
    if (!principal.permissions.has('chat:read'))
      throw new AppError(403, 'FORBIDDEN', 'This credential may not read chat.');
    if (this.closed) return;
    this.principal = principal;
    this.armExpiry(principal.expiresAt);
    // The role just read may be older than a change announced while it was read.
    await this.confirmStanding();
    if (this.closed) return;
    this.done(frame.ref, null);
  }

  /**
   * Applies the account's standing read now to the principal just taken on. A notice (a role,
   * a disabled account, an ended session) announced while the credential was being checked
   * found no connection of this one's to act on, or was overwritten by what that check read;
   * read after the connection is registered, the standing cannot miss it.
   */
  private async confirmStanding(): Promise<void> {
    const principal = this.principal!;
    const roleChanges = this.roleChanges;
    const standing = await this.deps.auth.standing(principal);
    if (this.closed) return;
    if (standing.kind === 'disabled') this.disable();
    else if (standing.kind === 'credential-ended') this.revoke();
    // A role notice applied while this read was under way is newer than the read.
    else if (this.roleChanges === roleChanges && standing.role !== this.principal!.user.role)
      this.changeRole(standing.role);
  }

  private onTyping(frame: ClientFrameOf<'typing'>): void {
    this.require('chat:write');
    if (!this.rooms.has(frame.roomId)) throw new AppError(403, 'FORBIDDEN', 'You are not a member of this room.');
    const now = this.deps.clock.now().getTime();
    // Typing notices are ephemeral and frequent: at most one per room per interval is passed on.
    if (now - (this.lastTyping.get(frame.roomId) ?? 0) < this.deps.limits.typingIntervalMs) return;
    this.lastTyping.set(frame.roomId, now);
    this.deps.hub.publishTyping(frame.roomId, this.userId);
  }

  // ── helpers ────────────────────────────────────────────────────────────────

  private actor(): Actor {
    const principal = this.principal!;
    return { id: principal.user.id, username: principal.user.username, permissions: principal.permissions };
  }

  private require(permission: Permission): void {
    if (!this.principal?.permissions.has(permission)) {
      throw new AppError(403, 'FORBIDDEN', `This needs the "${permission}" permission.`);
    }
  }

  private throttle(): void {
    const decision = this.deps.limiter.take(this.userId);
    if (decision.ok) return;
    const seconds = Math.ceil(decision.retryAfterMs / 1000);
    throw decision.code === 'MUTED'
      ? new AppError(429, 'MUTED', `You are sending too fast and are muted for ${seconds} s.`)
      : new AppError(429, 'RATE_LIMITED', `Slow down: try again in ${seconds} s.`);
  }

  /** An access token that expires ends the connection, unless an `auth` frame replaced it. */
  private armExpiry(expiresAt: Date | null): void {
    clearTimeout(this.expiryTimer);
    if (!expiresAt) return;
    const ms = expiresAt.getTime() - this.deps.clock.now().getTime();
    this.expiryTimer = setTimeout(
      () => {
        this.sendFrame({
          type: 'error',
          code: 'TOKEN_EXPIRED',
          message: 'The access token expired; reconnect with a fresh one.',
        });
        this.close(CLOSE_CODES.UNAUTHORIZED, 'token expired');
      },
      Math.max(0, Math.min(ms, 2 ** 31 - 1)),
    );
  }

  private done(ref: string | undefined, seq: number | null): void {
    if (ref !== undefined) this.sendFrame({ type: 'done', ref, seq });
  }

  private refuse(code: ErrorCode, message: string, ref: string | undefined, clientId?: string): void {
    this.sendFrame({
      type: 'error',
      code,
      message,
      ...(ref !== undefined ? { ref } : {}),
      ...(clientId !== undefined ? { clientId } : {}),
    });
  }

  private sendFrame(frame: ServerFrame): void {
    this.sendData(encodeFrame(frame), frame.type);
  }

  private async waitForDrain(): Promise<void> {
    while (!this.closed && this.socket.bufferedAmount > this.deps.limits.maxBufferedBytes / 4) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    closeSocket(this.socket, code, reason, this.deps.limits.closeTimeoutMs);
    this.dispose();
  }

  private dispose(): void {
    if (this.closed) return;
    this.closed = true;
    this.leavePending();
    clearTimeout(this.helloTimer);
    clearTimeout(this.expiryTimer);
    for (const roomId of [...this.rooms.keys()]) this.unfollow(roomId);
    if (this.registered) this.deps.hub.detach(this);
  }

  terminate(): void {
    this.socket.terminate();
    this.dispose();
  }

  ping(): void {
    this.alive = false;
    this.socket.ping();
  }
}
