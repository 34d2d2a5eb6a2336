import type { FastifyRequest } from 'fastify';

/**
 * A per-user request budget for one route (@fastify/rate-limit keeps a counter per route and
 * key). The access check runs first, so the caller is known; the address is the fallback.
 */
export const perUser = (max: number, timeWindow = '1 minute') => ({
  max,
  timeWindow,
  keyGenerator: (request: FastifyRequest) => `user:${request.principal?.user.id ?? request.ip}`,
});
