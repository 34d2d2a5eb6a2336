import type { Clock } from '../../infra/clock.js';
import { TokenBucket, type BucketLimits } from '../../infra/token-bucket.js';

/** Read markers a user may set in a burst, and how fast that budget comes back. */
export interface ReadLimits {
  /** In one room. */
  perRoom: BucketLimits;
  /**
   * Across all rooms: without it, each room id (real or made up) opens a fresh budget, and a
   * script cycling through ids reaches the database as fast as it sends.
   */
  perUser: BucketLimits;
}

/**
 * A reader marks a room read as messages arrive; faster than this is a script. The desktop
 * sends at most one read per room at a time (its outbox keeps only the newest per room), so a
 * reconnect after a long time offline sends one per room that moved: a burst of 50 covers that
 * for most accounts, and the rest follow at 20/s. A refused read is retried after the delay it
 * is told, with the newest seq by then.
 */
export const DEFAULT_READ_LIMITS: ReadLimits = {
  perRoom: { capacity: 10, refillPerSecond: 2 },
  perUser: { capacity: 50, refillPerSecond: 20 },
};

/** Beyond this many buckets, a new one first forgets those that have refilled. */
const MAX_BUCKETS = 100_000;

/**
 * Token buckets per (user, room) and per user for read markers, over the socket and the REST
 * route alike: a read needs a token from both, and is charged to both only when it has them.
 * Unlike writes (SendLimiter), too many reads never mute anyone: the excess is only refused.
 * Per instance.
 */
export class ReadThrottle {
  private readonly rooms = new Map<string, TokenBucket>();
  private readonly users = new Map<string, TokenBucket>();

  constructor(
    private readonly clock: Clock,
    private readonly limits: ReadLimits = DEFAULT_READ_LIMITS,
  ) {}

  /**
   * Takes one read from the budgets: 0 when allowed, otherwise the milliseconds to wait and
   * which budget ran out.
   */
  take(userId: string, roomId: string): { waitMs: number; scope: 'room' | 'user' } {
    const now = this.clock.now().getTime();
    const user = bucketOf(this.users, userId, this.limits.perUser, now);
    const userWait = user.wait(now);
    // Refused before its room is looked at: made-up room ids leave no bucket behind.
    if (userWait > 0) return { waitMs: userWait, scope: 'user' };
    const roomWait = bucketOf(this.rooms, `${userId}:${roomId}`, this.limits.perRoom, now).take(now);
    if (roomWait > 0) return { waitMs: roomWait, scope: 'room' };
    user.take(now);
    return { waitMs: 0, scope: 'room' };
  }
}

function bucketOf(buckets: Map<string, TokenBucket>, key: string, limits: BucketLimits, now: number): TokenBucket {
  let bucket = buckets.get(key);
  if (!bucket) {
    // Before the new bucket goes in: it is full, and the sweep would take it back out.
    if (buckets.size >= MAX_BUCKETS) for (const [k, b] of buckets) if (b.isFull(now)) buckets.delete(k);
    bucket = new TokenBucket(limits, now);
    buckets.set(key, bucket);
  }
  return bucket;
}
