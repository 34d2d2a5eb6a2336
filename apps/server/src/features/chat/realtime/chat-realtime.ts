import { randomUUID } from 'node:crypto';
import { PROTOCOL_LIMITS, type Permission, type Role, type RoomEvent, type ServerFrameOf } from '@veza/shared';
import type { Bus } from '../../../infra/bus.js';
import type { Logger } from '../../../infra/logger.js';
import type { SentFrameType } from '../../../infra/metrics.js';
import { API_KEY_REVOKED_SUBJECT } from '../../api-keys/store.js';
import type { AccountChange } from '../../auth/account-changes.js';
import { SESSION_REVOKED_SUBJECT } from '../../auth/service.js';
import { ALL_USER_NOTICES, type UserNotice } from '../../media/track-notices.js';
import type { ChatService } from '../service.js';
import { ALL_ROOM_EVENTS, ALL_TYPING, PRESENCE_SUBJECT, typingSubject } from '../subjects.js';

/**
 * An event with its JSON encoded once into UTF-8 bytes; the same buffer is written to every
 * socket, so a fan-out to N sockets costs one serialisation, not N.
 */
export interface WireEvent {
  event: RoomEvent;
  data: Buffer;
}

export const encodeFrame = (frame: unknown): Buffer => Buffer.from(JSON.stringify(frame));

/** What the hub needs from a connection. */
export interface HubClient {
  readonly userId: string;
  /** The sign-in session behind the connection's credential; null for API keys. */
  readonly sessionId: string | null;
  /** The API key behind the connection's credential, if it is one. */
  readonly apiKeyId: string | null;
  /** What the connection's credential may do now. */
  readonly permissions: ReadonlySet<Permission>;
  /** Ends the connection: its credential is no longer valid. */
  revoke(): void;
  /** The user's role changed: the new role's permissions apply from the next frame on. */
  changeRole(role: Role): void;
  /** The user's account was disabled: the connection ends. */
  disable(): void;
  /**
   * Starts following a room live, with `deliveredSeq` as the last event it already has.
   * `catchUp` also reads what the log holds beyond it, for events that overtook the one that
   * made the user a member.
   */
  follow(roomId: string, deliveredSeq: number, options?: { catchUp?: boolean }): void;
  unfollow(roomId: string): void;
  isFollowing(roomId: string): boolean;
  deliver(wire: WireEvent): void;
  /** Sends one frame, already encoded, as a text message; `type` is the frame's, for /metrics. */
  sendData(data: Buffer, type: SentFrameType): void;
}

type PresenceMessage =
  | { kind: 'online' | 'offline'; instanceId: string; userId: string; roomIds: string[] }
  | { kind: 'sync'; instanceId: string; users: { userId: string; roomIds: string[] }[] };

interface TypingMessage {
  roomId: string;
  userId: string;
}

/**
 * The instance's switchboard: takes room events, typing notices and presence from the bus and
 * hands them to the local connections that follow the rooms concerned. Membership changes move
 * connections in and out of rooms as the events pass, so a removed member's stream stops with
 * the event that removes them.
 *
 * Presence is kept per (user, instance): a user is online while any instance has a connection
 * for them. Each instance re-announces its users periodically, and an instance that vanished
 * without saying so expires after three periods.
 */
