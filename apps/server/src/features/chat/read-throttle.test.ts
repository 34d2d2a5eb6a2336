import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../infra/clock.js';
import { ReadThrottle } from './read-throttle.js';

describe('ReadThrottle', () => {
  it('counts the read that makes it forget idle buckets', () => {
    // Past 100 000 (user, room) pairs a new one sweeps the full buckets; the new one is full
    // too, and once was swept with them, so its first read was never counted.
    const throttle = new ReadThrottle(new ManualClock(), { capacity: 1, refillPerSecond: 1 });
    for (let room = 0; room < 100_000; room++) throttle.take('idle', String(room));
    expect(throttle.take('reader', 'room')).toBe(0);
    expect(throttle.take('reader', 'room')).toBe(1_000);
  });
});
