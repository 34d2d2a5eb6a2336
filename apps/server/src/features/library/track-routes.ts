import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  SearchQuerySchema,
  SearchResultSchema,
  TrackListQuerySchema,
  TrackPageSchema,
  TrackSchema,
  TrackUpdateBodySchema,
} from '@veza/shared';
import { errorResponses } from '../../http/error-responses.js';
import { actorOf } from '../auth/index.js';
import { idParams, LIBRARY_ROUTE_LIMITS, security, tags } from './route-support.js';
import { perUser } from '../../http/rate-limits.js';
import { DEFAULT_SEARCH_LIMIT } from './search.js';
import type { TrackLibrary } from './tracks.js';

export const trackRoutes: FastifyPluginAsyncTypebox<{ tracks: TrackLibrary }> = async (app, { tracks }) => {
  const writes = perUser(LIBRARY_ROUTE_LIMITS.writesPerMinute);
  const searches = perUser(LIBRARY_ROUTE_LIMITS.searchesPerMinute);

  app.get(
    '/tracks',
    {
      config: { access: 'tracks:play' },
      schema: {
        tags,
        summary: 'Browse tracks: ready ones, or all of mine; filters, sorts and cursor pages',
        security,
        querystring: TrackListQuerySchema,
        response: { 200: TrackPageSchema, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => tracks.list(actorOf(request), request.query),
  );

  app.get(
    '/tracks/:id',
    {
      config: { access: 'tracks:play' },
      schema: {
        tags,
        summary: 'One track (unfinished ones only for their uploader and admins)',
        security,
        params: idParams,
        response: { 200: TrackSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => tracks.get(actorOf(request), request.params.id),
  );

  app.patch(
    '/tracks/:id',
    {
      // Who may edit depends on the track (its uploader, or a manager), so the service decides,
      // as for DELETE /tracks/:id: a hidden track is a 404 and someone else's a 403 for everyone.
      config: { access: 'tracks:play', rateLimit: writes },
      schema: {
        tags,
        summary: "Edit a track's title, artist, album or genre (its uploader, or an admin)",
        security,
        params: idParams,
        body: TrackUpdateBodySchema,
        response: { 200: TrackSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => tracks.update(actorOf(request), request.params.id, request.body),
  );

  app.put(
    '/tracks/:id/like',
    {
      config: { access: 'tracks:play', rateLimit: writes },
      schema: {
        tags,
        summary: 'Like a track (liking twice is harmless)',
        security,
        params: idParams,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await tracks.like(actorOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/tracks/:id/like',
    {
      config: { access: 'tracks:play', rateLimit: writes },
      schema: {
        tags,
        summary: 'Stop liking a track (harmless when not liked)',
        security,
        params: idParams,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await tracks.unlike(actorOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/search',
    {
      config: { access: 'tracks:play', rateLimit: searches },
      schema: {
        tags,
        summary: 'Search ready tracks by title, artist and album (accents ignored; the last word may be unfinished)',
        security,
        querystring: SearchQuerySchema,
        response: { 200: SearchResultSchema, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => tracks.search(actorOf(request), request.query.q, request.query.limit ?? DEFAULT_SEARCH_LIMIT),
  );
};
