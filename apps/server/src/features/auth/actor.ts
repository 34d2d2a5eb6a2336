import type { FastifyRequest } from 'fastify';
import type { Permission } from '@veza/shared';
import { requirePrincipal } from '../../http/access.js';

/**
 * Who acts, as the features' services see it: the principal's user and what their credential
 * may do (a chat sender, a listener browsing the library, an uploader).
 */
export interface Actor {
  id: string;
  username: string;
  permissions: ReadonlySet<Permission>;
}

/** The actor of an authenticated request; 401 when the route let an anonymous caller through. */
export function actorOf(request: FastifyRequest): Actor {
  const { user, permissions } = requirePrincipal(request);
  return { id: user.id, username: user.username, permissions };
}
