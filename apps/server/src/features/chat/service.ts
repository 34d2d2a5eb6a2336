import { randomBytes, randomUUID } from 'node:crypto';
import {
  createUuidV7,
  roleHasPermission,
  type Message,
  type Permission,
  type Room,
  type RoomEvent,
  type RoomRole,
} from '@veza/shared';
import type { Bus } from '../../infra/bus.js';
import type { Clock } from '../../infra/clock.js';
import type { Db, Queryable } from '../../infra/db/db.js';
import { AppError, forbidden, notFound } from '../../infra/errors.js';
import type { Logger } from '../../infra/logger.js';
import type { Actor } from '../auth/index.js';
import type { Metrics } from '../../infra/metrics.js';
import type { ChatGuard, GuardVerdict, MessageAttempt } from './guards.js';
import { parseMentions } from './mentions.js';
import * as store from './store.js';
import { ReadThrottle, type ReadLimits } from './read-throttle.js';
import { roomEventsTopic } from './topics.js';

/** Message ids grow with time (UUIDv7): they append to every index that holds them, here and in each client's cache. */
const newMessageId = createUuidV7((length) => randomBytes(length));

/** What a change did: the seq of its event, or null when nothing changed (an idempotent repeat). */
export interface ChangeResult {
  seq: number | null;
}

/** A send's outcome: stored (or found again, for a resend), or held by a guard for approval. */
export type SendResult = { held: false; messageId: string; seq: number; created: boolean } | { held: true };

const MODERATING: readonly RoomRole[] = ['owner', 'moderator'];

/**
 * Rooms, membership and messages. Every change appends to the room's event log in the same
 * transaction that stores it, under the room's row lock, and is published on the bus only after
 * the commit.
 */
export class ChatService {
  private readonly reads: ReadThrottle;
  private readonly guards: ChatGuard[] = [];

  constructor(
    private readonly deps: {
      db: Db;
      bus: Bus;
      clock: Clock;
      logger: Logger;
      readLimits?: ReadLimits;
      metrics?: Pick<Metrics, 'chatMessagesStored'>;
    },
  ) {
    this.reads = new ReadThrottle(deps.clock, deps.readLimits);
  }

  /** Another feature's checks on every send, edit and join (moderation's), in registration order. */
  addGuard(guard: ChatGuard): void {
    this.guards.push(guard);
  }

  // ── rooms ──────────────────────────────────────────────────────────────────

  async createRoom(
    actor: Actor,
    input: { name: string; visibility: 'public' | 'private'; topic?: string | undefined },
  ): Promise<Room> {
    const roomId = randomUUID();
    const now = this.deps.clock.now();
    const topic = input.topic?.trim() ? input.topic.trim() : null;
    await this.change(async (tx) => {
      await store.insertRoom(tx, {
        id: roomId,
        kind: input.visibility,
        name: input.name.trim(),
        topic,
        createdBy: actor.id,
        now,
        dmKey: null,
      });
      await store.insertMember(tx, { roomId, userId: actor.id, role: 'owner', now, lastReadSeq: 0 });
      await store.lockRoom(tx, roomId);
      return [await this.joinedEvent(tx, roomId, actor.id, actor.id, 'owner', now)];
    });
    return (await store.findRoomForUser(this.deps.db, actor.id, roomId))!;
  }

  listMyRooms(userId: string): Promise<Room[]> {
    return store.listRoomsOfUser(this.deps.db, userId);
  }

  listPublicRooms(userId: string, limit: number, offset: number): Promise<Room[]> {
    return store.listPublicRooms(this.deps.db, userId, limit, offset);
  }

  async join(actor: Actor, roomId: string): Promise<Room> {
    for (const guard of this.guards) await guard.checkJoin(roomId, actor.id);
    const now = this.deps.clock.now();
    await this.change(async (tx) => {
      const room = await this.lockExisting(tx, roomId);
      if (await store.findMemberRole(tx, roomId, actor.id)) return [];
      if (room.kind !== 'public') throw forbidden('This room is invitation only.');
      // History from before joining counts as read.
      await store.insertMember(tx, { roomId, userId: actor.id, role: 'member', now, lastReadSeq: room.lastSeq });
      return [await this.joinedEvent(tx, roomId, actor.id, actor.id, 'member', now)];
    });
    return (await store.findRoomForUser(this.deps.db, actor.id, roomId))!;
  }

