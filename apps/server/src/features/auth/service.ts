import { randomUUID } from 'node:crypto';
import { API_KEY_PREFIX, type AuthSession } from '@veza/shared';
import type { Bus } from '../../infra/bus.js';
import type { Clock } from '../../infra/clock.js';
import type { Db } from '../../infra/db/db.js';
import { AppError } from '../../infra/errors.js';
import type { Logger } from '../../infra/logger.js';
import type { Metrics } from '../../infra/metrics.js';
import { authenticateApiKey } from './api-key-credentials.js';
import type { AccessTokens } from './access-tokens.js';
import { type LoginThrottle } from './login-throttle.js';
import { hashOpaqueToken, newOpaqueToken } from './opaque-tokens.js';
import { createAccount } from './accounts.js';
import { createDecoyHash, verifyPassword } from './passwords.js';
import { permissionsFor, type Principal } from './principal.js';
import * as sessions from './session-store.js';
import * as users from './user-store.js';
import { sessionRevokedTopic } from './topics.js';

export const REFRESH_TOKEN_PREFIX = 'vzr_';
export const REFRESH_TOKEN_TTL_MS = 30 * 24 * 3600 * 1000;
/**
 * Two requests racing with the same refresh token (two windows, a retry after a lost response)
 * both succeed when they come within this window and the first one's successor is still
 * unused; anything else presenting a used token is treated as theft.
 */
export const REFRESH_REUSE_GRACE_MS = 10_000;

export interface AuthServiceDeps {
  bus: Bus;
  db: Db;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  accessTokens: AccessTokens;
  throttle: LoginThrottle;
}

/**
 * Another feature's say on whether an account may sign in or use a credential at all (a
 * moderation ban). It throws an AppError (BANNED) to refuse. Registered at set-up, so auth
 * needs no import of the feature that owns the rule.
 */
export type SignInGuard = (userId: string) => Promise<void>;

export class AuthService {
  private decoyHash: Promise<string> | undefined;
  private readonly signInGuards: SignInGuard[] = [];

  addSignInGuard(guard: SignInGuard): void {
    this.signInGuards.push(guard);
  }

  private async checkSignIn(userId: string): Promise<void> {
    for (const guard of this.signInGuards) await guard(userId);
  }

  constructor(private readonly deps: AuthServiceDeps) {}

  async register(input: { email: string; username: string; password: string }): Promise<AuthSession> {
    const user = await createAccount(this.deps.db, this.deps.clock, { ...input, role: 'listener' });
    this.deps.metrics.authRegistrations.inc();
    this.deps.logger.info({ userId: user.id }, 'account registered');
    return this.startSession(user);
  }

  async login(input: { login: string; password: string }, ip: string): Promise<AuthSession> {
    const { throttle, metrics } = this.deps;
    const user = await users.findUserForLogin(this.deps.db, input.login.trim());
    const accountKey = user?.id ?? `unknown:${input.login.trim().toLowerCase()}`;
    const retryAfter = throttle.retryAfterSeconds(ip, accountKey);
    if (retryAfter > 0) {
      metrics.authLogins.inc({ result: 'throttled' });
      throw new AppError(429, 'RATE_LIMITED', `Too many failed sign-in attempts. Try again in ${retryAfter} s.`, {
        'retry-after': String(retryAfter),
      });
    }
    // Verify against a decoy when the account does not exist so timing does not reveal it.
    const valid = await verifyPassword(user?.passwordHash ?? (await this.getDecoyHash()), input.password);
    if (!user || !valid) {
      throttle.recordFailure(ip, accountKey);
      metrics.authLogins.inc({ result: 'failure' });
      throw new AppError(401, 'INVALID_CREDENTIALS', 'Wrong email, username or password.');
    }
    // Said only to whoever knows the password: to anyone else a disabled account looks like any other.
    if (user.disabled) {
      metrics.authLogins.inc({ result: 'failure' });
      throw new AppError(403, 'ACCOUNT_DISABLED', "This account has been disabled by the server's administrator.");
    }
    try {
      await this.checkSignIn(user.id);
    } catch (error) {
      metrics.authLogins.inc({ result: 'failure' });
      throw error;
    }
    metrics.authLogins.inc({ result: 'success' });
    const { passwordHash: _omit, disabled: _active, ...record } = user;
    return this.startSession(record);
  }

