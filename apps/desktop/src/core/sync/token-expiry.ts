/**
 * When an access token expires, read from the JWT's `exp` claim (seconds). The socket needs it to
 * send `auth` in time after a renewal (the `done` answer carries no expiry). Null for API keys
 * and anything that is not a readable JWT.
 */
export function tokenExpiry(token: string): number | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown };
    return typeof claims.exp === 'number' ? claims.exp * 1000 : null;
  } catch {
    return null;
  }
}

/** Renew this long before expiry: a minute, or a quarter of a short lifetime. */
export function renewalDelay(expiresAt: number, now: number): number {
  const remaining = expiresAt - now;
  const margin = Math.min(60_000, remaining / 4);
  return Math.max(1_000, remaining - margin);
}
