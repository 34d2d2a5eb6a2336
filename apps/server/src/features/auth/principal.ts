import { ROLE_PERMISSIONS, type Permission, type Role } from '@veza/shared';
import type { UserRecord } from './user-store.js';

/** Who is calling, and with which permissions: a signed-in session or an API key. */
export interface Principal {
  user: UserRecord;
  permissions: ReadonlySet<Permission>;
  /** An API key's scopes: the most it may do, whatever its owner's role allows; null for sessions. */
  scopes: ReadonlySet<Permission> | null;
  /** The sign-in session of an access token; null for API keys. */
  sessionId: string | null;
  apiKeyId: string | null;
  /** When the credential stops being valid: an access token's expiry; null for API keys. */
  expiresAt: Date | null;
}

/** What a credential may do: its owner's role, narrowed to an API key's scopes. */
export function permissionsFor(role: Role, scopes: ReadonlySet<Permission> | null): ReadonlySet<Permission> {
  const granted = ROLE_PERMISSIONS[role];
  return new Set(scopes ? granted.filter((permission) => scopes.has(permission)) : granted);
}

/** The same credential after its owner's role changed: the new role applies, the key's scopes still bound it. */
export function withRole(principal: Principal, role: Role): Principal {
  return {
    ...principal,
    user: { ...principal.user, role },
    permissions: permissionsFor(role, principal.scopes),
  };
}
