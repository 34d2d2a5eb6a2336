import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ErrorBodySchema } from '@veza/shared';
import type { Db } from '../../infra/db/db.js';
import type { Metrics } from '../../infra/metrics.js';

/** Probes for orchestrators and Prometheus; outside /api/v1 and without auth. */
export const healthRoutes: FastifyPluginAsyncTypebox<{ db: Db; metrics: Metrics }> = async (app, { db, metrics }) => {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['ops'],
        summary: 'The process is up',
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['ops'],
        summary: 'The server can serve: the database answers',
        response: { 200: Type.Object({ status: Type.Literal('ready') }), 503: ErrorBodySchema },
      },
    },
    async (_request, reply) => {
      if (await db.ping()) return { status: 'ready' as const };
      return reply.code(503).send({ error: { code: 'SERVICE_UNAVAILABLE', message: 'The database does not answer.' } });
    },
  );

  app.get(
    '/metrics',
    { schema: { tags: ['ops'], summary: 'Prometheus metrics', hide: false } },
    async (_request, reply) => {
      reply.type(metrics.registry.contentType);
      return metrics.registry.metrics();
    },
  );
};
