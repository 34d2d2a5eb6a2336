import { createHash, randomBytes } from 'node:crypto';

/**
 * Refresh tokens and API keys are random 256-bit strings. They carry enough entropy that a
 * fast hash is the right storage form (a slow KDF buys nothing and costs every request).
 */
export function newOpaqueToken(prefix: string): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

export function hashOpaqueToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
