import { describe, expect, it } from 'vitest';
import { backoffDelay } from './sync/backoff.js';
import { renewalDelay, tokenExpiry } from './sync/token-expiry.js';
import { uuidv7 } from './uuidv7.js';

describe('uuidv7', () => {
  it('carries the time, version 7 and the RFC variant, and sorts in creation order', () => {
    const at = Date.UTC(2026, 10, 23, 23, 41, 7, 120);
    const id = uuidv7(at);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at);
    const many = Array.from({ length: 5000 }, () => uuidv7());
    expect([...many].sort()).toEqual(many);
    expect(new Set(many).size).toBe(many.length);
  });
});

describe('backoff', () => {
  it('grows exponentially under a ceiling, with full jitter', () => {
    const options = { minDelayMs: 500, maxDelayMs: 30_000 };
    expect(backoffDelay(0, options, () => 0.999)).toBe(499);
    expect(backoffDelay(3, options, () => 0.999)).toBe(3996);
    expect(backoffDelay(20, options, () => 0.999)).toBe(29_970);
    // Never zero: half the base at least.
    expect(backoffDelay(5, options, () => 0)).toBe(250);
  });
});

describe('token expiry', () => {
  it('reads exp from a JWT and renews a minute (or a quarter of the lifetime) ahead', () => {
    const payload = Buffer.from(JSON.stringify({ exp: 2_000_000_000 })).toString('base64url');
    expect(tokenExpiry(`x.${payload}.y`)).toBe(2_000_000_000_000);
    expect(tokenExpiry('vz_apikey')).toBeNull();
    expect(tokenExpiry('a.not-json.b')).toBeNull();
    expect(renewalDelay(15 * 60_000, 0)).toBe(14 * 60_000);
    expect(renewalDelay(8_000, 0)).toBe(6_000);
  });
});
