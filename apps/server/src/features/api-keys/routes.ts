import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { API_KEY_PREFIX, ApiKeyCreateBodySchema, ApiKeyCreatedSchema, ApiKeySchema, UuidSchema } from '@veza/shared';
import { AppError, forbidden, notFound } from '../../infra/errors.js';
import { errorResponses } from '../../http/error-responses.js';
import { requirePrincipal } from '../../http/access.js';
import { newOpaqueToken } from '../auth/index.js';
import type { FeatureDeps } from '../feature-module.js';
import { insertApiKey, listApiKeys, revokeApiKey } from './store.js';
import { apiKeyRevokedTopic } from './topics.js';

const MAX_LIVE_KEYS_PER_USER = 50;

export const apiKeyRoutes: FastifyPluginAsyncTypebox<Pick<FeatureDeps, 'db' | 'clock' | 'bus'>> = async (
  app,
  { db, clock, bus },
) => {
  app.post(
    '/api-keys',
    {
      config: { access: 'api_keys:manage' },
      schema: {
        tags: ['api-keys'],
        summary: 'Create an API key; the key is returned once',
        security: [{ bearer: [] }],
        body: ApiKeyCreateBodySchema,
        response: { 201: ApiKeyCreatedSchema, ...errorResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const principal = requirePrincipal(request);
      // A key may never hold more than its creator can do.
      const beyond = request.body.scopes.filter((scope) => !principal.permissions.has(scope));
      if (beyond.length > 0) throw forbidden(`You cannot grant scopes you do not have: ${beyond.join(', ')}.`);
      const live = (await listApiKeys(db, principal.user.id)).filter((k) => k.revokedAt === null);
      if (live.length >= MAX_LIVE_KEYS_PER_USER) {
        throw new AppError(
          400,
          'BAD_REQUEST',
          `You already have ${MAX_LIVE_KEYS_PER_USER} active API keys; revoke one first.`,
        );
      }
      const secret = newOpaqueToken(API_KEY_PREFIX);
      const apiKey = await insertApiKey(db, {
        id: randomUUID(),
        userId: principal.user.id,
        name: request.body.name.trim(),
        secret,
        scopes: request.body.scopes,
        now: clock.now(),
      });
      return reply.code(201).send({ apiKey, key: secret });
    },
  );

  app.get(
    '/api-keys',
    {
      config: { access: 'api_keys:manage' },
      schema: {
        tags: ['api-keys'],
        summary: 'List my API keys (never the secrets)',
        security: [{ bearer: [] }],
        response: { 200: Type.Object({ apiKeys: Type.Array(ApiKeySchema) }), ...errorResponses(401, 403) },
      },
    },
    async (request) => ({ apiKeys: await listApiKeys(db, requirePrincipal(request).user.id) }),
  );

  app.delete(
    '/api-keys/:id',
    {
      config: { access: 'api_keys:manage' },
      schema: {
        tags: ['api-keys'],
        summary: 'Revoke one of my API keys',
        security: [{ bearer: [] }],
        params: Type.Object({ id: UuidSchema }),
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const revoked = await revokeApiKey(db, requirePrincipal(request).user.id, request.params.id, clock.now());
      if (!revoked) throw notFound('No active API key with this id.');
      await bus.publish(apiKeyRevokedTopic, {}, { apiKeyId: request.params.id }).catch((error: unknown) => {
        request.log.error({ err: error }, 'could not announce a revoked API key');
      });
      return reply.code(204).send(null);
    },
  );
};
