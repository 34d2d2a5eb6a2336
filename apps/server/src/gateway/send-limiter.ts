import type { Clock } from '../infra/clock.js';
import { TokenBucket, type BucketLimits } from '../infra/token-bucket.js';

export interface SendLimits extends BucketLimits {
  /** Burst size: frames that change something, per user. */
  capacity: number;
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

interface Sender {
  bucket: TokenBucket;
  strikes: number[];
  mutedUntil: number;
}

export type LimitDecision = { ok: true } | { ok: false; code: 'RATE_LIMITED' | 'MUTED'; retryAfterMs: number };

/**
 * A token bucket per user for frames that write (send, edit, delete, react). A flood first gets
 * RATE_LIMITED errors; a user who keeps flooding is muted for a while. Per instance.
 */
export class SendLimiter {
  private readonly senders = new Map<string, Sender>();

  constructor(
    private readonly clock: Clock,
    private readonly limits: SendLimits = DEFAULT_SEND_LIMITS,
  ) {}

  take(userId: string): LimitDecision {
    const now = this.clock.now().getTime();
    let sender = this.senders.get(userId);
    if (!sender) {
      // Before the new sender goes in: it holds nothing, and the sweep would take it back out.
      if (this.senders.size >= 50_000) this.sweep(now);
      sender = { bucket: new TokenBucket(this.limits, now), strikes: [], mutedUntil: 0 };
      this.senders.set(userId, sender);
    }
    if (sender.mutedUntil > now) return { ok: false, code: 'MUTED', retryAfterMs: sender.mutedUntil - now };
    const waitMs = sender.bucket.take(now);
    if (waitMs === 0) return { ok: true };
    sender.strikes = sender.strikes.filter((t) => now - t < this.limits.strikeWindowMs);
    sender.strikes.push(now);
    if (sender.strikes.length >= this.limits.strikesToMute) {
      sender.strikes = [];
      sender.mutedUntil = now + this.limits.muteMs;
      return { ok: false, code: 'MUTED', retryAfterMs: this.limits.muteMs };
    }
    return { ok: false, code: 'RATE_LIMITED', retryAfterMs: waitMs };
  }

  /** Forgets senders a fresh entry would treat the same: not muted, bucket full, no strike in the window. */
  private sweep(now: number): void {
    for (const [userId, sender] of this.senders) {
      const striking = sender.strikes.some((t) => now - t < this.limits.strikeWindowMs);
      if (sender.mutedUntil <= now && !striking && sender.bucket.isFull(now)) this.senders.delete(userId);
    }
  }
}
