import { performance } from 'node:perf_hooks';
import type { ModerationRule, RuleTestBodySchema, RuleTestResult } from '@veza/shared';
import type { Static } from 'typebox';
import { compileRules, evaluateMessage } from '@veza/shared/moderation';
import type { Clock } from '../../infra/clock.js';
import { forbidden, notFound } from '../../infra/errors.js';
import type { Actor } from '../auth/index.js';
import type { ChatService } from '../chat/index.js';
import { checkRuleBody, type RuleBook } from './rule-book.js';

type RuleTestBody = Static<typeof RuleTestBodySchema>;

const DRAFT_ID = '00000000-0000-4000-8000-000000000000';

/**
 * POST /moderation/rules/test: a message tried against the saved rules or a draft, as a new
 * listener's message in the room given (so exemptions and account age do not hide a match).
 */
export class RuleTester {
  constructor(private readonly deps: { rules: RuleBook; chat: ChatService; clock: Clock }) {}

  async test(actor: Actor, body: RuleTestBody): Promise<RuleTestResult> {
    if (!actor.permissions.has('moderation:view')) {
      if (body.roomId && !(await this.deps.chat.roomSummary(body.roomId))) throw notFound('No such room.');
      const role = body.roomId ? await this.deps.chat.roomRole(body.roomId, actor.id) : undefined;
      if (role !== 'owner' && role !== 'moderator')
        throw forbidden('Trying rules needs "moderation:view", or owning or moderating the room given.');
    }
    await this.deps.rules.loaded();
    let compiled = this.deps.rules.compiled;
    if (body.rule) {
      checkRuleBody(body.rule);
      const now = this.deps.clock.now().toISOString();
      const draft: ModerationRule = {
        ...body.rule,
        enabled: true,
        id: DRAFT_ID,
        createdBy: actor.id,
        createdAt: now,
        updatedAt: now,
      };
      compiled = compileRules([draft]);
    }
    const now = this.deps.clock.now().getTime();
    const started = performance.now();
    const result = evaluateMessage(compiled, body.body, {
      authorRole: 'listener',
      roomId: body.roomId ?? null,
      roomRole: body.roomId ? 'member' : null,
      accountCreatedAt: now,
      now,
      recent: [],
      mentionCount: 0,
    });
    const evaluationMicros = (performance.now() - started) * 1000;
    return { hits: result.hits, action: result.action, evaluationMicros };
  }
}
