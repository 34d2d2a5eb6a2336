import { randomUUID } from 'node:crypto';
import type { Bus } from '../../infra/bus.js';
import type { Clock } from '../../infra/clock.js';
import type { Db, Queryable } from '../../infra/db/db.js';
import { AppError } from '../../infra/errors.js';
import type { Logger } from '../../infra/logger.js';
import { announceAccountChange, revokeAllSessionsOfUser } from '../auth/index.js';
import type { ChatService } from '../chat/index.js';
import { notifyUser } from './notices.js';
import * as store from './sanctions-store.js';

export const describeUntil = (until: Date | null): string => (until ? `until ${until.toISOString()}` : 'until lifted');

/**
 * Bans, room bans and timeouts: storing them, and refusing what they forbid (sign-in, sockets,
 * sends, joins). Each write runs inside the caller's transaction, next to its audit row.
 */
export class Sanctions {
  constructor(private readonly deps: { db: Db; bus: Bus; clock: Clock; logger: Logger; chat: ChatService }) {}

  /** Auth's sign-in guard: login, refresh, API keys and sockets of a banned account get BANNED. */
  readonly signInGuard = async (userId: string): Promise<void> => {
    const ban = await store.findActiveBan(this.deps.db, userId, this.deps.clock.now());
    if (ban)
      throw new AppError(403, 'BANNED', `You are banned from this server ${describeUntil(ban.until)}: ${ban.reason}`);
  };

  /** Refuses a send or an edit from a muted user or into a room they are banned from. */
  async checkSend(userId: string, roomId: string): Promise<void> {
    const now = this.deps.clock.now();
    const found = await store.findSendSanctions(this.deps.db, userId, roomId, now);
    if (found.roomBan)
      throw new AppError(
        403,
        'BANNED',
        `You are banned from this room ${describeUntil(found.roomBan.until)}: ${found.roomBan.reason}`,
      );
    if (found.mutedUntil)
      throw new AppError(
        429,
        'MUTED',
        `You are timed out until ${found.mutedUntil.toISOString()}: ${found.muteReason ?? 'no reason given'}`,
      );
  }

  async checkJoin(roomId: string, userId: string): Promise<void> {
    const ban = await store.findRoomBan(this.deps.db, roomId, userId, this.deps.clock.now());
    if (ban) throw new AppError(403, 'BANNED', `Banned from this room ${describeUntil(ban.until)}: ${ban.reason}`);
  }

  /**
   * Stores a server ban, ends every session (tokens and refresh tokens die with them) and
   * announces it from inside the transaction: on commit, every instance sends the user's
   * sockets the `moderation` ban notice and closes them with 4004.
   */
  async ban(
    tx: Queryable,
    ban: { userId: string; reason: string; until: Date | null; createdBy: string | null },
  ): Promise<void> {
    const now = this.deps.clock.now();
    await store.insertBan(tx, { id: randomUUID(), ...ban, now });
    await revokeAllSessionsOfUser(tx, ban.userId, 'admin', now);
    await announceAccountChange(tx, {
      kind: 'banned',
      userId: ban.userId,
      reason: ban.reason,
      until: ban.until?.toISOString() ?? null,
    });
  }

  /** Turns every message of a banned user into a tombstone, with room events so clients follow. */
  async hideMessagesOf(actorId: string, userId: string): Promise<number> {
    return this.deps.chat.tombstoneAuthor(actorId, userId);
  }

  async timeout(
    tx: Queryable,
    mute: { userId: string; roomId: string | null; until: Date; reason: string; createdBy: string | null },
  ): Promise<void> {
    await store.insertMute(tx, { id: randomUUID(), ...mute, now: this.deps.clock.now() });
  }

  /** After commit: the user hears of their timeout on every connection. */
  announceTimeout(userId: string, until: Date, reason: string, roomId: string | null): void {
    notifyUser(this.deps.bus, userId, { kind: 'timeout', until, reason, roomId });
  }
}