  async leave(actor: Actor, roomId: string): Promise<ChangeResult> {
    const now = this.deps.clock.now();
    const events = await this.change(async (tx) => {
      const room = await this.lockExisting(tx, roomId);
      const role = await store.findMemberRole(tx, roomId, actor.id);
      if (!role) throw notFound('You are not a member of this room.');
      if (room.kind === 'dm') throw new AppError(400, 'BAD_REQUEST', 'A direct message cannot be left.');
      if (
        role === 'owner' &&
        (await store.countOwners(tx, roomId)) === 1 &&
        (await store.countMembers(tx, roomId)) > 1
      ) {
        throw new AppError(409, 'CONFLICT', 'You are the only owner; make another member owner before leaving.');
      }
      await store.deleteMember(tx, roomId, actor.id);
      return [
        await store.appendEvent(tx, {
          roomId,
          kind: 'member.left',
          actorId: actor.id,
          at: now,
          data: { userId: actor.id, reason: 'left' },
        }),
      ];
    });
    return { seq: events[0]?.seq ?? null };
  }

  /** Adds a user to a room: any member may invite to a public room, owners and moderators to a private one. */
  async invite(actor: Actor, roomId: string, userId: string): Promise<ChangeResult> {
    for (const guard of this.guards) await guard.checkJoin(roomId, userId);
    const now = this.deps.clock.now();
    const events = await this.change(async (tx) => {
      const room = await this.lockExisting(tx, roomId);
      const role = await this.requireMember(tx, roomId, actor.id);
      if (room.kind === 'dm') throw new AppError(400, 'BAD_REQUEST', 'Nobody can be invited to a direct message.');
      if (room.kind === 'private' && !MODERATING.includes(role)) {
        throw forbidden('Only owners and moderators can invite to a private room.');
      }
      if (!(await store.findUsername(tx, userId))) throw notFound('No user with this id.');
      if (await store.findMemberRole(tx, roomId, userId)) return [];
      await store.insertMember(tx, { roomId, userId, role: 'member', now, lastReadSeq: room.lastSeq });
      return [await this.joinedEvent(tx, roomId, actor.id, userId, 'member', now)];
    });
    return { seq: events[0]?.seq ?? null };
  }

  /** Removes a member: room owners and moderators (not an owner, unless an owner does it), or global moderators. */
  async removeMember(actor: Actor, roomId: string, userId: string): Promise<ChangeResult> {
    const now = this.deps.clock.now();
    const events = await this.change(async (tx) => {
      const room = await this.lockExisting(tx, roomId);
      if (room.kind === 'dm') throw new AppError(400, 'BAD_REQUEST', 'Nobody can be removed from a direct message.');
      const actorRole = await store.findMemberRole(tx, roomId, actor.id);
      const globalModerator = await this.holdsGlobally(tx, actor, 'moderation:act');
      if (!globalModerator && (!actorRole || !MODERATING.includes(actorRole))) {
        throw forbidden('Only owners and moderators can remove members.');
      }
      const targetRole = await store.findMemberRole(tx, roomId, userId);
      if (!targetRole) throw notFound('This user is not a member of the room.');
      if (
        targetRole === 'owner' &&
        (await store.countOwners(tx, roomId)) === 1 &&
        (await store.countMembers(tx, roomId)) > 1
      ) {
        throw new AppError(409, 'CONFLICT', 'This is the only owner; make another member owner first.');
      }
      if (targetRole === 'owner' && actorRole !== 'owner' && !globalModerator)
        throw forbidden('Only an owner can remove an owner.');
      await store.deleteMember(tx, roomId, userId);
      return [
        await store.appendEvent(tx, {
          roomId,
          kind: 'member.left',
          actorId: actor.id,
          at: now,
          data: { userId, reason: 'removed' },
        }),
      ];
    });
    return { seq: events[0]?.seq ?? null };
  }

