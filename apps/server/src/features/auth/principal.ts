import type { Permission } from '@veza/shared';
import type { UserRecord } from './user-store.js';

/** Who is calling, and with which permissions: a signed-in session or an API key. */
export interface Principal {
  user: UserRecord;
  permissions: ReadonlySet<Permission>;
  /** The sign-in session of an access token; null for API keys. */
  sessionId: string | null;
  apiKeyId: string | null;
  /** When the credential stops being valid: an access token's expiry; null for API keys. */
  expiresAt: Date | null;
}
