import type { Clock } from '../../../infra/clock.js';

export interface SendLimits {
  /** Burst size: frames that change something, per user. */
  capacity: number;
  refillPerSecond: number;
  /** Refusals within `strikeWindowMs` that turn into a mute. */
  strikesToMute: number;
  strikeWindowMs: number;
  muteMs: number;
}

export const DEFAULT_SEND_LIMITS: SendLimits = {
  capacity: 20,
  refillPerSecond: 5,
  strikesToMute: 3,
  strikeWindowMs: 10_000,
  muteMs: 30_000,
};

interface Bucket {
  tokens: number;
  at: number;
  strikes: number[];
  mutedUntil: number;
}

export type LimitDecision = { ok: true } | { ok: false; code: 'RATE_LIMITED' | 'MUTED'; retryAfterMs: number };

/**
 * A token bucket per user for frames that write (send, edit, delete, react). A flood first gets
 * RATE_LIMITED errors; a user who keeps flooding is muted for a while. Per instance.
 */
export class SendLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly clock: Clock,
    private readonly limits: SendLimits = DEFAULT_SEND_LIMITS,
  ) {}

  take(userId: string): LimitDecision {
    const now = this.clock.now().getTime();
    let bucket = this.buckets.get(userId);
    if (!bucket) {
      bucket = { tokens: this.limits.capacity, at: now, strikes: [], mutedUntil: 0 };
      this.buckets.set(userId, bucket);
      if (this.buckets.size > 50_000) this.sweep(now);
    }
    if (bucket.mutedUntil > now) return { ok: false, code: 'MUTED', retryAfterMs: bucket.mutedUntil - now };
    bucket.tokens = Math.min(
      this.limits.capacity,
      bucket.tokens + ((now - bucket.at) / 1000) * this.limits.refillPerSecond,
    );
    bucket.at = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    bucket.strikes = bucket.strikes.filter((t) => now - t < this.limits.strikeWindowMs);
    bucket.strikes.push(now);
    if (bucket.strikes.length >= this.limits.strikesToMute) {
      bucket.strikes = [];
      bucket.mutedUntil = now + this.limits.muteMs;
      return { ok: false, code: 'MUTED', retryAfterMs: this.limits.muteMs };
    }
    return {
      ok: false,
      code: 'RATE_LIMITED',
      retryAfterMs: Math.ceil(((1 - bucket.tokens) / this.limits.refillPerSecond) * 1000),
    };
  }

  private sweep(now: number): void {
    for (const [userId, bucket] of this.buckets) {
      if (bucket.mutedUntil <= now && bucket.tokens >= this.limits.capacity - 1 && now - bucket.at > 60_000) {
        this.buckets.delete(userId);
      }
    }
  }
}