  /** Opens (or finds) the direct-message room of two users. */
  async openDm(actor: Actor, peerId: string): Promise<Room> {
    if (peerId === actor.id) throw new AppError(400, 'BAD_REQUEST', 'You cannot open a direct message with yourself.');
    const peerName = await store.findUsername(this.deps.db, peerId);
    if (!peerName) throw notFound('No user with this id.');
    const dmKey = [actor.id, peerId].sort().join(':');
    const existing = await store.findDmRoomId(this.deps.db, dmKey);
    if (existing) return (await store.findRoomForUser(this.deps.db, actor.id, existing))!;
    const roomId = randomUUID();
    const now = this.deps.clock.now();
    try {
      await this.change(async (tx) => {
        await store.insertRoom(tx, { id: roomId, kind: 'dm', name: '', topic: null, createdBy: actor.id, now, dmKey });
        await store.lockRoom(tx, roomId);
        const events: RoomEvent[] = [];
        for (const userId of [actor.id, peerId]) {
          await store.insertMember(tx, { roomId, userId, role: 'member', now, lastReadSeq: 0 });
          events.push(await this.joinedEvent(tx, roomId, actor.id, userId, 'member', now));
        }
        return events;
      });
    } catch (error) {
      // Both users opened the conversation at the same moment: use the room that won.
      const winner =
        (error as { code?: string }).code === '23505' ? await store.findDmRoomId(this.deps.db, dmKey) : undefined;
      if (!winner) throw error;
      return (await store.findRoomForUser(this.deps.db, actor.id, winner))!;
    }
    return (await store.findRoomForUser(this.deps.db, actor.id, roomId))!;
  }

  // ── messages ───────────────────────────────────────────────────────────────

  async history(actor: Actor, roomId: string, before: number | undefined, limit: number) {
    // Scrollback is hot: one indexed lookup, not the room listing with its unread count.
    const room = await store.findRoomAccess(this.deps.db, roomId, actor.id);
    if (!room) throw notFound('No such room.');
    if (!room.role) throw forbidden('You are not a member of this room.');
    const messages = await store.listMessagesBefore(this.deps.db, roomId, before ?? room.lastSeq + 1, limit + 1);
    return { messages: messages.slice(0, limit), latestSeq: room.lastSeq, hasMore: messages.length > limit };
  }

  search(actor: Actor, query: string, limit: number) {
    return store.searchMessages(this.deps.db, actor.id, query, limit);
  }

  /** Idempotent by (room, author, clientId): a resend returns the original message and seq. */
  async send(
    actor: Actor,
    input: { roomId: string; clientId: string; body: string; replyTo?: string | undefined },
    options: { skipGuards?: boolean } = {},
  ): Promise<SendResult> {
    const mentions = await store.resolveUsernames(this.deps.db, parseMentions(input.body));
    let verdict: GuardVerdict = { kind: 'allow' };
    if (!options.skipGuards && this.guards.length > 0) {
      // A resend of a stored message is answered as before, whatever the rules say now.
      const stored = await store.findMessageByClientId(this.deps.db, input.roomId, actor.id, input.clientId);
      if (stored) return { held: false, messageId: stored.id, seq: stored.seq, created: false };
      const roomRole = (await store.findMemberRole(this.deps.db, input.roomId, actor.id)) ?? null;
      const attempt: MessageAttempt = {
        actor,
        roomId: input.roomId,
        roomRole,
        body: input.body,
        mentions,
        clientId: input.clientId,
        replyTo: input.replyTo ?? null,
        messageId: null,
      };
      const afterStore: ((message: Message) => Promise<void>)[] = [];
      for (const guard of this.guards) {
        const outcome = await guard.checkSend(attempt);
        if (outcome.kind === 'held') return { held: true };
        if (outcome.afterStore) afterStore.push(outcome.afterStore);
      }
      if (afterStore.length > 0)
        verdict = {
          kind: 'allow',
          afterStore: async (message) => {
            for (const run of afterStore) await run(message);
          },
        };
    }
    const stored = await this.store(actor, input, mentions);
    if (stored.created && verdict.kind === 'allow' && verdict.afterStore) {
      const message = await store.findMessage(this.deps.db, stored.messageId);
      // The message is out: a failure to queue it for review must not turn into an error for its sender.
      if (message)
        await verdict.afterStore(message).catch((error: unknown) => {
          this.deps.logger.error({ err: error, messageId: stored.messageId }, 'after-send guard step failed');
        });
    }
    return stored;
  }

