import { randomUUID } from 'node:crypto';
import {
  RULE_LIMITS,
  type ModerationRule,
  type ModerationRuleBody,
  type ModerationRuleSet,
  type RoomRole,
} from '@veza/shared';
import { compileRules, validateRule, type CompiledRules } from '@veza/shared/moderation';
import type { Bus } from '../../infra/bus.js';
import type { Clock } from '../../infra/clock.js';
import type { Db, Queryable } from '../../infra/db/db.js';
import { AppError, forbidden, notFound } from '../../infra/errors.js';
import type { Logger } from '../../infra/logger.js';
import type { ChatService } from '../chat/index.js';
import type { Acting, SlowModeSetter } from './actions.js';
import type { AuditLog } from './audit.js';
import * as store from './rules-store.js';
import { rulesChangedTopic } from './topics.js';

const ROOM_MODERATING: readonly RoomRole[] = ['owner', 'moderator'];

export function checkRuleBody(body: ModerationRuleBody): void {
  const result = validateRule(body);
  if (!result.ok) throw new AppError(400, 'RULE_INVALID', `This rule cannot be saved: ${result.message}.`);
}

/**
 * The rule set: stored rules, and this instance's compiled copy, kept in memory for the send
 * path and reloaded whenever the version changes (on this instance at once, on the others
 * through the bus). Changes are checked (validateRule → RULE_INVALID), audited and versioned.
 */
export class RuleBook implements SlowModeSetter {
  private set: ModerationRuleSet = { version: -1, rules: [] };
  private compiled_: CompiledRules = compileRules([]);
  private loading: Promise<void> | undefined;
  /** Called with the new version after a reload: the realtime part tells connected clients. */
  onChange: (version: number) => void = () => undefined;

  constructor(
    private readonly deps: { db: Db; bus: Bus; clock: Clock; logger: Logger; chat: ChatService; audit: AuditLog },
  ) {}

  get compiled(): CompiledRules {
    return this.compiled_;
  }

  get version(): number {
    return this.set.version;
  }

  all(): ModerationRuleSet {
    return this.set;
  }

  effective(): ModerationRuleSet {
    return { version: this.set.version, rules: this.set.rules.filter((rule) => rule.enabled) };
  }

  /**
   * Resolves once the set has been read at least once. The first read happens on first use,
   * not at start-up: a server whose pool is busy at boot must still start, and nothing is
   * evaluated before the rules are there.
   */
  async loaded(): Promise<void> {
    if (this.set.version < 0) await this.reload(undefined, false);
  }

  /** Reads the set again when `version` is newer than the one held (or always, without one). */
  async reload(version?: number, tellClients = true): Promise<void> {
    if (version !== undefined && version <= this.set.version) return;
    // One read at a time; a change announced during it is picked up by the next.
    while (this.loading) await this.loading;
    if (version !== undefined && version <= this.set.version) return;
    this.loading = (async () => {
      const set = await store.readRuleSet(this.deps.db);
      if (set.version < this.set.version) return;
      // The first read on first use is no change for clients: they fetch the rules when they connect.
      const changed = tellClients && set.version !== this.set.version;
      this.set = set;
      this.compiled_ = compileRules(set.rules);
      if (changed) this.onChange(set.version);
    })().finally(() => {
      this.loading = undefined;
    });
    await this.loading;
  }

  // ── changes ────────────────────────────────────────────────────────────────

  async create(actor: Acting, body: ModerationRuleBody): Promise<ModerationRule> {
    checkRuleBody(body);
    await this.requireAuthority(actor, body.roomId);
    const rule = await this.change(async (tx) => {
      if ((await store.countRules(tx)) >= RULE_LIMITS.maxRules)
        throw new AppError(400, 'RULE_INVALID', `A server holds at most ${RULE_LIMITS.maxRules} rules.`);
      const created = await store.insertRule(tx, {
        ...body,
        id: randomUUID(),
        createdBy: actor.id,
        now: this.deps.clock.now(),
      });
      await this.audit(tx, actor, 'rule.create', created, null, created);
      return created;
    });
    return rule;
  }

