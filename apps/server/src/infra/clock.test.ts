import { describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from './clock.js';

describe('ManualClock', () => {
  it('fires due timers while advancing, each at its own time, in due order', () => {
    const clock = new ManualClock(new Date(0));
    const fired: string[] = [];
    const at = (name: string) => () => void fired.push(`${name}@${clock.now().getTime()}`);
    clock.setTimeout(at('late'), 300);
    clock.setTimeout(at('early'), 100);
    clock.setTimeout(at('same-as-early'), 100);
    clock.setTimeout(at('never'), 301);
    clock.advance(299);
    expect(fired).toEqual(['early@100', 'same-as-early@100']);
    clock.advance(1);
    expect(fired).toEqual(['early@100', 'same-as-early@100', 'late@300']);
    expect(clock.now().getTime()).toBe(300);
    expect(clock.pendingTimers).toBe(1);
  });

  it('repeats intervals until cleared, and fires timers set by a firing timer when they fall due', () => {
    const clock = new ManualClock(new Date(0));
    const ticks: number[] = [];
    const interval = clock.setInterval(() => void ticks.push(clock.now().getTime()), 100);
    let chained = -1;
    clock.setTimeout(() => clock.setTimeout(() => (chained = clock.now().getTime()), 50), 120);
    clock.advance(350);
    expect(ticks).toEqual([100, 200, 300]);
    expect(chained).toBe(170);
    clock.clearTimeout(interval);
    clock.advance(1_000);
    expect(ticks).toEqual([100, 200, 300]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('cancels a timeout before it fires, and ignores spent or missing timers', () => {
    const clock = new ManualClock();
    let fired = false;
    const timer = clock.setTimeout(() => (fired = true), 10);
    clock.clearTimeout(timer);
    clock.clearTimeout(timer);
    clock.clearTimeout(undefined);
    clock.advance(10);
    expect(fired).toBe(false);
  });
});

describe('systemClock', () => {
  it('runs real timers', async () => {
    const fired = await new Promise<boolean>((resolve) => systemClock.setTimeout(() => resolve(true), 1));
    expect(fired).toBe(true);
    let ran = false;
    systemClock.clearTimeout(systemClock.setTimeout(() => (ran = true), 0));
    // Timers of equal delay fire in the order they were set: the cleared one would have run first.
    await new Promise<void>((resolve) => systemClock.setTimeout(resolve, 0));
    expect(ran).toBe(false);
  });
});
