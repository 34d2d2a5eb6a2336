import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createUuidV7 } from './uuidv7.js';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('createUuidV7', () => {
  it('carries the time, version 7 and the RFC variant, and sorts in creation order', () => {
    const uuidv7 = createUuidV7((n) => randomBytes(n));
    const at = Date.UTC(2026, 10, 23, 23, 41, 7, 120);
    const id = uuidv7(at);
    expect(id).toMatch(V7);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at);
    const many = Array.from({ length: 5000 }, () => uuidv7());
    expect(many.every((each) => V7.test(each))).toBe(true);
    expect([...many].sort()).toEqual(many);
    expect(new Set(many).size).toBe(many.length);
  });

  it('keeps order when the clock stands still or steps back, borrowing the next millisecond', () => {
    // All-0xff randomness starts the counter at 2047: 2048 ids later it overflows into the next ms.
    const uuidv7 = createUuidV7(
      (n) => new Uint8Array(n).fill(0xff),
      () => 1000,
    );
    const ids = Array.from({ length: 2100 }, () => uuidv7());
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(parseInt(ids.at(-1)!.replace(/-/g, '').slice(0, 12), 16)).toBe(1001);
    const afterStepBack = uuidv7(500);
    expect(afterStepBack > ids.at(-1)!).toBe(true);
  });
});
