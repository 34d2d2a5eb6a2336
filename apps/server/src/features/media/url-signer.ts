import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/** What a signed media URL grants: one user, one published version of one track, until `expiresAt`. */
export interface MediaGrant {
  /** `hls` covers the whole ladder; a download covers one rendition. */
  scope: 'hls' | `download-${string}`;
  trackId: string;
  mediaVersion: number;
  userId: string;
  /** Seconds since the epoch. */
  expiresAt: number;
}

const SIGNATURE_LENGTH = 32; // base64url characters: 192 bits of the HMAC

/**
 * Signs media paths so a player (or a CDN in front of the server) can fetch them with no header:
 * the HMAC covers scope, track, version, user and expiry, and everything else in the URL is a
 * relative path under it. The key is derived from the server secret, so no extra secret to keep.
 */
export class UrlSigner {
  private readonly key: Buffer;

  constructor(
    secret: Uint8Array,
    private readonly options: { ttlSeconds: number; bucketSeconds: number },
  ) {
    this.key = Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'veza media urls v1', 32));
  }

  /**
   * Expiry rounded up to a bucket, so a user asking again within the bucket gets the same URL
   * and a cache in front keeps hitting.
   */
  expiryFor(nowMs: number): number {
    const { ttlSeconds, bucketSeconds } = this.options;
    // Rounded up, so a URL always lives at least the whole ttl.
    const earliest = Math.ceil(nowMs / 1000) + ttlSeconds;
    return Math.ceil(earliest / bucketSeconds) * bucketSeconds;
  }

  sign(grant: MediaGrant): string {
    return createHmac('sha256', this.key)
      .update(`${grant.scope}\n${grant.trackId}\n${grant.mediaVersion}\n${grant.userId}\n${grant.expiresAt}`)
      .digest('base64url')
      .slice(0, SIGNATURE_LENGTH);
  }

  /** `valid`, `expired` (checked only once the signature is right) or `forged`. */
  verify(grant: MediaGrant, signature: string, nowMs: number): 'valid' | 'expired' | 'forged' {
    const expected = Buffer.from(this.sign(grant));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'forged';
    return grant.expiresAt * 1000 <= nowMs ? 'expired' : 'valid';
  }
}
