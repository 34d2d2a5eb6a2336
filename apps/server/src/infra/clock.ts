declare const timerBrand: unique symbol;
/** What a clock's setTimeout or setInterval returns, for its clearTimeout. */
export type Timer = { readonly [timerBrand]: true };

/**
 * Injected time: the date, and the timers of anything whose behaviour depends on time passing
 * (token expiry, heartbeats, presence, throttles, job polling and backoff), so tests drive time
 * instead of sleeping.
 *
 * Timers never keep the process alive: what a server waits for is its sockets, not its timers.
 */
export interface Clock {
  now(): Date;
  setTimeout(callback: () => void, ms: number): Timer;
  setInterval(callback: () => void, ms: number): Timer;
  /** Cancels a timeout or an interval; `undefined` and spent timers are ignored. */
  clearTimeout(timer: Timer | undefined): void;
}

type NodeTimer = ReturnType<typeof globalThis.setTimeout>;
const asTimer = (timer: NodeTimer): Timer => timer.unref() as unknown as Timer;

export const systemClock: Clock = {
  now: () => new Date(),
  setTimeout: (callback, ms) => asTimer(globalThis.setTimeout(callback, ms)),
  setInterval: (callback, ms) => asTimer(globalThis.setInterval(callback, ms)),
  clearTimeout: (timer) => globalThis.clearTimeout(timer as unknown as NodeTimer | undefined),
};

interface Scheduled {
  due: number;
  /** Set for intervals: the period after which it is due again. */
  every: number | undefined;
  callback: () => void;
  /** Tie-breaker: timers due at the same moment fire in the order they were set. */
  order: number;
}

/**
 * A clock tests move by hand. Its timers fire only inside `advance`, each at its own due time
 * (the clock reads that time while the callback runs), in due order.
 */
export class ManualClock implements Clock {
  private readonly timers = new Map<Timer, Scheduled>();
  private setCount = 0;

  constructor(private current = new Date('2026-01-01T00:00:00Z')) {}

  now(): Date {
    return new Date(this.current);
  }

  setTimeout(callback: () => void, ms: number): Timer {
    return this.schedule(callback, ms, undefined);
  }

  setInterval(callback: () => void, ms: number): Timer {
    // As with Node's timers, a period under 1 ms is 1 ms (otherwise advance would never end).
    return this.schedule(callback, ms, Math.max(1, ms));
  }

  clearTimeout(timer: Timer | undefined): void {
    if (timer) this.timers.delete(timer);
  }

  /** Timers set and not yet spent or cleared. */
  get pendingTimers(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    const target = this.current.getTime() + ms;
    for (let next = this.nextDue(target); next; next = this.nextDue(target)) {
      const [timer, scheduled] = next;
      this.current = new Date(scheduled.due);
      if (scheduled.every === undefined) this.timers.delete(timer);
      else scheduled.due += scheduled.every;
      scheduled.callback();
    }
    this.current = new Date(target);
  }

  private schedule(callback: () => void, ms: number, every: number | undefined): Timer {
    const timer = Object.freeze({}) as Timer;
    const delay = Math.max(0, Number.isFinite(ms) ? ms : 0);
    this.timers.set(timer, { due: this.current.getTime() + delay, every, callback, order: this.setCount++ });
    return timer;
  }

  private nextDue(until: number): [Timer, Scheduled] | undefined {
    let next: [Timer, Scheduled] | undefined;
    for (const entry of this.timers) {
      const [, scheduled] = entry;
      if (scheduled.due > until) continue;
      if (!next || scheduled.due < next[1].due || (scheduled.due === next[1].due && scheduled.order < next[1].order))
        next = entry;
    }
    return next;
  }
}
