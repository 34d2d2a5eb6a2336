import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../infra/clock.js';
import { ReadThrottle } from './read-throttle.js';

const ONE_AT_A_TIME = { capacity: 1, refillPerSecond: 1 };
const UNBOUNDED = { capacity: 1_000_000, refillPerSecond: 1_000_000 };

describe('ReadThrottle', () => {
  it('counts the read that makes it forget idle buckets', () => {
    // Past 100 000 (user, room) pairs a new one sweeps the full buckets; the new one is full
    // too, and once was swept with them, so its first read was never counted.
    const throttle = new ReadThrottle(new ManualClock(), { perRoom: ONE_AT_A_TIME, perUser: UNBOUNDED });
    for (let room = 0; room < 100_000; room++) throttle.take('idle', String(room));
    expect(throttle.take('reader', 'room')).toEqual({ waitMs: 0, scope: 'room' });
    expect(throttle.take('reader', 'room')).toEqual({ waitMs: 1_000, scope: 'room' });
  });

  it('bounds a user across rooms, and charges nothing for a refused read', () => {
    const clock = new ManualClock();
    const throttle = new ReadThrottle(clock, { perRoom: ONE_AT_A_TIME, perUser: { capacity: 3, refillPerSecond: 1 } });
    expect(throttle.take('reader', 'a').waitMs).toBe(0);
    // Refused by its room: the user's budget is not charged for it, so b and c still pass.
    expect(throttle.take('reader', 'a')).toEqual({ waitMs: 1_000, scope: 'room' });
    for (const room of ['b', 'c']) expect(throttle.take('reader', room).waitMs).toBe(0);
    expect(throttle.take('reader', 'd')).toEqual({ waitMs: 1_000, scope: 'user' });
    // Others have budgets of their own; this one refills with time.
    expect(throttle.take('someone else', 'a').waitMs).toBe(0);
    clock.advance(1_000);
    expect(throttle.take('reader', 'd').waitMs).toBe(0);
  });
});