  async update(actor: Acting, id: string, body: ModerationRuleBody): Promise<ModerationRule> {
    checkRuleBody(body);
    const existing = await store.findRule(this.deps.db, id);
    if (!existing) throw notFound('No such rule.');
    await this.requireAuthority(actor, existing.roomId);
    if (body.roomId !== existing.roomId) await this.requireAuthority(actor, body.roomId);
    return this.change(async (tx) => {
      const before = await store.findRule(tx, id, true);
      if (!before) throw notFound('No such rule.');
      const updated = await store.updateRule(tx, id, { ...body, now: this.deps.clock.now() });
      await this.audit(tx, actor, 'rule.update', updated, before, updated);
      return updated;
    });
  }

  async remove(actor: Acting, id: string): Promise<void> {
    const existing = await store.findRule(this.deps.db, id);
    if (!existing) throw notFound('No such rule.');
    await this.requireAuthority(actor, existing.roomId);
    await this.change(async (tx) => {
      const before = await store.findRule(tx, id, true);
      if (!before) throw notFound('No such rule.');
      await store.deleteRule(tx, id);
      await this.audit(tx, actor, 'rule.delete', before, before, null);
    });
  }

  /** The slow_mode action: one managed slow-mode rule per room; 0 removes it. Inside the action's transaction. */
  async setSlowMode(tx: Queryable, actor: Acting, roomId: string, intervalSeconds: number): Promise<void> {
    const existing = await store.findSlowModeRuleIds(tx, roomId);
    for (const id of existing) await store.deleteRule(tx, id);
    if (intervalSeconds > 0) {
      await store.insertRule(tx, {
        id: randomUUID(),
        name: 'Slow mode',
        enabled: true,
        roomId,
        config: { kind: 'slow_mode', intervalSeconds },
        action: 'block',
        timeoutSeconds: null,
        reason: `Slow mode: one message every ${intervalSeconds} s in this room.`,
        exemptRoles: ['moderator', 'admin'],
        exemptRoomRoles: ['owner', 'moderator'],
        createdBy: actor.id,
        now: this.deps.clock.now(),
      });
    }
    await store.bumpVersion(tx);
  }

  /** After a change committed: reload here, then tell the other instances. */
  async announce(): Promise<void> {
    await this.reload();
    await this.deps.bus.publish(rulesChangedTopic, {}, { version: this.set.version }).catch((error: unknown) => {
      this.deps.logger.error({ err: error }, 'could not announce a rule change');
    });
  }

  /** Global moderators manage every rule; room owners and moderators their room's. */
  async requireAuthority(actor: Acting, roomId: string | null): Promise<void> {
    if (actor.global) return;
    if (roomId === null) throw forbidden('Rules for every room need the "moderation:act" permission.');
    const role = await this.deps.chat.roomRole(roomId, actor.id);
    if (!role || !ROOM_MODERATING.includes(role))
      throw forbidden("Only the room's owners and moderators manage its rules.");
  }

  private async change<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    const result = await this.deps.db.transaction(async (tx) => {
      const value = await work(tx);
      await store.bumpVersion(tx);
      return value;
    });
    await this.announce();
    return result;
  }

  private async audit(
    tx: Queryable,
    actor: Acting,
    action: string,
    rule: ModerationRule,
    before: ModerationRule | null,
    after: ModerationRule | null,
  ): Promise<void> {
    await this.deps.audit.record(tx, {
      action,
      actor: { id: actor.id, username: actor.username },
      target: { type: 'rule', id: rule.id, label: rule.name },
      roomId: rule.roomId,
      reason: null,
      before: before as unknown as Record<string, unknown> | null,
      after: after as unknown as Record<string, unknown> | null,
      at: this.deps.clock.now(),
    });
  }
}
