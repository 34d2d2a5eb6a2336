import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  ArtistStatsQuerySchema,
  ArtistStatsSchema,
  HistoryQuerySchema,
  HistorySchema,
  LiveTilesSchema,
  TopListSchema,
  TopQuerySchema,
} from '@veza/shared';
import { forbidden } from '../../infra/errors.js';
import { errorResponses } from '../../http/error-responses.js';
import { actorOf } from '../auth/index.js';
import { toCsv, type CsvCell } from './csv.js';
import type { AnalyticsService } from './service.js';

const tags = ['analytics'];
const security = [{ bearer: [] }];
const CSV_NOTE = ' CSV instead of JSON with `format=csv` or `Accept: text/csv`.';

/** CSV when asked for by `format=csv`, or by `Accept: text/csv` unless `format=json` says otherwise. */
function wantsCsv(request: FastifyRequest & { query: { format?: 'json' | 'csv' } }): boolean {
  if (request.query.format) return request.query.format === 'csv';
  return /\btext\/csv\b/i.test(request.headers.accept ?? '');
}

/** Sends the CSV as it is: a string with a non-JSON type skips the route's JSON serialiser. */
function sendCsv(reply: FastifyReply, name: string, header: string[], rows: CsvCell[][]): FastifyReply {
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${name}.csv"`)
    .header('cache-control', 'no-store')
    .send(toCsv(header, rows));
}

export const analyticsRoutes: FastifyPluginAsyncTypebox<{ analytics: AnalyticsService }> = async (
  app,
  { analytics },
) => {
  app.get(
    '/analytics/live',
    {
      config: { access: 'analytics:view' },
      schema: {
        tags,
        summary: 'Live tiles: users online, active rooms, messages per minute, tracks playing',
        description:
          'Users online across instances (presence); rooms with a message in the current minute or the four ' +
          'before; messages stored in the last full minute; listeners whose player reported in the last minute.',
        security,
        response: { 200: LiveTilesSchema, ...errorResponses(401, 403) },
      },
    },
    async () => analytics.live(),
  );

  app.get(
    '/analytics/history',
    {
      config: { access: 'analytics:view' },
      schema: {
        tags,
        summary: 'One metric over a range, by day, week or month',
        description:
          'The range is widened to whole buckets (ISO weeks from Monday, calendar months, UTC days); every ' +
          'bucket has a point, zeros included (future days too). `active_users` by week or month counts ' +
          'distinct users over the whole bucket. At most 366 days, 260 weeks or 120 months: longer ranges ' +
          'answer RANGE_TOO_LARGE.' +
          CSV_NOTE,
        security,
        querystring: HistoryQuerySchema,
        response: { 200: HistorySchema, ...errorResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const { metric, bucket = 'day', from, to } = request.query;
      const history = await analytics.history(metric, bucket, from, to);
      if (!wantsCsv(request)) return history;
      return sendCsv(
        reply,
        `${metric}-${bucket}-${from}-${to}`,
        ['start', metric],
        history.points.map((point) => [point.start, point.value]),
      );
    },
  );

  app.get(
    '/analytics/top',
    {
      config: { access: 'analytics:view' },
      schema: {
        tags,
        summary: 'Top tracks (by plays) or rooms (by messages) over a range of days',
        description: 'At most 366 days (RANGE_TOO_LARGE beyond); direct messages are never listed.' + CSV_NOTE,
        security,
        querystring: TopQuerySchema,
        response: { 200: TopListSchema, ...errorResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const { kind, from, to, limit } = request.query;
      const top = await analytics.top(kind, from, to, limit);
      if (!wantsCsv(request)) return top;
      return sendCsv(
        reply,
        `top-${kind}-${from}-${to}`,
        ['id', 'name', kind === 'tracks' ? 'plays' : 'messages'],
        top.items.map((item) => [item.id, item.name, item.value]),
      );
    },
  );

  app.get(
    '/analytics/artist',
    {
      // Signed-in callers; the handler decides whose figures (own with tracks:upload, others' with analytics:view).
      config: { access: 'profile:read' },
      schema: {
        tags,
        summary: "An artist's plays, listeners and listening time per track and per day",
        description:
          "Your own tracks (needs `tracks:upload`); with `analytics:view`, any artist's by `artistId`. " +
          'Listeners are distinct per track, per day and over the whole range. At most 366 days.' +
          CSV_NOTE +
          ' The CSV has one row per day, per track and the total (`scope` says which).',
        security,
        querystring: ArtistStatsQuerySchema,
        response: { 200: ArtistStatsSchema, ...errorResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const { artistId = actor.id, from, to } = request.query;
      const own = artistId.toLowerCase() === actor.id;
      if (own && !actor.permissions.has('tracks:upload') && !actor.permissions.has('analytics:view')) {
        throw forbidden('Artist statistics are for accounts that upload tracks.');
      }
      if (!own && !actor.permissions.has('analytics:view')) {
        throw forbidden('You can only see the statistics of your own tracks.');
      }
      const stats = await analytics.artist(artistId.toLowerCase(), from, to);
      if (!wantsCsv(request)) return stats;
      const figures = (row: { plays: number; listeners: number; listeningSeconds: number }): CsvCell[] => [
        row.plays,
        row.listeners,
        row.listeningSeconds,
      ];
      return sendCsv(
        reply,
        `artist-${from}-${to}`,
        ['scope', 'day', 'track_id', 'title', 'plays', 'listeners', 'listening_seconds'],
        [
          ['total', '', '', '', ...figures(stats.totals)],
          ...stats.perTrack.map((track): CsvCell[] => ['track', '', track.trackId, track.title, ...figures(track)]),
          ...stats.perDay.map((day): CsvCell[] => ['day', day.day, '', '', ...figures(day)]),
        ],
      );
    },
  );
};
