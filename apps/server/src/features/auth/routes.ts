import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AuthSessionSchema, LoginBodySchema, RefreshBodySchema, RegisterBodySchema, UserSchema } from '@veza/shared';
import { AppError } from '../../infra/errors.js';
import { requirePrincipal } from '../../http/access.js';
import { errorResponses } from '../../http/error-responses.js';
import type { AuthService } from './service.js';
import { toUserDto } from './user-store.js';

export interface AuthRouteOptions {
  auth: AuthService;
  /** Requests per minute per IP on each credential route (on top of the failed-login throttle). */
  requestsPerMinute: number;
}

export const authRoutes: FastifyPluginAsyncTypebox<AuthRouteOptions> = async (app, { auth, requestsPerMinute }) => {
  const rateLimit = { max: requestsPerMinute, timeWindow: '1 minute' };

  app.post(
    '/auth/register',
    {
      config: { access: 'public', rateLimit },
      schema: {
        tags: ['auth'],
        summary: 'Create an account and sign in',
        body: RegisterBodySchema,
        response: { 201: AuthSessionSchema, ...errorResponses(400, 409, 413, 429) },
      },
    },
    async (request, reply) => reply.code(201).send(await auth.register(request.body)),
  );

  app.post(
    '/auth/login',
    {
      config: { access: 'public', rateLimit },
      schema: {
        tags: ['auth'],
        summary: 'Sign in with email or username and password',
        body: LoginBodySchema,
        response: { 200: AuthSessionSchema, ...errorResponses(400, 401, 403, 413, 429) },
      },
    },
    async (request) => auth.login(request.body, request.ip),
  );

  app.post(
    '/auth/refresh',
    {
      config: { access: 'public', rateLimit },
      schema: {
        tags: ['auth'],
        summary: 'Trade a refresh token for a new token pair (the old one stops working)',
        body: RefreshBodySchema,
        response: { 200: AuthSessionSchema, ...errorResponses(400, 401, 429) },
      },
    },
    async (request) => auth.refresh(request.body.refreshToken),
  );

  app.post(
    '/auth/logout',
    {
      config: { access: 'profile:read' },
      schema: {
        tags: ['auth'],
        summary: 'End the current session: its refresh and access tokens stop working',
        security: [{ bearer: [] }],
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const { sessionId } = requirePrincipal(request);
      if (!sessionId)
        throw new AppError(400, 'BAD_REQUEST', 'API keys have no session to end; revoke the key instead.');
      await auth.logout(sessionId);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/me',
    {
      config: { access: 'profile:read' },
      schema: {
        tags: ['auth'],
        summary: 'The signed-in user',
        security: [{ bearer: [] }],
        response: { 200: UserSchema, ...errorResponses(401, 403) },
      },
    },
    async (request) => toUserDto(requirePrincipal(request).user),
  );
};
