import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  ModerationRuleBodySchema,
  ModerationRuleSchema,
  ModerationRuleSetSchema,
  RuleTestBodySchema,
  RuleTestResultSchema,
  UuidSchema,
} from '@veza/shared';
import { errorResponses } from '../../http/error-responses.js';
import { actorOf } from '../auth/index.js';
import type { Actions } from './actions.js';
import type { RuleBook } from './rule-book.js';
import type { RuleTester } from './rule-tester.js';

const security = [{ bearer: [] }];
const tags = ['moderation'];
const idParams = Type.Object({ id: UuidSchema });

/** The automatic rules: reading, changing (global moderators, or a room's owners and moderators for its rules), trying. */
export const ruleRoutes: FastifyPluginAsyncTypebox<{ rules: RuleBook; actions: Actions; tester: RuleTester }> = async (
  app,
  { rules, actions, tester },
) => {
  app.get(
    '/moderation/rules',
    {
      config: { access: 'moderation:view' },
      schema: {
        tags,
        summary: 'Every rule, disabled ones included',
        security,
        response: { 200: ModerationRuleSetSchema, ...errorResponses(401, 403) },
      },
    },
    async () => {
      await rules.loaded();
      return rules.all();
    },
  );

  app.get(
    '/moderation/rules/effective',
    {
      config: { access: 'profile:read' },
      schema: {
        tags,
        summary: 'The enabled rules, which clients mirror to warn before sending',
        security,
        response: { 200: ModerationRuleSetSchema, ...errorResponses(401, 403) },
      },
    },
    async () => {
      await rules.loaded();
      return rules.effective();
    },
  );

  app.post(
    '/moderation/rules',
    {
      // moderation:act, or the room's owners and moderators for a rule of their room: checked in RuleBook.
      config: { access: 'profile:read' },
      schema: {
        tags,
        summary: 'Create a rule',
        security,
        body: ModerationRuleBodySchema,
        response: { 201: ModerationRuleSchema, ...errorResponses(400, 401, 403) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await rules.create(await actions.acting(actorOf(request)), request.body)),
  );

  app.put(
    '/moderation/rules/:id',
    {
      config: { access: 'profile:read' },
      schema: {
        tags,
        summary: 'Replace a rule',
        security,
        params: idParams,
        body: ModerationRuleBodySchema,
        response: { 200: ModerationRuleSchema, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => rules.update(await actions.acting(actorOf(request)), request.params.id, request.body),
  );

  app.delete(
    '/moderation/rules/:id',
    {
      config: { access: 'profile:read' },
      schema: {
        tags,
        summary: 'Delete a rule',
        security,
        params: idParams,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await rules.remove(await actions.acting(actorOf(request)), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/moderation/rules/test',
    {
      // moderation:view, or a room's owners and moderators with that room's id: checked in RuleTester.
      config: { access: 'profile:read' },
      schema: {
        tags,
        summary: 'Try a message against the saved rules or a draft rule, without sending it',
        security,
        body: RuleTestBodySchema,
        response: { 200: RuleTestResultSchema, ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => tester.test(actorOf(request), request.body),
  );
};
