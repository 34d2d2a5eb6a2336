import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Db } from '../../infra/db/db.js';
import { SERVER_VERSION } from '../../infra/version.js';
import { HOME_PAGE_CSP, renderHomePage } from './page.js';

/**
 * `GET /` (and HEAD): a person who opens the server's address in a browser learns what it is,
 * whether it works and how to use it, instead of a JSON 404. Public, like the health probes.
 */
export const homeRoutes: FastifyPluginAsyncTypebox<{ db: Db; publicUrl: string }> = async (app, { db, publicUrl }) => {
  app.get('/', { schema: { hide: true } }, async (_request, reply) => {
    const ready = await db.ping();
    return reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', HOME_PAGE_CSP)
      .header('cache-control', 'no-store')
      .send(renderHomePage({ version: SERVER_VERSION, publicUrl, ready }));
  });
};
