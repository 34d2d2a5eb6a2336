import { randomUUID } from 'node:crypto';
import type { Role, RuleAction, RuleHit } from '@veza/shared';
import { evaluateMessage, RECENT_MAX_MESSAGES, RECENT_WINDOW_MS, type RuleContext } from '@veza/shared/moderation';
import type { Bus } from '../../infra/bus.js';
import type { Clock } from '../../infra/clock.js';
import type { Db } from '../../infra/db/db.js';
import { AppError } from '../../infra/errors.js';
import type { GuardVerdict, MessageAttempt } from '../chat/index.js';
import type { AuditLog } from './audit.js';
import type { MessageScreen } from './chat-guard.js';
import { holdMessage } from './held-store.js';
import { notifyUser } from './notices.js';
import type { Reports } from './reports.js';
import type { RuleBook } from './rule-book.js';
import { recentMessagesOf } from './rules-store.js';
import { describeUntil, type Sanctions } from './sanctions.js';
import { findUserBrief } from './users-store.js';

/** Rule kinds that look at the author's earlier messages. */
const NEEDS_RECENT = new Set(['repeats', 'flood', 'slow_mode']);

/**
 * The rules on every send and edit, with the compiled set held in memory. What the strongest
 * hit asks for is done here: flag (delivered, queued for moderators), hold (kept aside until a
 * moderator approves), block (MESSAGE_BLOCKED), timeout (MUTED, with a notice), ban. Every
 * automatic hold, block, timeout and ban is audited with a null actor.
 */
export class Automod implements MessageScreen {
  constructor(
    private readonly deps: {
      db: Db;
      bus: Bus;
      clock: Clock;
      rules: RuleBook;
      reports: Reports;
      sanctions: Sanctions;
      audit: AuditLog;
    },
  ) {}

  async screenSend(attempt: MessageAttempt): Promise<GuardVerdict> {
    const verdict = await this.evaluate(attempt);
    if (!verdict) return { kind: 'allow' };
    const { action, hits } = verdict;
    if (action === 'flag')
      return {
        kind: 'allow',
        afterStore: async (message) => {
          await this.deps.reports.automod({ type: 'message', id: message.id }, hits);
        },
      };
    if (action === 'hold') {
      await this.hold(attempt, hits);
      return { kind: 'held' };
    }
    return this.refuse(attempt, action, hits);
  }

  async screenEdit(attempt: MessageAttempt): Promise<void> {
    const verdict = await this.evaluate(attempt);
    // An edit cannot wait for approval: what would hold a message refuses the edit.
    if (!verdict || verdict.action === 'flag') return;
    await this.refuse(attempt, verdict.action === 'hold' ? 'block' : verdict.action, verdict.hits);
  }

  private async evaluate(attempt: MessageAttempt): Promise<{ action: RuleAction; hits: RuleHit[] } | null> {
    await this.deps.rules.loaded();
    const compiled = this.deps.rules.compiled;
    if (compiled.rules.length === 0) return null;
    const author = await findUserBrief(this.deps.db, attempt.actor.id);
    if (!author) return null;
    const now = this.deps.clock.now();
    const needsRecent = compiled.rules.some(
      (rule) => NEEDS_RECENT.has(rule.config.kind) && (rule.roomId === null || rule.roomId === attempt.roomId),
    );
    const recent = needsRecent
      ? await recentMessagesOf(
          this.deps.db,
          attempt.roomId,
          attempt.actor.id,
          new Date(now.getTime() - RECENT_WINDOW_MS),
          RECENT_MAX_MESSAGES,
        )
      : [];
    const ctx: RuleContext = {
      authorRole: author.role as Role,
      roomId: attempt.roomId,
      roomRole: attempt.roomRole,
      accountCreatedAt: author.createdAt.getTime(),
      now: now.getTime(),
      recent,
      mentionCount: new Set(attempt.mentions).size,
    };
    const { action, hits } = evaluateMessage(compiled, attempt.body, ctx);
    return action ? { action, hits } : null;
  }

  private async hold(attempt: MessageAttempt, hits: RuleHit[]): Promise<void> {
    const { db, clock, reports, bus } = this.deps;
    const clientId = attempt.clientId!;
    const held = await db.transaction(async (tx) => {
      const row = await holdMessage(tx, {
        id: randomUUID(),
        roomId: attempt.roomId,
        authorId: attempt.actor.id,
        clientId,
        body: attempt.body,
        replyTo: attempt.replyTo,
        hits,
        now: clock.now(),
      });
      if (row.created) await this.record(tx, 'automod.hold', attempt, hits, { heldId: row.id });
      return row;
    });
    if (held.created) await reports.automod({ type: 'held', id: held.id }, hits);
    const hit = strongest(hits, 'hold');
    notifyUser(bus, attempt.actor.id, { kind: 'held', reason: hit.reason, roomId: attempt.roomId, clientId, hits });
  }

  private async refuse(attempt: MessageAttempt, action: RuleAction, hits: RuleHit[]): Promise<never> {
    const { db, clock, sanctions, bus } = this.deps;
    const hit = strongest(hits, action);
    const userId = attempt.actor.id;
    if (action === 'timeout') {
      const until = new Date(clock.now().getTime() + (hit.timeoutSeconds ?? 60) * 1000);
      await db.transaction(async (tx) => {
        await sanctions.timeout(tx, { userId, roomId: null, until, reason: hit.reason, createdBy: null });
        await this.record(tx, 'automod.timeout', attempt, hits, { until: until.toISOString() });
      });
      notifyUser(bus, userId, { kind: 'timeout', reason: hit.reason, until, roomId: null, hits });
      throw new AppError(429, 'MUTED', `${hit.reason} You are timed out until ${until.toISOString()}.`);
    }
    if (action === 'ban') {
      await db.transaction(async (tx) => {
        await sanctions.ban(tx, { userId, reason: hit.reason, until: null, createdBy: null });
        await this.record(tx, 'automod.ban', attempt, hits, { until: null });
      });
      throw new AppError(403, 'BANNED', `You are banned from this server ${describeUntil(null)}: ${hit.reason}`);
    }
    await db.transaction((tx) => this.record(tx, 'automod.block', attempt, hits, {}));
    throw new AppError(403, 'MESSAGE_BLOCKED', hit.reason);
  }

  private record(
    tx: Parameters<AuditLog['record']>[0],
    action: string,
    attempt: MessageAttempt,
    hits: RuleHit[],
    extra: Record<string, unknown>,
  ): Promise<string> {
    return this.deps.audit.record(tx, {
      action,
      actor: null,
      target: { type: 'user', id: attempt.actor.id, label: attempt.actor.username },
      roomId: attempt.roomId,
      reason: hits
        .map((h) => h.reason)
        .join(' / ')
        .slice(0, 500),
      before: null,
      after: {
        body: attempt.body,
        messageId: attempt.messageId,
        rules: hits.map((h) => ({ id: h.ruleId, name: h.ruleName, action: h.action, detail: h.detail })),
        ...extra,
      },
      at: this.deps.clock.now(),
    });
  }
}

/** The hit behind the action taken (the engine sorts hits strongest first). */
const strongest = (hits: RuleHit[], action: RuleAction): RuleHit => hits.find((h) => h.action === action) ?? hits[0]!;
