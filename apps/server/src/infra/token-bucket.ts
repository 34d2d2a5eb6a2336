/** A burst of `capacity` actions, refilled continuously at `refillPerSecond`. */
export interface BucketLimits {
  capacity: number;
  refillPerSecond: number;
}

/** A token bucket on the times it is given (epoch milliseconds): it starts full. */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly limits: BucketLimits,
    now: number,
  ) {
    this.tokens = limits.capacity;
    this.at = now;
  }

  /** Takes one token: 0 when there was one, otherwise the milliseconds until there is. */
  take(now: number): number {
    this.tokens = this.tokensAt(now);
    this.at = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / this.limits.refillPerSecond) * 1000);
  }

  /** Like `take`, without taking: 0 when a token is there, otherwise the milliseconds until there is. */
  wait(now: number): number {
    const tokens = this.tokensAt(now);
    return tokens >= 1 ? 0 : Math.ceil(((1 - tokens) / this.limits.refillPerSecond) * 1000);
  }

  /** Refilled to capacity by `now`: a fresh bucket would decide the same, so this one may be forgotten. */
  isFull(now: number): boolean {
    return this.tokensAt(now) >= this.limits.capacity;
  }

  private tokensAt(now: number): number {
    return Math.min(this.limits.capacity, this.tokens + ((now - this.at) / 1000) * this.limits.refillPerSecond);
  }
}
