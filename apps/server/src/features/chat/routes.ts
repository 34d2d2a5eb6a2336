import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  MessagePageSchema,
  MessageSearchHitSchema,
  RoomCreateBodySchema,
  RoomSchema,
  SeqSchema,
  STORABLE_TEXT,
  UserRefBodySchema,
  UuidSchema,
} from '@veza/shared';
import { errorResponses } from '../../http/error-responses.js';
import { perUser } from '../../http/rate-limits.js';
import { actorOf } from '../auth/index.js';
import type { ChatService } from './service.js';

const roomParams = Type.Object({ id: UuidSchema });

/**
 * Per-user request budgets for the chat routes that write or search (the access check runs
 * first, so the caller is known). Generous for people, tight enough to stop a script creating
 * thousands of rooms or adding someone to all of them.
 */
export interface ChatRouteLimits {
  writesPerMinute: number;
  searchesPerMinute: number;
}

export const DEFAULT_CHAT_ROUTE_LIMITS: ChatRouteLimits = { writesPerMinute: 60, searchesPerMinute: 30 };

const security = [{ bearer: [] }];

export const chatRoutes: FastifyPluginAsyncTypebox<{ chat: ChatService; limits: ChatRouteLimits }> = async (
  app,
  { chat, limits },
) => {
  const writes = perUser(limits.writesPerMinute);
  const searches = perUser(limits.searchesPerMinute);

  app.post(
    '/rooms',
    {
      config: { access: 'chat:write', rateLimit: writes },
      schema: {
        tags: ['chat'],
        summary: 'Create a public or private room; the creator is its owner',
        security,
        body: RoomCreateBodySchema,
        response: { 201: RoomSchema, ...errorResponses(400, 401, 403) },
      },
    },
    async (request, reply) => reply.code(201).send(await chat.createRoom(actorOf(request), request.body)),
  );

  app.get(
    '/rooms',
    {
      config: { access: 'chat:read' },
      schema: {
        tags: ['chat'],
        summary: 'My rooms, with read markers and unread counts',
        security,
        response: { 200: Type.Object({ rooms: Type.Array(RoomSchema) }), ...errorResponses(401, 403) },
      },
    },
    async (request) => ({ rooms: await chat.listMyRooms(actorOf(request).id) }),
  );

  app.get(
    '/rooms/public',
    {
      config: { access: 'chat:read' },
      schema: {
        tags: ['chat'],
        summary: 'Public rooms anyone may join, newest first',
        security,
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
          offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000, default: 0 })),
        }),
        response: { 200: Type.Object({ rooms: Type.Array(RoomSchema) }), ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => ({
      rooms: await chat.listPublicRooms(actorOf(request).id, request.query.limit ?? 50, request.query.offset ?? 0),
    }),
  );

  app.post(
    '/rooms/:id/join',
    {
      config: { access: 'chat:write', rateLimit: writes },
      schema: {
        tags: ['chat'],
        summary: 'Join a public room (joining twice is harmless)',
        security,
        params: roomParams,
        response: { 200: RoomSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => chat.join(actorOf(request), request.params.id),
  );

  app.post(
    '/rooms/:id/leave',
    {
      config: { access: 'chat:write', rateLimit: writes },
      schema: {
        tags: ['chat'],
        summary: 'Leave a room',
        security,
        params: roomParams,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await chat.leave(actorOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/rooms/:id/invites',
    {
      config: { access: 'chat:write', rateLimit: writes },
      schema: {
        tags: ['chat'],
        summary: 'Add a user to a room (owners and moderators, for private rooms)',
        security,
        params: roomParams,
        body: UserRefBodySchema,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await chat.invite(actorOf(request), request.params.id, request.body.userId);
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/rooms/:id/members/:userId',
    {
      config: { access: 'chat:write', rateLimit: writes },
      schema: {
        tags: ['chat'],
        summary: 'Remove a member (room owners and moderators, global moderators); their live stream stops',
        security,
        params: Type.Object({ id: UuidSchema, userId: UuidSchema }),
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await chat.removeMember(actorOf(request), request.params.id, request.params.userId);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/rooms/:id/read',
    {
      config: { access: 'chat:read' },
      schema: {
        tags: ['chat'],
        summary: 'Move my read marker forward (throttled per room, shared with the socket)',
        security,
        params: roomParams,
        body: Type.Object({ seq: SeqSchema }, { additionalProperties: false }),
        response: { 200: Type.Object({ lastReadSeq: SeqSchema }), ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) => ({ lastReadSeq: await chat.markRead(actorOf(request), request.params.id, request.body.seq) }),
  );

  app.get(
    '/rooms/:id/messages',
    {
      config: { access: 'chat:read' },
      schema: {
        tags: ['chat'],
        summary: 'Scrollback: messages before a seq, newest first (tombstones included)',
        security,
        params: roomParams,
        querystring: Type.Object({
          before: Type.Optional(SeqSchema),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
        }),
        response: { 200: MessagePageSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) =>
      chat.history(actorOf(request), request.params.id, request.query.before, request.query.limit ?? 50),
  );

  app.post(
    '/dms',
    {
      config: { access: 'chat:write', rateLimit: writes },
      schema: {
        tags: ['chat'],
        summary: 'Open (or find) the direct-message room with a user',
        security,
        body: UserRefBodySchema,
        response: { 200: RoomSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => chat.openDm(actorOf(request), request.body.userId),
  );

  app.get(
    '/search/messages',
    {
      config: { access: 'chat:read', rateLimit: searches },
      schema: {
        tags: ['chat'],
        summary: 'Full-text search over messages in my rooms',
        security,
        querystring: Type.Object({
          q: Type.String({ minLength: 1, maxLength: 200, pattern: STORABLE_TEXT }),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
        }),
        response: { 200: Type.Object({ hits: Type.Array(MessageSearchHitSchema) }), ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => ({ hits: await chat.search(actorOf(request), request.query.q, request.query.limit ?? 20) }),
  );
};
