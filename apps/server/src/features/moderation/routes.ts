import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  AuditPageSchema,
  AuditQuerySchema,
  ModeratedUserListSchema,
  ModerationActionBodySchema,
  ModerationActionResultSchema,
  ModerationUserFileSchema,
  REPORT_STATES,
  ReportContextSchema,
  ReportCreateBodySchema,
  ReportPageSchema,
  ReportReceiptSchema,
  UserNoteBodySchema,
  UserNoteSchema,
  UuidSchema,
} from '@veza/shared';
import { errorResponses } from '../../http/error-responses.js';
import { actorOf } from '../auth/index.js';
import type { Actions } from './actions.js';
import type { AuditLog } from './audit.js';
import type { Reports } from './reports.js';
import type { UserFiles } from './user-files.js';

const security = [{ bearer: [] }];
const tags = ['moderation'];
const idParams = Type.Object({ id: UuidSchema });

/** Reports, the queue, actions, the audit log and users' files. Rules are in rule-routes.ts. */
export const moderationRoutes: FastifyPluginAsyncTypebox<{
  reports: Reports;
  actions: Actions;
  audit: AuditLog;
  users: UserFiles;
}> = async (app, { reports, actions, audit, users }) => {
  app.post(
    '/reports',
    {
      // Any signed-in user; the per-user flood limit is in Reports.
      config: { access: 'profile:read' },
      schema: {
        tags,
        summary: 'Report a message, a user or a track (the same open report again gives the same receipt)',
        security,
        body: ReportCreateBodySchema,
        response: { 201: ReportReceiptSchema, ...errorResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) => reply.code(201).send(await reports.create(actorOf(request), request.body)),
  );

  app.get(
    '/moderation/reports',
    {
      config: { access: 'moderation:view' },
      schema: {
        tags,
        summary: 'The moderation queue, oldest first',
        security,
        querystring: Type.Object(
          {
            state: Type.Optional(Type.Enum(REPORT_STATES)),
            cursor: Type.Optional(Type.String({ maxLength: 40 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: ReportPageSchema, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => reports.page(request.query.state ?? 'open', request.query.cursor, request.query.limit ?? 50),
  );

  app.get(
    '/moderation/reports/:id/context',
    {
      config: { access: 'moderation:view' },
      schema: {
        tags,
        summary: 'What a moderator needs to decide on a report: surrounding messages and the user’s file',
        security,
        params: idParams,
        response: { 200: ReportContextSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => reports.context(request.params.id),
  );

  app.post(
    '/moderation/actions',
    {
      // Global moderators, or room owners and moderators for room-scoped actions: checked in Actions.
      config: { access: 'profile:read' },
      schema: {
        tags,
        summary: 'Act on a report, a message, a user or a room',
        security,
        body: ModerationActionBodySchema,
        response: { 200: ModerationActionResultSchema, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => actions.perform(actorOf(request), request.body),
  );

  app.get(
    '/moderation/audit',
    {
      config: { access: 'moderation:view' },
      schema: {
        tags,
        summary: 'The audit log, newest first; CSV with format=csv or Accept: text/csv',
        security,
        querystring: AuditQuerySchema,
        response: {
          200: {
            content: {
              'application/json': { schema: AuditPageSchema },
              'text/csv': { schema: Type.String() },
            },
          },
          ...errorResponses(400, 401, 403),
        },
      },
    },
    async (request, reply) => {
      const wantsCsv =
        request.query.format === 'csv' ||
        (request.query.format === undefined && /\btext\/csv\b/.test(request.headers.accept ?? ''));
      if (!wantsCsv) return audit.page(request.query);
      reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="audit.csv"');
      // A stream is sent as it is, past the JSON serialiser.
      return reply.send(Readable.from(audit.csv(request.query)) as unknown as string);
    },
  );

  app.get(
    '/moderation/users',
    {
      config: { access: 'moderation:view' },
      schema: {
        tags,
        summary: 'Find users by username prefix',
        security,
        querystring: Type.Object(
          {
            q: Type.String({ minLength: 1, maxLength: 40 }),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: ModeratedUserListSchema, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => users.search(request.query.q, request.query.limit ?? 20),
  );

  app.get(
    '/moderation/users/:id',
    {
      config: { access: 'moderation:view' },
      schema: {
        tags,
        summary: "A user's file: standing, recent messages, actions, notes, sessions",
        security,
        params: idParams,
        response: { 200: ModerationUserFileSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => users.file(request.params.id),
  );

  app.post(
    '/moderation/users/:id/notes',
    {
      config: { access: 'moderation:view' },
      schema: {
        tags,
        summary: 'Add a moderators’ note to a user',
        security,
        params: idParams,
        body: UserNoteBodySchema,
        response: { 201: UserNoteSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await users.addNote(actorOf(request), request.params.id, request.body.body)),
  );
};