  async refresh(refreshToken: string): Promise<AuthSession> {
    const { db, clock, metrics, logger } = this.deps;
    const now = clock.now();
    const outcome = await db.transaction(async (tx) => {
      const row = await sessions.lockRefreshToken(tx, hashOpaqueToken(refreshToken));
      if (!row) return { kind: 'invalid' as const };
      // A ban ends the sessions: its owner is told they are banned rather than that the token is bad.
      if (row.session_revoked_at) return { kind: 'invalid' as const, userId: row.user_id };
      if (row.expires_at <= now) return { kind: 'expired' as const };
      if (row.used_at) {
        const withinGrace = now.getTime() - row.used_at.getTime() <= REFRESH_REUSE_GRACE_MS;
        if (!withinGrace || row.successor_used) {
          await sessions.revokeSession(tx, row.session_id, 'reuse', now);
          return { kind: 'reused' as const, sessionId: row.session_id, userId: row.user_id };
        }
      }
      await sessions.markRefreshTokenUsed(tx, row.id, now);
      const user = await users.findActiveUserById(tx, row.user_id);
      if (!user) return { kind: 'invalid' as const };
      const token = await this.issueRefreshToken(tx, row.session_id, row.id, now);
      await sessions.touchSession(tx, row.session_id, now);
      return { kind: 'ok' as const, user, token, sessionId: row.session_id };
    });

    switch (outcome.kind) {
      case 'ok': {
        await this.checkSignIn(outcome.user.id);
        metrics.authRefreshes.inc({ result: 'success' });
        const access = await this.deps.accessTokens.issue(outcome.user, outcome.sessionId);
        return {
          user: users.toUserDto(outcome.user),
          accessToken: access.token,
          refreshToken: outcome.token,
          accessTokenExpiresAt: access.expiresAt.toISOString(),
        };
      }
      case 'reused':
        metrics.authRefreshes.inc({ result: 'reused' });
        await this.announceRevoked(outcome.sessionId);
        logger.warn({ userId: outcome.userId, sessionId: outcome.sessionId }, 'refresh token reused: session revoked');
        throw new AppError(
          401,
          'REFRESH_TOKEN_REUSED',
          'This refresh token was already used; the session has been ended. Sign in again.',
        );
      case 'expired':
        metrics.authRefreshes.inc({ result: 'expired' });
        throw new AppError(401, 'TOKEN_EXPIRED', 'The refresh token has expired. Sign in again.');
      case 'invalid':
        metrics.authRefreshes.inc({ result: 'invalid' });
        if ('userId' in outcome && outcome.userId) await this.checkSignIn(outcome.userId);
        throw new AppError(401, 'TOKEN_INVALID', 'The refresh token is not valid. Sign in again.');
    }
  }

  async logout(sessionId: string): Promise<void> {
    await sessions.revokeSession(this.deps.db, sessionId, 'logout', this.deps.clock.now());
    await this.announceRevoked(sessionId);
  }

  private async announceRevoked(sessionId: string): Promise<void> {
    await this.deps.bus.publish(sessionRevokedTopic, {}, { sessionId }).catch((error: unknown) => {
      this.deps.logger.error({ err: error }, 'could not announce a revoked session');
    });
  }

  /** Resolves a bearer credential (access token or API key) to a principal, or throws 401. */
  async authenticate(bearer: string): Promise<Principal> {
    const { db, clock } = this.deps;
    if (bearer.startsWith(API_KEY_PREFIX)) {
      const found = await authenticateApiKey(db, bearer, clock.now());
      if (!found) throw new AppError(401, 'TOKEN_INVALID', 'The API key is not valid or has been revoked.');
      // A ban leaves keys in place (lifting it gives them back) but refuses them meanwhile.
      await this.checkSignIn(found.user.id);
      const scopes = new Set(found.scopes);
      return {
        user: found.user,
        permissions: permissionsFor(found.user.role, scopes),
        scopes,
        sessionId: null,
        apiKeyId: found.apiKeyId,
        expiresAt: null,
      };
    }
    const claims = await this.deps.accessTokens.verify(bearer);
    const user = await users.findUserInLiveSession(db, claims.userId, claims.sessionId);
    if (!user) {
      // Only on this rare path: a ban ended the session, and its owner should be told so.
      await this.checkSignIn(claims.userId);
      throw new AppError(401, 'TOKEN_INVALID', 'This session has ended. Sign in again.');
    }
    return {
      user,
      permissions: permissionsFor(user.role, null),
      scopes: null,
      sessionId: claims.sessionId,
      apiKeyId: null,
      expiresAt: claims.expiresAt,
    };
  }

  /**
   * Where a principal's account and credential stand now. A connection reads it again once it
   * is registered for account notices: a change committed while it was being authenticated
   * announced itself to nobody.
   */
  standing(principal: Principal): Promise<users.Standing> {
    return users.findStanding(this.deps.db, principal.user.id, principal);
  }

  private async startSession(user: users.UserRecord): Promise<AuthSession> {
    const now = this.deps.clock.now();
    const sessionId = randomUUID();
    const refreshToken = await this.deps.db.transaction(async (tx) => {
      await sessions.insertSession(tx, { id: sessionId, userId: user.id, now });
      return this.issueRefreshToken(tx, sessionId, null, now);
    });
    const access = await this.deps.accessTokens.issue(user, sessionId);
    return {
      user: users.toUserDto(user),
      accessToken: access.token,
      refreshToken,
      accessTokenExpiresAt: access.expiresAt.toISOString(),
    };
  }

  private async issueRefreshToken(
    tx: Parameters<typeof sessions.insertRefreshToken>[0],
    sessionId: string,
    parentId: string | null,
    now: Date,
  ): Promise<string> {
    const token = newOpaqueToken(REFRESH_TOKEN_PREFIX);
    await sessions.insertRefreshToken(tx, {
      id: randomUUID(),
      sessionId,
      hash: hashOpaqueToken(token),
      parentId,
      now,
      expiresAt: new Date(now.getTime() + REFRESH_TOKEN_TTL_MS),
    });
    return token;
  }

  private getDecoyHash(): Promise<string> {
    this.decoyHash ??= createDecoyHash();
    return this.decoyHash;
  }
}
