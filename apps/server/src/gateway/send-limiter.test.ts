import { describe, expect, it } from 'vitest';
import { ManualClock } from '../infra/clock.js';
import { SendLimiter } from './send-limiter.js';

describe('SendLimiter', () => {
  it('keeps the strikes of a sender whose bucket refilled when it forgets idle senders', () => {
    const clock = new ManualClock();
    const limiter = new SendLimiter(clock, {
      capacity: 1,
      refillPerSecond: 1_000,
      strikesToMute: 3,
      strikeWindowMs: 10_000,
      muteMs: 30_000,
    });
    expect(limiter.take('flooder')).toEqual({ ok: true });
    expect(limiter.take('flooder')).toMatchObject({ ok: false, code: 'RATE_LIMITED' });
    expect(limiter.take('flooder')).toMatchObject({ ok: false, code: 'RATE_LIMITED' });
    clock.advance(10);
    // 50 000 senders: the next new one makes the limiter forget those a fresh entry would equal.
    for (let user = 0; user < 50_000; user++) limiter.take(`user-${user}`);
    expect(limiter.take('flooder')).toEqual({ ok: true });
    expect(limiter.take('flooder')).toEqual({ ok: false, code: 'MUTED', retryAfterMs: 30_000 });
  });
});