  private async store(
    actor: Actor,
    input: { roomId: string; clientId: string; body: string; replyTo?: string | undefined },
    mentions: string[],
  ): Promise<SendResult & { held: false }> {
    const now = this.deps.clock.now();
    const messageId = newMessageId();
    let duplicate: { id: string; seq: number } | undefined;
    try {
      const events = await this.change(async (tx) => {
        const room = await this.lockExisting(tx, input.roomId);
        await this.requireMember(tx, input.roomId, actor.id);
        duplicate = await store.findMessageByClientId(tx, input.roomId, actor.id, input.clientId);
        if (duplicate) return [];
        if (input.replyTo) {
          const parent = await store.findMessage(tx, input.replyTo);
          if (!parent || parent.roomId !== input.roomId) {
            throw new AppError(400, 'BAD_REQUEST', 'The message replied to is not in this room.');
          }
        }
        const seq = room.lastSeq + 1;
        await store.insertMessage(tx, {
          id: messageId,
          roomId: input.roomId,
          authorId: actor.id,
          clientId: input.clientId,
          seq,
          body: input.body,
          replyTo: input.replyTo ?? null,
          mentions,
          now,
        });
        const message: Message = {
          id: messageId,
          roomId: input.roomId,
          seq,
          authorId: actor.id,
          authorUsername: actor.username,
          clientId: input.clientId,
          body: input.body,
          replyTo: input.replyTo ?? null,
          mentions,
          createdAt: now.toISOString(),
          editedAt: null,
          deletedAt: null,
          reactions: [],
        };
        return [
          await store.appendEvent(tx, {
            roomId: input.roomId,
            kind: 'message.created',
            actorId: actor.id,
            at: now,
            data: { message },
          }),
        ];
      });
      if (duplicate) return { held: false, messageId: duplicate.id, seq: duplicate.seq, created: false };
      this.deps.metrics?.chatMessagesStored.inc();
      return { held: false, messageId, seq: events[0]!.seq, created: true };
    } catch (error) {
      // The same clientId raced in on two connections: the other one stored it.
      if ((error as { code?: string }).code !== '23505') throw error;
      const original = await store.findMessageByClientId(this.deps.db, input.roomId, actor.id, input.clientId);
      if (!original) throw error;
      return { held: false, messageId: original.id, seq: original.seq, created: false };
    }
  }

  async edit(actor: Actor, messageId: string, body: string): Promise<ChangeResult> {
    const now = this.deps.clock.now();
    const mentions = await store.resolveUsernames(this.deps.db, parseMentions(body));
    if (this.guards.length > 0) {
      const current = await store.findMessage(this.deps.db, messageId);
      // Only a real change by its author is checked; the transaction refuses everything else.
      if (current && current.authorId === actor.id && !current.deletedAt && current.body !== body) {
        const roomRole = (await store.findMemberRole(this.deps.db, current.roomId, actor.id)) ?? null;
        const attempt: MessageAttempt = {
          actor,
          roomId: current.roomId,
          roomRole,
          body,
          mentions,
          clientId: null,
          replyTo: current.replyTo,
          messageId,
        };
        for (const guard of this.guards) await guard.checkEdit(attempt);
      }
    }
    const events = await this.onMessage(messageId, async (tx, message) => {
      await this.requireMember(tx, message.roomId, actor.id);
      if (message.authorId !== actor.id) throw forbidden('Only the author can edit a message.');
      if (message.deletedAt) throw new AppError(409, 'CONFLICT', 'This message was deleted.');
      if (message.body === body) return [];
      await store.updateMessageBody(tx, messageId, body, mentions, now);
      return [
        await store.appendEvent(tx, {
          roomId: message.roomId,
          kind: 'message.edited',
          actorId: actor.id,
          at: now,
          data: { messageId, body, mentions, editedAt: now.toISOString() },
        }),
      ];
    });
    return { seq: events[0]?.seq ?? null };
  }