export class ChatHub {
  readonly instanceId: string;
  private readonly followers = new Map<string, Set<HubClient>>();
  private readonly clientsByUser = new Map<string, Set<HubClient>>();
  private readonly localRooms = new Map<string, string[]>();
  private readonly presence = new Map<string, Map<string, number>>();
  private readonly presenceRooms = new Map<string, string[]>();
  private readonly onlineByRoom = new Map<string, Set<string>>();
  private readonly fills = new Map<string, Promise<WireEvent[]>>();
  private readonly unsubscribe: (() => void)[] = [];
  private syncTimer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: { bus: Bus; chat: ChatService; logger: Logger; presenceIntervalMs: number }) {
    this.instanceId = deps.bus.instanceId ?? randomUUID();
  }

  start(): void {
    const { bus } = this.deps;
    this.unsubscribe.push(
      bus.subscribe(ALL_ROOM_EVENTS, (payload) => this.onRoomEvent(payload as RoomEvent)),
      bus.subscribe(ALL_TYPING, (payload) => this.onTyping(payload as TypingMessage)),
      bus.subscribe(PRESENCE_SUBJECT, (payload) => this.onPresence(payload as PresenceMessage)),
      bus.subscribe(SESSION_REVOKED_SUBJECT, (payload) =>
        this.onSessionRevoked((payload as { sessionId: string }).sessionId),
      ),
      bus.subscribe(API_KEY_REVOKED_SUBJECT, (payload) =>
        this.onApiKeyRevoked((payload as { apiKeyId: string }).apiKeyId),
      ),
      bus.subscribe(ALL_USER_NOTICES, (payload) => this.onUserNotice(payload as UserNotice)),
    );
    this.syncTimer = setInterval(() => this.announceAll(), this.deps.presenceIntervalMs);
    this.syncTimer.unref();
  }

  async close(): Promise<void> {
    clearInterval(this.syncTimer);
    for (const userId of [...this.localRooms.keys()]) this.publishPresence('offline', userId);
    for (const stop of this.unsubscribe.splice(0)) stop();
  }

  /**
   * A connection authenticated: from now on membership events for its user reach it. Called
   * before its rooms are read, so a room joined meanwhile is not missed.
   */
  register(client: HubClient): void {
    let clients = this.clientsByUser.get(client.userId);
    if (!clients) {
      clients = new Set();
      this.clientsByUser.set(client.userId, clients);
    }
    clients.add(client);
  }

  /** The connection's rooms are known: it counts for the user's presence. */
  announce(client: HubClient, roomIds: string[]): void {
    const first = !this.localRooms.has(client.userId);
    this.localRooms.set(client.userId, roomIds);
    if (first) this.publishPresence('online', client.userId);
  }

  /** The connection closed; it has already stopped following its rooms. */
  detach(client: HubClient): void {
    const clients = this.clientsByUser.get(client.userId);
    if (!clients?.delete(client)) return;
    if (clients.size === 0) {
      this.clientsByUser.delete(client.userId);
      if (this.localRooms.has(client.userId)) this.publishPresence('offline', client.userId);
      this.localRooms.delete(client.userId);
    }
  }

  addFollower(client: HubClient, roomId: string): void {
    let set = this.followers.get(roomId);
    if (!set) {
      set = new Set();
      this.followers.set(roomId, set);
    }
    set.add(client);
  }

  removeFollower(client: HubClient, roomId: string): void {
    const set = this.followers.get(roomId);
    set?.delete(client);
    if (set?.size === 0) this.followers.delete(roomId);
  }

  /** Events after `after` up to `until`, read once from the log however many connections ask. */
  fill(roomId: string, after: number, until: number): Promise<WireEvent[]> {
    // One page at a time; the connection asks again for what remains.
    until = Math.min(until, after + PROTOCOL_LIMITS.replayPageSize);
    const key = `${roomId}:${after}:${until}`;
    let pending = this.fills.get(key);
    if (!pending) {
      pending = this.deps.chat
        .readEvents(roomId, after, until - after, until)
        .then((events) => events.map((event) => ({ event, data: encodeFrame(event) })))
        .finally(() => setTimeout(() => this.fills.delete(key), 1_000).unref());
      this.fills.set(key, pending);
    }
    return pending;
  }

  /** This instance's connections of one user. */
  clientsOf(userId: string): HubClient[] {
    return [...(this.clientsByUser.get(userId) ?? [])];
  }

  /** How many connections one user has on this instance. */
  connectionCount(userId: string): number {
    return this.clientsByUser.get(userId)?.size ?? 0;
  }

  /** Users with at least one connection on this instance. */
  connectedUserIds(): string[] {
    return [...this.clientsByUser.keys()];
  }

  /** The sign-in sessions behind this instance's connections (API-key connections have none). */
  connectedSessionIds(): string[] {
    const ids = new Set<string>();
    for (const clients of this.clientsByUser.values())
      for (const client of clients) if (client.sessionId !== null) ids.add(client.sessionId);
    return [...ids];
  }

  /** Closes the connections opened with any of these sessions, whoever their user. */
  endSessions(sessionIds: readonly string[]): void {
    const ended = new Set(sessionIds);
    for (const clients of this.clientsByUser.values())
      for (const client of [...clients]) if (client.sessionId !== null && ended.has(client.sessionId)) client.revoke();
  }

  /** A role change or a disabled account reaches every connection of that user on this instance. */
  applyAccountChange(change: AccountChange): void {
    const ended = change.kind === 'sessions-ended' ? new Set(change.sessionIds) : undefined;
    for (const client of this.clientsOf(change.userId)) {
      if (change.kind === 'role') client.changeRole(change.role);
      else if (change.kind === 'disabled') client.disable();
      else if (client.sessionId !== null && ended!.has(client.sessionId)) client.revoke();
    }
  }

  isOnline(userId: string): boolean {
    return (this.presence.get(userId)?.size ?? 0) > 0;
  }

  /** Users online in any of these rooms, from the presence announcements (no database read). */
  onlineRoomMates(userId: string, roomIds: string[]): string[] {
    const mates = new Set<string>();
    for (const roomId of roomIds)
      for (const id of this.onlineByRoom.get(roomId) ?? []) if (id !== userId) mates.add(id);
    return [...mates];
  }

  publishTyping(roomId: string, userId: string): void {
    this.publish(typingSubject(roomId), { roomId, userId } satisfies TypingMessage);
  }

  /** Ephemeral notices: losing one is harmless, but it must never become an unhandled rejection. */
  private publish(subject: string, payload: unknown): void {
    this.deps.bus.publish(subject, payload).catch((error: unknown) => {
      this.deps.logger.warn({ err: error, subject }, 'ephemeral publish failed');
    });
  }

  private onRoomEvent(event: RoomEvent): void {
    const wire = { event, data: encodeFrame(event) };
    if (event.kind === 'member.joined') {
      for (const client of this.clientsByUser.get(event.data.userId) ?? []) {
        if (!client.isFollowing(event.roomId)) client.follow(event.roomId, event.seq - 1, { catchUp: true });
      }
      this.noteRoomOfUser(event.data.userId, event.roomId, true);
    }
    // A removed member's connections stop at member.left themselves, once it is delivered in
    // order (events behind a gap are never sent past it).
    for (const client of this.followers.get(event.roomId) ?? []) client.deliver(wire);
    if (event.kind === 'member.left') this.noteRoomOfUser(event.data.userId, event.roomId, false);
  }

  private onSessionRevoked(sessionId: string): void {
    for (const clients of this.clientsByUser.values()) {
      for (const client of clients) if (client.sessionId === sessionId) client.revoke();
    }
  }

  private onApiKeyRevoked(apiKeyId: string): void {
    for (const clients of this.clientsByUser.values()) {
      for (const client of clients) if (client.apiKeyId === apiKeyId) client.revoke();
    }
  }

  private onUserNotice(notice: UserNotice): void {
    const clients = this.clientsByUser.get(notice.userId);
    if (!clients) return;
    const data = encodeFrame(notice.frame);
    for (const client of clients) client.sendData(data, notice.frame.type);
  }

  private onTyping(message: TypingMessage): void {
    const frame: ServerFrameOf<'typing'> = { type: 'typing', roomId: message.roomId, userId: message.userId };
    const data = encodeFrame(frame);
    for (const client of this.followers.get(message.roomId) ?? []) {
      if (client.userId !== message.userId) client.sendData(data, 'typing');
    }
  }

  private publishPresence(kind: 'online' | 'offline', userId: string): void {
    const message: PresenceMessage = {
      kind,
      instanceId: this.instanceId,
      userId,
      roomIds: this.localRooms.get(userId) ?? [],
    };
    this.publish(PRESENCE_SUBJECT, message);
  }

  private announceAll(): void {
    const users = [...this.localRooms.keys()].map((userId) => ({
      userId,
      roomIds: this.localRooms.get(userId) ?? [],
    }));
    this.publish(PRESENCE_SUBJECT, {
      kind: 'sync',
      instanceId: this.instanceId,
      users,
    } satisfies PresenceMessage);
    this.expirePresence();
  }

  private onPresence(message: PresenceMessage): void {
    const now = Date.now();
    if (message.kind === 'sync') {
      for (const { userId, roomIds } of message.users) this.markPresence(userId, message.instanceId, now, roomIds);
      return;
    }
    if (message.kind === 'online') this.markPresence(message.userId, message.instanceId, now, message.roomIds);
    else this.clearPresence(message.userId, message.instanceId, message.roomIds);
  }

  private markPresence(userId: string, instanceId: string, now: number, roomIds: string[]): void {
    let instances = this.presence.get(userId);
    const wasOnline = (instances?.size ?? 0) > 0;
    if (!instances) {
      instances = new Map();
      this.presence.set(userId, instances);
    }
    instances.set(instanceId, now);
    this.indexRooms(userId, roomIds);
    if (!wasOnline) this.notifyPresence(userId, 'online', roomIds);
  }

  private clearPresence(userId: string, instanceId: string, roomIds: string[]): void {
    const instances = this.presence.get(userId);
    if (!instances?.delete(instanceId)) return;
    if (instances.size === 0) {
      this.presence.delete(userId);
      this.notifyPresence(userId, 'offline', roomIds.length > 0 ? roomIds : (this.presenceRooms.get(userId) ?? []));
      this.indexRooms(userId, []);
    }
  }

  private expirePresence(): void {
    const deadline = Date.now() - 3 * this.deps.presenceIntervalMs;
    for (const [userId, instances] of this.presence) {
      for (const [instanceId, seen] of instances) {
        if (seen < deadline && instanceId !== this.instanceId) this.clearPresence(userId, instanceId, []);
      }
    }
  }

  /** Keeps `onlineByRoom` in step with the rooms an online user was last announced in. */
  private indexRooms(userId: string, roomIds: string[]): void {
    const next = new Set(roomIds);
    for (const roomId of this.presenceRooms.get(userId) ?? []) {
      if (next.has(roomId)) continue;
      const users = this.onlineByRoom.get(roomId);
      users?.delete(userId);
      if (users?.size === 0) this.onlineByRoom.delete(roomId);
    }
    for (const roomId of next) {
      let users = this.onlineByRoom.get(roomId);
      if (!users) {
        users = new Set();
        this.onlineByRoom.set(roomId, users);
      }
      users.add(userId);
    }
    if (roomIds.length > 0) this.presenceRooms.set(userId, roomIds);
    else this.presenceRooms.delete(userId);
  }

  private notifyPresence(userId: string, status: 'online' | 'offline', roomIds: string[]): void {
    const frame: ServerFrameOf<'presence'> = { type: 'presence', userId, status };
    const data = encodeFrame(frame);
    const told = new Set<HubClient>();
    for (const roomId of roomIds) {
      for (const client of this.followers.get(roomId) ?? []) {
        if (client.userId === userId || told.has(client)) continue;
        told.add(client);
        client.sendData(data, 'presence');
      }
    }
  }

  private noteRoomOfUser(userId: string, roomId: string, member: boolean): void {
    const rooms = this.localRooms.get(userId);
    if (!rooms) return;
    const next = rooms.filter((id) => id !== roomId);
    if (member) next.push(roomId);
    this.localRooms.set(userId, next);
  }
}
