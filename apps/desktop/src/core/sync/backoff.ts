export interface BackoffOptions {
  minDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { minDelayMs: 500, maxDelayMs: 30_000 };

/**
 * Exponential backoff with full jitter: a random delay in [0, min(max, base · 2^attempt)], so
 * thousands of clients cut off by the same server restart do not come back in one wave. A floor
 * of `minDelayMs / 2` keeps a client from spinning when the random draw is near 0.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxDelayMs, options.minDelayMs * 2 ** Math.min(attempt, 30));
  return Math.max(options.minDelayMs / 2, Math.floor(random() * ceiling));
}
