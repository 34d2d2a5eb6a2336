import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Permission } from '@veza/shared';
import { forbidden, unauthenticated } from '../infra/errors.js';
import type { Principal } from '../features/auth/index.js';

/** What a route requires: nothing (`public`) or a permission from @veza/shared's table. */
export type Access = 'public' | Permission;

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export function requirePrincipal(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthenticated();
  return request.principal;
}

function bearerOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S{1,4096})$/i.exec(header);
  if (!match) throw unauthenticated('The Authorization header must be "Bearer <token>".');
  return match[1];
}

/** Resolves a bearer credential (access token or API key) to a principal, or throws 401. */
export interface Authenticator {
  authenticate(bearer: string): Promise<Principal>;
}

/**
 * Access control for the whole API, in one place. Every /api/v1 route must declare its access
 * (a route that forgets fails at start-up, not in production), and every request is checked
 * before its body is even parsed.
 */
export function installAccessControl(app: FastifyInstance, auth: Authenticator): void {
  app.decorateRequest('principal', null);

  app.addHook('onRoute', (route) => {
    const underApi = route.url === '/api/v1' || route.url.startsWith('/api/v1/');
    if (underApi && route.config?.access === undefined) {
      throw new Error(`Route ${String(route.method)} ${route.url} does not declare its access.`);
    }
  });

  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access;
    if (access === undefined) return;
    // Public routes ignore credentials: a stale token must not stop a login.
    if (access === 'public') return;
    const bearer = bearerOf(request);
    if (!bearer) throw unauthenticated();
    request.principal = await auth.authenticate(bearer);
    if (!request.principal.permissions.has(access)) {
      throw forbidden(`This needs the "${access}" permission.`);
    }
  });
}
