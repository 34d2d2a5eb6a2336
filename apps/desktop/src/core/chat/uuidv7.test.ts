import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../sync/backoff.js';
import { renewalDelay, tokenExpiry } from '../sync/token-expiry.js';

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
