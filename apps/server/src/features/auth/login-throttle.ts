import type { Clock } from '../../infra/clock.js';

export interface LoginThrottleLimits {
  windowMs: number;
  /** Failed logins from one IP, whatever the account. */
  maxFailuresPerIp: number;
  /** Failed logins against one account, from all IPs together. */
  maxFailuresPerAccount: number;
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottleLimits = {
  windowMs: 60_000,
  maxFailuresPerIp: 20,
  maxFailuresPerAccount: 20,
};

interface Window {
  count: number;
  resetAt: number;
  /** For account windows: the IPs that failed against it. */
  ips?: Set<string>;
}

/**
 * Counts failed logins per IP and per account in fixed windows. An account under attack is
 * closed only to the IPs that failed against it, so its owner can still sign in from
 * elsewhere; an IP that fails too often is closed for every account.
 * In memory: per instance. Several instances each count their own share.
 */
export class LoginThrottle {
  private readonly byIp = new Map<string, Window>();
  private readonly byAccount = new Map<string, Window>();

  constructor(
    private readonly clock: Clock,
    private readonly limits: LoginThrottleLimits = DEFAULT_LOGIN_THROTTLE,
  ) {}

  /** Seconds to wait when this attempt must be refused, else 0. */
  retryAfterSeconds(ip: string, account: string): number {
    const now = this.clock.now().getTime();
    const ipWindow = this.live(this.byIp, ip, now);
    if (ipWindow && ipWindow.count >= this.limits.maxFailuresPerIp) return Math.ceil((ipWindow.resetAt - now) / 1000);
    const accountWindow = this.live(this.byAccount, account, now);
    if (accountWindow && accountWindow.count >= this.limits.maxFailuresPerAccount && accountWindow.ips?.has(ip)) {
      return Math.ceil((accountWindow.resetAt - now) / 1000);
    }
    return 0;
  }

  recordFailure(ip: string, account: string): void {
    const now = this.clock.now().getTime();
    this.bump(this.byIp, ip, now);
    this.bump(this.byAccount, account, now).ips!.add(ip);
    if (this.byIp.size + this.byAccount.size > 100_000) this.sweep(now);
  }

  private live(map: Map<string, Window>, key: string, now: number): Window | undefined {
    const window = map.get(key);
    if (window && window.resetAt <= now) {
      map.delete(key);
      return undefined;
    }
    return window;
  }

  private bump(map: Map<string, Window>, key: string, now: number): Window {
    let window = this.live(map, key, now);
    if (!window) {
      window = { count: 0, resetAt: now + this.limits.windowMs, ips: new Set() };
      map.set(key, window);
    }
    window.count += 1;
    return window;
  }

  private sweep(now: number): void {
    for (const map of [this.byIp, this.byAccount]) {
      for (const [key, window] of map) if (window.resetAt <= now) map.delete(key);
    }
  }
}
