import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  PlaylistCreateBodySchema,
  PlaylistDetailSchema,
  PlaylistReorderBodySchema,
  PlaylistSchema,
  PlaylistTracksAddBodySchema,
  PlaylistUpdateBodySchema,
  UuidSchema,
} from '@veza/shared';
import { errorResponses } from '../../http/error-responses.js';
import type { Playlists } from './playlists.js';
import { actorOf } from '../auth/index.js';
import { idParams, LIBRARY_ROUTE_LIMITS, security, tags } from './route-support.js';
import { perUser } from '../../http/rate-limits.js';

const PlaylistListQuerySchema = Type.Object(
  {
    /** Another user's public playlists; mine (public and private) without it. */
    ownerId: Type.Optional(UuidSchema),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 100 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000, default: 0 })),
  },
  { additionalProperties: false },
);

export const playlistRoutes: FastifyPluginAsyncTypebox<{ playlists: Playlists }> = async (app, { playlists }) => {
  const writes = perUser(LIBRARY_ROUTE_LIMITS.writesPerMinute);

  app.post(
    '/playlists',
    {
      config: { access: 'tracks:play', rateLimit: writes },
      schema: {
        tags,
        summary: 'Create a playlist (private unless said otherwise)',
        security,
        body: PlaylistCreateBodySchema,
        response: { 201: PlaylistSchema, ...errorResponses(400, 401, 403) },
      },
    },
    async (request, reply) => reply.code(201).send(await playlists.create(actorOf(request), request.body)),
  );

  app.get(
    '/playlists',
    {
      config: { access: 'tracks:play' },
      schema: {
        tags,
        summary: "My playlists, or another user's public ones; recently changed first",
        security,
        querystring: PlaylistListQuerySchema,
        response: { 200: Type.Object({ playlists: Type.Array(PlaylistSchema) }), ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => ({
      playlists: await playlists.list(actorOf(request), {
        ...(request.query.ownerId ? { ownerId: request.query.ownerId } : {}),
        limit: request.query.limit ?? 100,
        offset: request.query.offset ?? 0,
      }),
    }),
  );

  app.get(
    '/playlists/:id',
    {
      config: { access: 'tracks:play' },
      schema: {
        tags,
        summary: 'A playlist and its tracks in order (tracks I cannot see are left out)',
        security,
        params: idParams,
        response: { 200: PlaylistDetailSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => playlists.detail(actorOf(request), request.params.id),
  );

  app.patch(
    '/playlists/:id',
    {
      config: { access: 'tracks:play', rateLimit: writes },
      schema: {
        tags,
        summary: 'Rename a playlist, change its description or visibility (its owner)',
        security,
        params: idParams,
        body: PlaylistUpdateBodySchema,
        response: { 200: PlaylistSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => playlists.update(actorOf(request), request.params.id, request.body),
  );

  app.delete(
    '/playlists/:id',
    {
      config: { access: 'tracks:play', rateLimit: writes },
      schema: {
        tags,
        summary: 'Delete a playlist (its owner, or an admin)',
        security,
        params: idParams,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await playlists.delete(actorOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/playlists/:id/tracks',
    {
      config: { access: 'tracks:play', rateLimit: writes },
      schema: {
        tags,
        summary: 'Add tracks at a position, or at the end; tracks already in the playlist stay where they are',
        security,
        params: idParams,
        body: PlaylistTracksAddBodySchema,
        response: { 200: PlaylistDetailSchema, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => playlists.addTracks(actorOf(request), request.params.id, request.body),
  );

  app.delete(
    '/playlists/:id/tracks/:trackId',
    {
      config: { access: 'tracks:play', rateLimit: writes },
      schema: {
        tags,
        summary: 'Remove a track from a playlist (harmless when it is not there)',
        security,
        params: Type.Object({ id: UuidSchema, trackId: UuidSchema }),
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await playlists.removeTrack(actorOf(request), request.params.id, request.params.trackId);
      return reply.code(204).send(null);
    },
  );

  app.put(
    '/playlists/:id/order',
    {
      config: { access: 'tracks:play', rateLimit: writes },
      schema: {
        tags,
        summary: 'Reorder a playlist: all of its tracks, each once, in the new order (409 when it changed meanwhile)',
        security,
        params: idParams,
        body: PlaylistReorderBodySchema,
        response: { 200: PlaylistDetailSchema, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => playlists.reorder(actorOf(request), request.params.id, request.body.trackIds),
  );
};
