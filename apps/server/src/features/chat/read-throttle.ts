import type { Clock } from '../../infra/clock.js';

export interface ReadLimits {
  /** Read markers a user may set in one room in a burst. */
  capacity: number;
  refillPerSecond: number;
}

/**
 * A reader marks a room read as messages arrive; faster than this is a script. The desktop
 * retries a refused read after the delay it is told, with the newest seq by then.
 */
export const DEFAULT_READ_LIMITS: ReadLimits = { capacity: 10, refillPerSecond: 2 };

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per (user, room) for read markers, over the socket and the REST route alike.
 * Unlike writes (SendLimiter), too many reads never mute anyone: the excess is only refused.
 * Per instance.
 */
export class ReadThrottle {
  private readonly buckets = new Map<string, Bucket>();

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
      bucket = { tokens: this.limits.capacity, at: now };
      this.buckets.set(key, bucket);
      if (this.buckets.size > 100_000) this.sweep(now);
    }
    bucket.tokens = Math.min(
      this.limits.capacity,
      bucket.tokens + ((now - bucket.at) / 1000) * this.limits.refillPerSecond,
    );
    bucket.at = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - bucket.tokens) / this.limits.refillPerSecond) * 1000);
  }

  /** Forgets buckets that have refilled: they hold nothing a fresh one would not. */
  private sweep(now: number): void {
    for (const [key, bucket] of this.buckets) {
      const refilled = bucket.tokens + ((now - bucket.at) / 1000) * this.limits.refillPerSecond;
      if (refilled >= this.limits.capacity) this.buckets.delete(key);
    }
  }
}
