import type { Message, RoomEvent } from '@veza/shared';
import type { CacheDb } from '../../cache/database.js';
import type { MessageStore } from './message-store.js';
import type { OutboxStore } from './outbox-store.js';
import type { RoomStore } from './room-store.js';
import type { UsersStore } from './users-store.js';

export interface AppliedBatch {
  /** Rooms whose messages changed. */
  changedRooms: Set<string>;
  /** Something the room list shows changed (membership, a room appeared or went). */
  roomsChanged: boolean;
  /** Messages created by this batch, for mention notices. */
  created: Message[];
  /** Rooms first heard of through an event: REST must describe them. */
  discovered: string[];
  /** Events past a gap (seq > cursor + 1), not applied: the engine fetches what is missing. */
  deferred: RoomEvent[];
  /** Rooms the user left or was removed from (already dropped from the cache). */
  left: string[];
}

/**
 * Applies room events to the cache in seq order, each room's cursor moving one seq at a time, the
 * whole batch in one transaction (a 10k catch-up is a handful of commits, not 10k). Idempotent:
 * an event at or below the cursor was applied already and is skipped.
 */
export class EventApplier {
  constructor(
    private readonly db: CacheDb,
    private readonly parts: {
      rooms: RoomStore;
      messages: MessageStore;
      users: UsersStore;
      outbox: OutboxStore;
      meId: string;
    },
  ) {}

  apply(events: readonly RoomEvent[]): AppliedBatch {
    const batch: AppliedBatch = {
      changedRooms: new Set(),
      roomsChanged: false,
      created: [],
      discovered: [],
      deferred: [],
      left: [],
    };
    if (events.length === 0) return batch;
    this.db.transaction(() => {
      const cursors = new Map<string, number>();
      for (const event of events) {
        let cursor = cursors.get(event.roomId);
        if (cursor === undefined) {
          cursor = this.cursorOf(event, batch);
          if (cursor === undefined) continue;
        }
        if (event.seq <= cursor) continue;
        if (event.seq > cursor + 1) {
          batch.deferred.push(event);
          continue;
        }
        cursors.set(event.roomId, event.seq);
        this.applyOne(event, batch);
        if (batch.left.includes(event.roomId)) cursors.delete(event.roomId);
      }
      for (const [roomId, cursor] of cursors) this.parts.rooms.setCursor(roomId, cursor);
    })();
    // A room heard of and left in the same batch (our own leave echoed back) needs no REST lookup.
    batch.discovered = batch.discovered.filter((roomId) => !batch.left.includes(roomId));
    return batch;
  }

  private cursorOf(event: RoomEvent, batch: AppliedBatch): number | undefined {
    const room = this.parts.rooms.get(event.roomId);
    if (room) return room.cursor;
    if (batch.left.includes(event.roomId)) return undefined;
    // The server streams only rooms we are in: an unknown one was joined elsewhere (or just now).
    // Its log starts here for us; older history is fetched over REST like after a reset.
    this.parts.rooms.ensurePlaceholder(event.roomId, event.seq - 1);
    batch.discovered.push(event.roomId);
    batch.roomsChanged = true;
    return event.seq - 1;
  }

  private applyOne(event: RoomEvent, batch: AppliedBatch): void {
    const { messages, users, rooms, outbox, meId } = this.parts;
    switch (event.kind) {
      case 'message.created': {
        const { message } = event.data;
        users.remember(message.authorId, message.authorUsername);
        messages.put(message, event.seq, { fresh: true });
        // Our own send is in the log now, whatever became of its ack.
        if (message.authorId === meId) outbox.delete(message.clientId);
        batch.created.push(message);
        batch.changedRooms.add(event.roomId);
        batch.roomsChanged = true;
        return;
      }
      case 'message.edited':
        if (
          messages.applyEdit(event.data.messageId, event.data.body, event.data.mentions, event.data.editedAt, event.seq)
        )
          batch.changedRooms.add(event.roomId);
        return;
      case 'message.deleted':
        if (messages.applyDelete(event.data.messageId, event.data.deletedAt, event.seq)) {
          batch.changedRooms.add(event.roomId);
          batch.roomsChanged = true;
        }
        return;
      case 'reaction.added':
      case 'reaction.removed': {
        const op = event.kind === 'reaction.added' ? 'add' : 'remove';
        if (messages.applyReaction(event.data.messageId, event.data.emoji, event.data.userId, op, event.seq))
          batch.changedRooms.add(event.roomId);
        return;
      }
      case 'member.joined':
        users.remember(event.data.userId, event.data.username);
        rooms.adjustMembers(event.roomId, 1, event.data.userId === meId ? event.data.role : undefined);
        batch.roomsChanged = true;
        return;
      case 'member.left':
        batch.roomsChanged = true;
        if (event.data.userId === meId) {
          // The last event of this room we will see: the room leaves the cache with it.
          rooms.remove(event.roomId);
          batch.left.push(event.roomId);
          batch.changedRooms.add(event.roomId);
        } else {
          rooms.adjustMembers(event.roomId, -1);
        }
        return;
    }
  }
}
