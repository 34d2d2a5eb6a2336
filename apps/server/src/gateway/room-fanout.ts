import type { SentFrameType } from '../infra/metrics.js';

export interface RoomMember {
  readonly userId: string;
  sendData(data: Buffer, type: SentFrameType): void;
}

/**
 * The connections following each room on this instance. A frame for a room is encoded once
 * and the same bytes are written to every follower.
 */
export class RoomFanout<M extends RoomMember> {
  private readonly followers = new Map<string, Set<M>>();

  add(roomId: string, member: M): void {
    let set = this.followers.get(roomId);
    if (!set) {
      set = new Set();
      this.followers.set(roomId, set);
    }
    set.add(member);
  }

  remove(roomId: string, member: M): void {
    const set = this.followers.get(roomId);
    set?.delete(member);
    if (set?.size === 0) this.followers.delete(roomId);
  }

  followersOf(roomId: string): Iterable<M> {
    return this.followers.get(roomId) ?? [];
  }

  /** Writes `data` to the room's followers, except the connections of `exceptUserId`. */
  broadcast(roomId: string, data: Buffer, type: SentFrameType, exceptUserId?: string): void {
    for (const member of this.followers.get(roomId) ?? [])
      if (member.userId !== exceptUserId) member.sendData(data, type);
  }

  /** Writes `data` once to each connection following any of these rooms, except `exceptUserId`'s. */
  broadcastOnce(roomIds: readonly string[], data: Buffer, type: SentFrameType, exceptUserId?: string): void {
    const told = new Set<M>();
    for (const roomId of roomIds) {
      for (const member of this.followers.get(roomId) ?? []) {
        if (member.userId === exceptUserId || told.has(member)) continue;
        told.add(member);
        member.sendData(data, type);
      }
    }
  }
}
