import { randomUUID } from 'node:crypto';
import type { ServerFrameOf } from '@veza/shared';
import type { Bus } from '../infra/bus.js';
import type { Clock, Timer } from '../infra/clock.js';
import type { Logger } from '../infra/logger.js';
import { encodeFrame } from './frames.js';
import { presenceTopic, type PresenceMessage } from './topics.js';

/** Where a user's arrivals and departures are told: the connections following any of these rooms. */
export interface PresenceAudience {
  tell(roomIds: readonly string[], aboutUserId: string, data: Buffer): void;
}

/**
 * Who is online, across instances. Presence is kept per (user, instance): a user is online
 * while any instance has a connection for them. Each instance announces its users with the
 * rooms they are seen in, and re-announces them periodically; an instance that vanished
 * without saying so expires after three periods.
 */
export class Presence {
  readonly instanceId: string;
  /** This instance's announced users and the rooms their presence travels through. */
  private readonly localRooms = new Map<string, string[]>();
  private readonly seen = new Map<string, Map<string, number>>();
  private readonly presenceRooms = new Map<string, string[]>();
  private readonly onlineByRoom = new Map<string, Set<string>>();
  private stop: (() => void) | undefined;
  private syncTimer: Timer | undefined;

  constructor(
    private readonly deps: {
      bus: Bus;
      clock: Clock;
      logger: Logger;
      intervalMs: number;
      audiences: readonly PresenceAudience[];
    },
  ) {
    this.instanceId = deps.bus.instanceId ?? randomUUID();
  }

  start(): void {
    this.stop = this.deps.bus.subscribe(presenceTopic, (message) => this.onMessage(message));
    this.syncTimer = this.deps.clock.setInterval(() => this.announceAll(), this.deps.intervalMs);
  }

  close(): void {
    this.deps.clock.clearTimeout(this.syncTimer);
    for (const userId of [...this.localRooms.keys()]) this.publish('offline', userId);
    this.stop?.();
  }

  /** A connection of the user knows its rooms: the user counts as online here. */
  announce(userId: string, roomIds: string[]): void {
    const first = !this.localRooms.has(userId);
    this.localRooms.set(userId, roomIds);
    if (first) this.publish('online', userId);
  }

  /** The user's last connection on this instance closed. */
  leave(userId: string): void {
    if (!this.localRooms.has(userId)) return;
    this.publish('offline', userId);
    this.localRooms.delete(userId);
  }

  /** The user joined or left a room: their next announcements say so. */
  noteRoom(userId: string, roomId: string, member: boolean): void {
    const rooms = this.localRooms.get(userId);
    if (!rooms) return;
    const next = rooms.filter((id) => id !== roomId);
    if (member) next.push(roomId);
    this.localRooms.set(userId, next);
  }

  /** Users online on any instance, from the announcements (no database read). */
  onlineCount(): number {
    return this.seen.size;
  }

  isOnline(userId: string): boolean {
    return (this.seen.get(userId)?.size ?? 0) > 0;
  }

  /** Users online in any of these rooms, from the announcements (no database read). */
  onlineRoomMates(userId: string, roomIds: string[]): string[] {
    const mates = new Set<string>();
    for (const roomId of roomIds)
      for (const id of this.onlineByRoom.get(roomId) ?? []) if (id !== userId) mates.add(id);
    return [...mates];
  }

  private publish(kind: 'online' | 'offline', userId: string): void {
    this.send({ kind, instanceId: this.instanceId, userId, roomIds: this.localRooms.get(userId) ?? [] });
  }

  /** Presence is ephemeral: losing a message is harmless, but it must never become an unhandled rejection. */
  private send(message: PresenceMessage): void {
    this.deps.bus.publish(presenceTopic, {}, message).catch((error: unknown) => {
      this.deps.logger.warn({ err: error, topic: presenceTopic.pattern }, 'ephemeral publish failed');
    });
  }

  private announceAll(): void {
    const users = [...this.localRooms].map(([userId, roomIds]) => ({ userId, roomIds }));
    this.send({ kind: 'sync', instanceId: this.instanceId, users });
    this.expire();
  }

  private onMessage(message: PresenceMessage): void {
    const now = this.deps.clock.now().getTime();
    if (message.kind === 'sync') {
      for (const { userId, roomIds } of message.users) this.mark(userId, message.instanceId, now, roomIds);
      return;
    }
    if (message.kind === 'online') this.mark(message.userId, message.instanceId, now, message.roomIds);
    else this.clear(message.userId, message.instanceId, message.roomIds);
  }

  private mark(userId: string, instanceId: string, now: number, roomIds: string[]): void {
    let instances = this.seen.get(userId);
    const wasOnline = (instances?.size ?? 0) > 0;
    if (!instances) {
      instances = new Map();
      this.seen.set(userId, instances);
    }
    instances.set(instanceId, now);
    this.indexRooms(userId, roomIds);
    if (!wasOnline) this.tell(userId, 'online', roomIds);
  }

  private clear(userId: string, instanceId: string, roomIds: string[]): void {
    const instances = this.seen.get(userId);
    if (!instances?.delete(instanceId)) return;
    if (instances.size === 0) {
      this.seen.delete(userId);
      this.tell(userId, 'offline', roomIds.length > 0 ? roomIds : (this.presenceRooms.get(userId) ?? []));
      this.indexRooms(userId, []);
    }
  }

  private expire(): void {
    const deadline = this.deps.clock.now().getTime() - 3 * this.deps.intervalMs;
    for (const [userId, instances] of this.seen) {
      for (const [instanceId, seen] of instances) {
        if (seen < deadline && instanceId !== this.instanceId) this.clear(userId, instanceId, []);
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

  private tell(userId: string, status: 'online' | 'offline', roomIds: string[]): void {
    if (roomIds.length === 0) return;
    const frame: ServerFrameOf<'presence'> = { type: 'presence', userId, status };
    const data = encodeFrame(frame);
    for (const audience of this.deps.audiences) audience.tell(roomIds, userId, data);
  }
}