  /** The author, the room's owners and moderators, and global moderators may delete. */
  async delete(actor: Actor, messageId: string): Promise<ChangeResult> {
    const now = this.deps.clock.now();
    const events = await this.onMessage(messageId, async (tx, message) => {
      const role = await store.findMemberRole(tx, message.roomId, actor.id);
      const allowed =
        (role !== undefined && (message.authorId === actor.id || MODERATING.includes(role))) ||
        (await this.holdsGlobally(tx, actor, 'moderation:act'));
      if (!allowed) throw forbidden('You cannot delete this message.');
      if (message.deletedAt) return [];
      await store.markMessageDeleted(tx, messageId, now);
      return [
        await store.appendEvent(tx, {
          roomId: message.roomId,
          kind: 'message.deleted',
          actorId: actor.id,
          at: now,
          data: { messageId, deletedAt: now.toISOString() },
        }),
      ];
    });
    return { seq: events[0]?.seq ?? null };
  }

  async react(actor: Actor, messageId: string, emoji: string, op: 'add' | 'remove'): Promise<ChangeResult> {
    const now = this.deps.clock.now();
    const events = await this.onMessage(messageId, async (tx, message) => {
      await this.requireMember(tx, message.roomId, actor.id);
      if (message.deletedAt) throw new AppError(409, 'CONFLICT', 'This message was deleted.');
      const changed =
        op === 'add'
          ? await store.insertReaction(tx, { messageId, userId: actor.id, emoji, now })
          : await store.deleteReaction(tx, messageId, actor.id, emoji);
      if (!changed) return [];
      return [
        await store.appendEvent(tx, {
          roomId: message.roomId,
          kind: op === 'add' ? 'reaction.added' : 'reaction.removed',
          actorId: actor.id,
          at: now,
          data: { messageId, emoji, userId: actor.id },
        }),
      ];
    });
    return { seq: events[0]?.seq ?? null };
  }

  /** Moves the read marker forward; throttled per user and room, over the socket and REST alike. */
  async markRead(actor: Actor, roomId: string, seq: number): Promise<number> {
    const { waitMs, scope } = this.reads.take(actor.id, roomId);
    if (waitMs > 0) {
      const seconds = String(Math.ceil(waitMs / 1000));
      const what = scope === 'room' ? 'this room' : 'rooms';
      throw new AppError(429, 'RATE_LIMITED', `Marking ${what} read too often: try again in ${seconds} s.`, {
        'retry-after': seconds,
      });
    }
    const marker = await store.advanceReadMarker(this.deps.db, roomId, actor.id, seq);
    if (marker === undefined) throw notFound('You are not a member of this room.');
    return marker;
  }

  // ── for moderation (the caller checked the actor's rights and rank) ─────────

  findMessage(messageId: string): Promise<Message | undefined> {
    return store.findMessage(this.deps.db, messageId);
  }

  /** Messages of a room around a seq, oldest first (tombstones included). */
  async messagesAround(roomId: string, seq: number, count: number): Promise<{ before: Message[]; after: Message[] }> {
    const before = await store.listMessagesBefore(this.deps.db, roomId, seq, count);
    const after = await store.listMessagesAfter(this.deps.db, roomId, seq, count);
    return { before: before.reverse(), after };
  }

  /** A user's latest messages across rooms, newest first. */
  recentMessagesOf(userId: string, limit: number): Promise<Message[]> {
    return store.listMessagesOfAuthor(this.deps.db, userId, limit);
  }

  roomRole(roomId: string, userId: string): Promise<RoomRole | undefined> {
    return store.findMemberRole(this.deps.db, roomId, userId);
  }

  roomSummary(roomId: string): Promise<{ id: string; name: string; kind: Room['kind'] } | undefined> {
    return store.findRoomSummary(this.deps.db, roomId);
  }

  /** A moderator's deletion: a tombstone and its event, like the author's own. */
  async moderatorDelete(actorId: string, messageId: string): Promise<ChangeResult> {
    const now = this.deps.clock.now();
    const events = await this.onMessage(messageId, async (tx, message) => {
      if (message.deletedAt) return [];
      await store.markMessageDeleted(tx, messageId, now);
      return [
        await store.appendEvent(tx, {
          roomId: message.roomId,
          kind: 'message.deleted',
          actorId,
          at: now,
          data: { messageId, deletedAt: now.toISOString() },
        }),
      ];
    });
    return { seq: events[0]?.seq ?? null };
  }

