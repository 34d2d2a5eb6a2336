import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { PlayReportBodySchema, PlayStatsSchema } from '@veza/shared';
import { errorResponses } from '../../http/error-responses.js';
import type { PlayReports } from './plays.js';
import { actorOf } from '../auth/index.js';
import { idParams, LIBRARY_ROUTE_LIMITS, security, tags } from './route-support.js';
import { perUser } from '../../http/rate-limits.js';

const PlayReportSummarySchema = Type.Object({
  accepted: Type.Integer({ minimum: 0 }),
  ignored: Type.Integer({ minimum: 0 }),
});

export const playRoutes: FastifyPluginAsyncTypebox<{ plays: PlayReports }> = async (app, { plays }) => {
  app.post(
    '/plays',
    {
      config: { access: 'tracks:play', rateLimit: perUser(LIBRARY_ROUTE_LIMITS.playReportsPerMinute) },
      schema: {
        tags,
        summary: 'Report listening, live or from the offline queue',
        description:
          'Events are applied in one transaction (at most 200 per batch: send a longer offline queue in ' +
          'several). A play is recorded the first time its `playId` is seen; `listenedMs` is the total so far, ' +
          'so only increases add listening time, capped a little above the track duration. A play counts once, ' +
          'in the report where `listenedMs` first reaches 30 s (half the track if shorter), unless the same ' +
          'user has a counted play of the track started less than half its duration apart. Events that ' +
          'cannot apply (unknown or hidden track, a `playId` of another user or track, `occurredAt` more ' +
          'than 5 minutes ahead or 30 days old) are ignored and counted in `ignored`, so one stale event ' +
          'never fails an offline queue.',
        security,
        body: PlayReportBodySchema,
        response: { 200: PlayReportSummarySchema, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => plays.report(actorOf(request), request.body.events),
  );

  app.get(
    '/tracks/:id/stats',
    {
      config: { access: 'tracks:play' },
      schema: {
        tags,
        summary: "A track's plays and listening time, in total and mine",
        security,
        params: idParams,
        response: { 200: PlayStatsSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => plays.stats(actorOf(request), request.params.id),
  );
};
