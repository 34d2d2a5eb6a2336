import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UrlSigner, type MediaGrant } from './url-signer.js';

const secret = randomBytes(32);
const signer = new UrlSigner(secret, { ttlSeconds: 3_600, bucketSeconds: 300 });

const grant: MediaGrant = {
  scope: 'hls',
  trackId: '3f1c2a44-5b6d-4e7f-8a9b-0c1d2e3f4a5b',
  mediaVersion: 2,
  userId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
  expiresAt: 1_800_000_000,
};
const beforeExpiry = grant.expiresAt * 1000 - 60_000;

describe('UrlSigner', () => {
  it('signs with 32 URL-safe characters, the same way every time and with every signer of the secret', () => {
    const signature = signer.sign(grant);
    expect(signature).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(signer.sign({ ...grant })).toBe(signature);
    expect(new UrlSigner(Uint8Array.from(secret), { ttlSeconds: 1, bucketSeconds: 1 }).sign(grant)).toBe(signature);
  });

  it('verifies its own signature until the expiry', () => {
    const signature = signer.sign(grant);
    expect(signer.verify(grant, signature, beforeExpiry)).toBe('valid');
    expect(signer.verify(grant, signature, 0)).toBe('valid');
    expect(signer.verify(grant, signature, grant.expiresAt * 1000 - 1)).toBe('valid');
  });

  it('is expired from the very millisecond of the expiry', () => {
    const signature = signer.sign(grant);
    expect(signer.verify(grant, signature, grant.expiresAt * 1000)).toBe('expired');
    expect(signer.verify(grant, signature, grant.expiresAt * 1000 + 1)).toBe('expired');
    expect(signer.verify(grant, signature, grant.expiresAt * 1000 + 86_400_000)).toBe('expired');
  });

  it.each<[string, Partial<MediaGrant>]>([
    ['scope', { scope: 'download-256k' }],
    ['download quality', { scope: 'download-64k' }],
    ['track', { trackId: '3f1c2a44-5b6d-4e7f-8a9b-0c1d2e3f4a5c' }],
    ['version', { mediaVersion: 3 }],
    ['user', { userId: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6e' }],
    ['expiry, later', { expiresAt: grant.expiresAt + 1 }],
    ['expiry, earlier', { expiresAt: grant.expiresAt - 1 }],
  ])('any change to the %s makes it forged', (_field, change) => {
    const signature = signer.sign(grant);
    expect(signer.verify({ ...grant, ...change }, signature, beforeExpiry)).toBe('forged');
  });

  it('a download signature does not open another quality', () => {
    const download: MediaGrant = { ...grant, scope: 'download-128k' };
    const signature = signer.sign(download);
    expect(signer.verify(download, signature, beforeExpiry)).toBe('valid');
    expect(signer.verify({ ...download, scope: 'download-256k' }, signature, beforeExpiry)).toBe('forged');
    expect(signer.verify({ ...download, scope: 'hls' }, signature, beforeExpiry)).toBe('forged');
  });

  it('a tampered grant is forged, not expired, even after its expiry', () => {
    const signature = signer.sign(grant);
    const later = grant.expiresAt * 1000 + 1;
    expect(signer.verify({ ...grant, mediaVersion: 1 }, signature, later)).toBe('forged');
    expect(signer.verify(grant, 'x'.repeat(32), later)).toBe('forged');
  });

  it('moving text between fields does not keep a signature valid', () => {
    const a: MediaGrant = { ...grant, scope: 'download-128k', trackId: 'abc' };
    const signature = signer.sign(a);
    expect(signer.verify({ ...a, scope: 'download-128ka', trackId: 'bc' }, signature, beforeExpiry)).toBe('forged');
    expect(signer.verify({ ...a, trackId: 'ab', userId: `c${a.userId}` }, signature, beforeExpiry)).toBe('forged');
  });

  it('rejects signatures of the wrong length or of garbage without throwing', () => {
    const signature = signer.sign(grant);
    const flipped = `${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`;
    const cases = [
      '',
      'a',
      signature.slice(0, 31),
      `${signature}A`,
      signature + signature,
      signature.toLowerCase() === signature ? signature.toUpperCase() : signature.toLowerCase(),
      flipped,
      ' '.repeat(32),
      '\0'.repeat(32),
      '\u00e9'.repeat(16), // 32 bytes of UTF-8, the length of a real signature
      '\u00e9'.repeat(32),
      '\ud83d\ude00'.repeat(8),
      '\ud800'.repeat(32),
      'x'.repeat(100_000),
    ];
    for (const candidate of cases) {
      expect(() => signer.verify(grant, candidate, beforeExpiry)).not.toThrow();
      expect(signer.verify(grant, candidate, beforeExpiry)).toBe('forged');
    }
  });

  it('a signature made with another secret is forged', () => {
    const other = new UrlSigner(randomBytes(32), { ttlSeconds: 3_600, bucketSeconds: 300 });
    expect(other.sign(grant)).not.toBe(signer.sign(grant));
    expect(signer.verify(grant, other.sign(grant), beforeExpiry)).toBe('forged');
    expect(other.verify(grant, signer.sign(grant), beforeExpiry)).toBe('forged');
  });

  it('expiryFor rounds up to the bucket', () => {
    const ttl = new UrlSigner(secret, { ttlSeconds: 600, bucketSeconds: 300 });
    expect(ttl.expiryFor(0)).toBe(600);
    expect(ttl.expiryFor(1_000)).toBe(900);
    expect(ttl.expiryFor(299_000)).toBe(900);
    expect(ttl.expiryFor(300_000)).toBe(900);
    expect(ttl.expiryFor(300_001)).toBe(1_200);
    expect(ttl.expiryFor(1_700_000_000_000)).toBe(1_700_000_700);
  });

  it('expiryFor is a whole bucket, at least the ttl away and less than a bucket more', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4_000_000_000_000 }),
        fc.integer({ min: 1, max: 7 * 86_400 }),
        fc.integer({ min: 1, max: 86_400 }),
        (nowMs, ttlSeconds, bucketSeconds) => {
          const expiry = new UrlSigner(secret, { ttlSeconds, bucketSeconds }).expiryFor(nowMs);
          expect(Number.isSafeInteger(expiry)).toBe(true);
          expect(expiry % bucketSeconds).toBe(0);
          expect(expiry * 1000).toBeGreaterThanOrEqual(nowMs + ttlSeconds * 1000);
          expect(expiry * 1000).toBeLessThan(nowMs + (ttlSeconds + bucketSeconds + 1) * 1000);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('expiryFor gives everyone asking within a bucket the same expiry, so URLs repeat', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 1, max: 300_000 }), (bucket, offset) => {
        // Every instant in (bucket * 300 s, (bucket + 1) * 300 s] gets the end of that window plus the ttl.
        expect(signer.expiryFor(bucket * 300_000 + offset)).toBe((bucket + 1) * 300 + 3_600);
      }),
      { numRuns: 2_000 },
    );
  });

  it('any change to any field of any grant is caught', () => {
    const text = fc.string({ minLength: 1, maxLength: 40, unit: 'binary' });
    const grants = fc.record<MediaGrant>({
      scope: fc.oneof(
        fc.constant('hls' as const),
        text.map((quality) => `download-${quality}` as const),
      ),
      trackId: fc.oneof(fc.uuid(), text),
      mediaVersion: fc.nat({ max: 1_000_000 }),
      userId: fc.oneof(fc.uuid(), text),
      expiresAt: fc.integer({ min: 1, max: 4_000_000_000 }),
    });
    const tamper = fc.oneof(
      text.map((quality) => ({ scope: `download-${quality}` as const })),
      fc.constant({ scope: 'hls' as const }),
      fc.oneof(fc.uuid(), text).map((trackId) => ({ trackId })),
      fc.nat({ max: 1_000_000 }).map((mediaVersion) => ({ mediaVersion })),
      fc.oneof(fc.uuid(), text).map((userId) => ({ userId })),
      fc.integer({ min: 1, max: 4_000_000_000 }).map((expiresAt) => ({ expiresAt })),
    );
    fc.assert(
      fc.property(grants, tamper, fc.integer({ min: 0, max: 4_000_000_000_000 }), (original, change, nowMs) => {
        const tampered = { ...original, ...change };
        const key = (g: MediaGrant): string =>
          JSON.stringify([g.scope, g.trackId, g.mediaVersion, g.userId, g.expiresAt]);
        fc.pre(key(tampered) !== key(original));
        const signature = signer.sign(original);
        expect(signer.verify(original, signature, nowMs)).toBe(
          original.expiresAt * 1000 <= nowMs ? 'expired' : 'valid',
        );
        expect(signer.verify(tampered, signature, nowMs)).toBe('forged');
      }),
      { numRuns: 2_000 },
    );
  });

  it('a signature of any other grant never verifies this one', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 64, unit: 'grapheme' }), (candidate) => {
        fc.pre(candidate !== signer.sign(grant));
        expect(signer.verify(grant, candidate, beforeExpiry)).toBe('forged');
      }),
      { numRuns: 2_000 },
    );
  });
});
