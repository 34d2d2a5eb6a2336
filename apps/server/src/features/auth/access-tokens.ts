import { randomUUID } from 'node:crypto';
import { SignJWT, errors, jwtVerify } from 'jose';
import type { Role } from '@veza/shared';
import type { Clock } from '../../infra/clock.js';
import { AppError } from '../../infra/errors.js';

export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
export const ACCESS_TOKEN_AUDIENCE = 'veza-api';
/** RFC 9068 type, so a refresh token or an ID token can never pass as an access token. */
export const ACCESS_TOKEN_TYPE = 'at+jwt';
const ALGORITHM = 'HS256';

export interface AccessClaims {
  userId: string;
  sessionId: string;
  expiresAt: Date;
}

export class AccessTokens {
  constructor(
    private readonly secret: Uint8Array,
    private readonly issuer: string,
    private readonly clock: Clock,
  ) {}

  async issue(user: { id: string; role: Role }, sessionId: string): Promise<{ token: string; expiresAt: Date }> {
    const issuedAt = Math.floor(this.clock.now().getTime() / 1000);
    const expiresAt = issuedAt + ACCESS_TOKEN_TTL_SECONDS;
    const token = await new SignJWT({ sid: sessionId, role: user.role })
      .setProtectedHeader({ alg: ALGORITHM, typ: ACCESS_TOKEN_TYPE })
      .setSubject(user.id)
      .setIssuer(this.issuer)
      .setAudience(ACCESS_TOKEN_AUDIENCE)
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt)
      .setJti(randomUUID())
      .sign(this.secret);
    return { token, expiresAt: new Date(expiresAt * 1000) };
  }

  /** Verifies with the algorithm pinned; `none`, RS256 and every other header are refused. */
  async verify(token: string): Promise<AccessClaims> {
    try {
      const { payload } = await jwtVerify(token, this.secret, {
        algorithms: [ALGORITHM],
        issuer: this.issuer,
        audience: ACCESS_TOKEN_AUDIENCE,
        typ: ACCESS_TOKEN_TYPE,
        currentDate: this.clock.now(),
        requiredClaims: ['sub', 'exp', 'iat', 'sid'],
      });
      if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string')
        throw new errors.JWTClaimValidationFailed('bad claims', payload);
      return { userId: payload.sub, sessionId: payload.sid, expiresAt: new Date((payload.exp ?? 0) * 1000) };
    } catch (error) {
      if (error instanceof errors.JWTExpired)
        throw new AppError(401, 'TOKEN_EXPIRED', 'The access token has expired; refresh it.');
      throw new AppError(401, 'TOKEN_INVALID', 'The access token is not valid.');
    }
  }
}