  /** Tombstones every live message of an author, room by room (a ban with hideMessages). */
  async tombstoneAuthor(actorId: string, authorId: string): Promise<number> {
    let count = 0;
    for (const roomId of await store.listRoomsWithLiveMessagesOf(this.deps.db, authorId)) {
      const now = this.deps.clock.now();
      const events = await this.change(async (tx) => {
        await store.lockRoom(tx, roomId);
        const out: RoomEvent[] = [];
        for (const messageId of await store.listLiveMessageIdsOf(tx, roomId, authorId)) {
          await store.markMessageDeleted(tx, messageId, now);
          out.push(
            await store.appendEvent(tx, {
              roomId,
              kind: 'message.deleted',
              actorId,
              at: now,
              data: { messageId, deletedAt: now.toISOString() },
            }),
          );
        }
        return out;
      });
      count += events.length;
    }
    return count;
  }

  /** Takes a member out of a room (a room ban); false when they were not in it. */
  async removeFromRoom(actorId: string, roomId: string, userId: string): Promise<boolean> {
    const now = this.deps.clock.now();
    const events = await this.change(async (tx) => {
      await this.lockExisting(tx, roomId);
      if (!(await store.deleteMember(tx, roomId, userId))) return [];
      return [
        await store.appendEvent(tx, {
          roomId,
          kind: 'member.left',
          actorId,
          at: now,
          data: { userId, reason: 'removed' },
        }),
      ];
    });
    return events.length > 0;
  }

  // ── sync ───────────────────────────────────────────────────────────────────

  readEvents(roomId: string, after: number, limit: number, until?: number): Promise<RoomEvent[]> {
    return store.readEvents(this.deps.db, roomId, after, limit, until);
  }

  roomAccess(roomId: string, userId: string) {
    return store.findRoomAccess(this.deps.db, roomId, userId);
  }

  memberships(userId: string): Promise<Map<string, store.Membership>> {
    return store.listMemberships(this.deps.db, userId);
  }

  // ── internals ──────────────────────────────────────────────────────────────

  /** Runs a change in a transaction, then publishes its events, in order, after the commit. */
  private async change(work: (tx: Queryable) => Promise<RoomEvent[]>): Promise<RoomEvent[]> {
    const events = await this.deps.db.transaction(work);
    for (const event of events) {
      await this.deps.bus.publish(roomEventsTopic, { roomId: event.roomId }, event).catch((error: unknown) => {
        // Committed is committed: clients that miss the live event catch up from the log.
        this.deps.logger.error({ err: error, roomId: event.roomId, seq: event.seq }, 'event publish failed');
      });
    }
    return events;
  }

  private async onMessage(
    messageId: string,
    work: (tx: Queryable, message: Message) => Promise<RoomEvent[]>,
  ): Promise<RoomEvent[]> {
    const found = await store.findMessage(this.deps.db, messageId);
    if (!found) throw notFound('No such message.');
    return this.change(async (tx) => {
      await store.lockRoom(tx, found.roomId);
      // Re-read under the lock: another change may have landed since.
      const message = (await store.findMessage(tx, messageId))!;
      return work(tx, message);
    });
  }

  private async lockExisting(tx: Queryable, roomId: string): Promise<store.RoomState> {
    const room = await store.lockRoom(tx, roomId);
    if (!room) throw notFound('No such room.');
    return room;
  }

  /**
   * A global permission as the actor holds it now. A socket's actor was authenticated when it
   * connected: the role is read again in the transaction, so a demotion holds from its commit
   * on, whatever delay its notice has on the way to the socket.
   */
  private async holdsGlobally(tx: Queryable, actor: Actor, permission: Permission): Promise<boolean> {
    if (!actor.permissions.has(permission)) return false;
    const role = await store.findUserRole(tx, actor.id);
    return role !== undefined && roleHasPermission(role, permission);
  }

  private async requireMember(tx: Queryable, roomId: string, userId: string): Promise<RoomRole> {
    const role = await store.findMemberRole(tx, roomId, userId);
    if (!role) throw forbidden('You are not a member of this room.');
    return role;
  }

  private async joinedEvent(tx: Queryable, roomId: string, actorId: string, userId: string, role: RoomRole, at: Date) {
    const username = (await store.findUsername(tx, userId)) ?? '';
    return store.appendEvent(tx, { roomId, kind: 'member.joined', actorId, at, data: { userId, username, role } });
  }
}
