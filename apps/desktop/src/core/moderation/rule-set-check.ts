import { ModerationRuleSchema, type ModerationRule, type ModerationRuleSet } from '@veza/shared';
import { Compile } from 'typebox/compile';

/**
 * The most rules the mirror keeps. The server allows RULE_LIMITS.maxRules per scope (global and
 * each room), so an effective set can be larger; past this the app would spend more on warnings
 * than they are worth, and the server still enforces every rule.
 */
export const MAX_MIRRORED_RULES = 2_000;

const ruleCheck = Compile(ModerationRuleSchema);

export type RuleSetCheck = { ok: true; ruleSet: ModerationRuleSet; dropped: number } | { ok: false; reason: string };

/**
 * What the server sent as a rule set, checked before it reaches the cache or the composer: the
 * envelope must be right; a rule that does not match the schema is dropped on its own (one odd
 * rule from a newer server must not cost the composer every other warning). Only enabled rules
 * are kept: the effective set should hold nothing else, and the composer must not warn on more.
 */
export function checkRuleSet(value: unknown): RuleSetCheck {
  if (typeof value !== 'object' || value === null) return { ok: false, reason: 'not an object' };
  const { version, rules } = value as { version?: unknown; rules?: unknown };
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0) {
    return { ok: false, reason: 'no valid version' };
  }
  if (!Array.isArray(rules)) return { ok: false, reason: 'no rule list' };
  const kept: ModerationRule[] = [];
  let dropped = 0;
  for (const rule of rules) {
    if (kept.length < MAX_MIRRORED_RULES && ruleCheck.Check(rule) && (rule as ModerationRule).enabled) {
      kept.push(rule as ModerationRule);
    } else {
      dropped += 1;
    }
  }
  return { ok: true, ruleSet: { version, rules: kept }, dropped };
}
