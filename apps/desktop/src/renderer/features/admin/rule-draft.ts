/**
 * The rules editor's form model: what the moderator types (lists as one entry per line, numbers
 * as text) to and from the rule body the server takes, where a validation message belongs, and
 * the tester's pieces (a draft rule the shared engine can run, highlighted spans).
 */
import { compileRules, evaluateMessage, validateRule, type RuleEvaluation } from '@veza/shared/moderation';
import type { ModerationRule, ModerationRuleBody, RuleHit } from '../../../common/contract.js';

export type RuleKind = ModerationRuleBody['config']['kind'];
export type RuleConfig = ModerationRuleBody['config'];

export const KIND_LABELS: Record<RuleKind, string> = {
  keywords: 'Keywords and patterns',
  links: 'Links',
  mention_spam: 'Mention spam',
  caps: 'Capitals',
  repeats: 'Repeated messages',
  flood: 'Flood',
  slow_mode: 'Slow mode',
  new_account: 'New accounts',
};

/** Sensible first values for each kind (what Discord AutoMod proposes, roughly). */
export function defaultConfig(kind: RuleKind): RuleConfig {
  switch (kind) {
    case 'keywords':
      return { kind, keywords: [], patterns: [], allow: [], preset: false };
    case 'links':
      return { kind, mode: 'allow_list', allowDomains: [] };
    case 'mention_spam':
      return { kind, maxMentions: 5 };
    case 'caps':
      return { kind, maxRatio: 0.7, minLetters: 12 };
    case 'repeats':
      return { kind, maxRepeats: 2, windowSeconds: 60 };
    case 'flood':
      return { kind, maxMessages: 8, windowSeconds: 10 };
    case 'slow_mode':
      return { kind, intervalSeconds: 30 };
    case 'new_account':
      return { kind, minAgeMinutes: 60, linksOnly: true };
  }
}

export function emptyRule(): ModerationRuleBody {
  return {
    name: '',
    enabled: true,
    roomId: null,
    config: defaultConfig('keywords'),
    action: 'block',
    timeoutSeconds: null,
    reason: '',
    exemptRoles: ['moderator', 'admin'],
    exemptRoomRoles: [],
  };
}

/** A saved rule's editable part. */
export function bodyOf(rule: ModerationRule): ModerationRuleBody {
  const { name, enabled, roomId, config, action, timeoutSeconds, reason, exemptRoles, exemptRoomRoles } = rule;
  return { name, enabled, roomId, config, action, timeoutSeconds, reason, exemptRoles, exemptRoomRoles };
}

/** One entry per line, blank lines and surrounding spaces ignored. */
export function parseLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

export type RuleField =
  'name' | 'reason' | 'timeoutSeconds' | 'keywords' | 'patterns' | 'allow' | 'allowDomains' | 'config';

/**
 * Which field a validation message is about, so it shows there. The messages come from the shared
 * engine's validateRule (the same the server answers RULE_INVALID with) and name what they refuse.
 */
export function fieldOfRuleError(message: string): RuleField {
  const m = message.toLowerCase();
  if (m.includes('timeout')) return 'timeoutSeconds';
  // "a keyword rule needs keywords, patterns or the English list": about the rule's words as a whole.
  if (m.includes('keyword rule')) return 'keywords';
  if (m.includes('allowed word')) return 'allow';
  if (m.includes('domain')) return 'allowDomains';
  if (m.includes('pattern')) return 'patterns';
  if (m.includes('keyword')) return 'keywords';
  if (m.includes('name')) return 'name';
  if (m.includes('reason')) return 'reason';
  return 'config';
}

/** What the form can say before asking the server: empty required fields, then the engine's own checks. */
export function checkDraft(body: ModerationRuleBody): { field: RuleField; message: string } | null {
  if (body.name.trim() === '') return { field: 'name', message: 'Give the rule a name.' };
  if (body.reason.trim() === '') return { field: 'reason', message: 'Say why, for the people it stops.' };
  const verdict = validateRule(body);
  if (!verdict.ok) return { field: fieldOfRuleError(verdict.message), message: capitalise(verdict.message) };
  return null;
}

const DRAFT_ID = '00000000-0000-4000-8000-000000000000';

/**
 * The tester's local verdict: the draft rule (or every saved rule when there is no draft) run by
 * the shared engine on the typed message, as a listener with an old account, with no history (so
 * repeats, flood and slow mode need the server's test to fire).
 */
export function evaluateDraft(body: string, rules: readonly ModerationRuleBody[], now: number): RuleEvaluation {
  const stamp = new Date(now).toISOString();
  const compiled = compileRules(
    rules.map((rule, index): ModerationRule => ({
      ...rule,
      // Draft ids only need to be distinct; the tester shows names.
      id: DRAFT_ID.replace(/0{4}$/, String(index).padStart(4, '0')),
      enabled: true,
      createdBy: DRAFT_ID,
      createdAt: stamp,
      updatedAt: stamp,
    })),
  );
  const mentionCount = new Set(body.match(/@[\w.-]+/g) ?? []).size;
  return evaluateMessage(compiled, body, {
    authorRole: 'listener',
    roomId: rules[0]?.roomId ?? null,
    roomRole: null,
    accountCreatedAt: now - 365 * 86_400_000,
    now,
    recent: [],
    mentionCount,
  });
}

/** The message cut into plain and matched pieces, for highlighting the hits' spans (overlaps merged). */
export function highlightSegments(body: string, hits: readonly RuleHit[]): { text: string; hit: boolean }[] {
  const spans = hits
    .map((h) => h.span)
    .filter((s): s is { start: number; end: number } => s !== null && s.end > s.start)
    .map((s) => ({ start: Math.max(0, s.start), end: Math.min(body.length, s.end) }))
    .sort((a, b) => a.start - b.start);
  const merged: { start: number; end: number }[] = [];
  for (const span of spans) {
    const last = merged.at(-1);
    if (last && span.start <= last.end) last.end = Math.max(last.end, span.end);
    else merged.push({ ...span });
  }
  const segments: { text: string; hit: boolean }[] = [];
  let at = 0;
  for (const span of merged) {
    if (span.start > at) segments.push({ text: body.slice(at, span.start), hit: false });
    segments.push({ text: body.slice(span.start, span.end), hit: true });
    at = span.end;
  }
  if (at < body.length) segments.push({ text: body.slice(at), hit: false });
  return segments;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1) + (/[.!?]$/.test(text) ? '' : '.');
}
