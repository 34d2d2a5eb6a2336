import { defineFeature } from '../feature-module.js';
import { AccessTokens } from './access-tokens.js';
import { DEFAULT_LOGIN_THROTTLE, LoginThrottle, type LoginThrottleLimits } from './login-throttle.js';
import { authRoutes } from './routes.js';
import { AuthService } from './service.js';

export { actorOf, type Actor } from './actor.js';
export {
  ACCOUNT_CHANGES_CHANNEL,
  announceAccountChange,
  announceSessionsEnded,
  parseAccountChange,
  SESSIONS_PER_NOTICE,
  type AccountChange,
} from './account-changes.js';
export { changeUserRole } from './change-role.js';
export { hashOpaqueToken, newOpaqueToken } from './opaque-tokens.js';
export { withRole, type Principal } from './principal.js';
export type { AuthService, SignInGuard } from './service.js';
export { revokeAllSessionsOfUser } from './session-store.js';
export { sessionRevokedTopic } from './topics.js';
export { findEndedSessions } from './session-store.js';
export { findRoles, toUserDto, toUserRecord, type UserRecord } from './user-store.js';

declare module '../feature-module.js' {
  interface FeatureServices {
    auth: AuthService;
  }
}

export interface AuthLimits {
  /** Requests per minute per IP on register, login and refresh. */
  authRequestsPerMinute: number;
  loginThrottle: LoginThrottleLimits;
}

/** Accounts, sessions and credentials: who is calling, for every other feature. */
export const authFeature = defineFeature<AuthLimits>({
  name: 'auth',
  limits: { authRequestsPerMinute: 60, loginThrottle: DEFAULT_LOGIN_THROTTLE },
  setup: ({ db, bus, clock, logger, metrics, jwtSecret, config, limits }) => {
    const auth = new AuthService({
      bus,
      db,
      clock,
      logger,
      metrics,
      accessTokens: new AccessTokens(jwtSecret, config.publicUrl, clock),
      throttle: new LoginThrottle(clock, limits.loginThrottle),
    });
    return {
      services: { auth },
      authenticator: auth,
      api: async (api) => {
        await api.register(authRoutes, { auth, requestsPerMinute: limits.authRequestsPerMinute });
      },
    };
  },
});
