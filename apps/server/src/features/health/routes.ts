import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ErrorBodySchema } from '@veza/shared';
import type { Db } from '../../infra/db/db.js';
import type { Metrics } from '../../infra/metrics.js';
import { decideScrape, type MetricsAccess } from './metrics-access.js';

/**
 * Probes for orchestrators and Prometheus; outside /api/v1 and without auth. /metrics has its own
 * gate (see MetricsAccess), and is absent when `metricsAccess` is null: another listener serves it.
 */
export const healthRoutes: FastifyPluginAsyncTypebox<{
  db: Db;
  metrics: Metrics;
  metricsAccess: MetricsAccess | null;
}> = async (app, { db, metrics, metricsAccess }) => {
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

  if (!metricsAccess) return;
  app.get(
    '/metrics',
    {
      schema: {
        tags: ['ops'],
        summary: 'Prometheus metrics: for this machine only, unless a token is set (docs/operations.md)',
        response: {
          200: Type.String({ description: 'The Prometheus text format' }),
          401: ErrorBodySchema,
          403: ErrorBodySchema,
        },
      },
    },
    async (request, reply) => {
      const decision = decideScrape(metricsAccess, {
        remoteAddress: request.socket.remoteAddress,
        headers: request.headers,
      });
      if (!decision.allowed) {
        return reply
          .code(decision.status)
          .headers(decision.headers)
          .send({ error: { code: decision.code, message: decision.message } });
      }
      reply.type(metrics.registry.contentType);
      return metrics.registry.metrics();
    },
  );
};
