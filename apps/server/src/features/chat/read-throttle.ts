import type { Clock } from '../../infra/clock.js';
import { TokenBucket, type BucketLimits } from '../../infra/token-bucket.js';

/** Read markers a user may set in one room in a burst, and how fast that budget comes back. */
export type ReadLimits = BucketLimits;

/**
 * A reader marks a room read as messages arrive; faster than this is a script. The desktop
 * retries a refused read after the delay it is told, with the newest seq by then.
 */
export const DEFAULT_READ_LIMITS: ReadLimits = { capacity: 10, refillPerSecond: 2 };

/**
 * A token bucket per (user, room) for read markers, over the socket and the REST route alike.
 * Unlike writes (SendLimiter), too many reads never mute anyone: the excess is only refused.
 * Per instance.
 */
export class ReadThrottle {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly clock: Clock,
    private readonly limits: ReadLimits = DEFAULT_READ_LIMITS,
  ) {}

  /** Takes one read from the budget: 0 when allowed, otherwise the milliseconds to wait. */
  take(userId: string, roomId: string): number {
    const now = this.clock.now().getTime();
    const key = `${userId}:${roomId}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      // Before the new bucket goes in: it is full, and the sweep would take it back out.
      if (this.buckets.size >= 100_000) this.sweep(now);
      bucket = new TokenBucket(this.limits, now);
      this.buckets.set(key, bucket);
    }
    return bucket.take(now);
  }

  private sweep(now: number): void {
    for (const [key, bucket] of this.buckets) if (bucket.isFull(now)) this.buckets.delete(key);
  }
}
