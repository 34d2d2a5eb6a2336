/**
 * The composer's warning: the draft tried against the mirrored rules with the shared engine,
 * from what this device knows (my role, my room role, my account's age, my recent messages in
 * the room, the mentions in the draft). Advice only: the server evaluates again and decides.
 */
import {
  compileRules,
  evaluateMessage,
  RECENT_MAX_MESSAGES,
  RECENT_WINDOW_MS,
  type CompiledRules,
  type RuleContext,
} from '@veza/shared/moderation';
import type { ModerationRule, ModerationRuleSet, RuleAction, RuleHit } from '@veza/shared';
import type { ChatMessage } from '../../../common/contract.js';

export type { CompiledRules };

/** `block`: the server would refuse it (or worse): send is disabled. `caution`: it would go, with consequences. */
export type DraftLevel = 'block' | 'caution';

export interface DraftVerdict {
  level: DraftLevel;
  action: RuleAction;
  /** Strongest first. */
  hits: RuleHit[];
  /** The text evaluated (spans point into it; it may trail the composer's by a keystroke). */
  draft: string;
}

/** Actions that stop the message from reaching anyone now. Hold waits for a moderator; flag goes through. */
const BLOCKING: ReadonlySet<RuleAction> = new Set(['block', 'timeout', 'ban']);
const STRENGTH: Record<RuleAction, number> = { flag: 0, hold: 1, block: 2, timeout: 3, ban: 4 };

/**
 * Rules compiled once per rule set. A rule the engine cannot compile (a newer server's shape, a
 * pattern it refuses) is left out on its own rather than taking every warning down with it.
 */
export function compileMirror(ruleSet: ModerationRuleSet | null): CompiledRules {
  const rules = ruleSet?.rules ?? [];
  try {
    return compileRules(rules);
  } catch {
    const usable: ModerationRule[] = [];
    for (const rule of rules) {
      try {
        compileRules([rule]);
        usable.push(rule);
      } catch {
        // Not ours to fix: the server still enforces it.
      }
    }
    return compileRules(usable);
  }
}

export interface DraftFacts {
  draft: string;
  roomId: string;
  role: RuleContext['authorRole'];
  roomRole: RuleContext['roomRole'];
  /** ISO; null when unknown (the new-account rule then cannot fire here). */
  accountCreatedAt: string | null;
  myId: string;
  /** The room's loaded messages, oldest first. */
  messages: readonly ChatMessage[];
  now: number;
}

/** Distinct @names in the draft (the server counts distinct users mentioned). */
export function mentionCount(draft: string): number {
  const names = new Set<string>();
  for (const match of draft.matchAll(/(^|[^\p{L}\p{N}_])@([\p{L}\p{N}_.-]{1,32})/gu)) {
    names.add(match[2]!.toLowerCase());
  }
  return names.size;
}

export function draftContext(facts: DraftFacts): RuleContext {
  const since = facts.now - RECENT_WINDOW_MS;
  const recent = facts.messages
    .filter((m) => m.authorId === facts.myId && m.deletedAt === null && m.delivery !== 'failed')
    .map((m) => ({ body: m.body, at: Date.parse(m.createdAt) }))
    .filter((m) => Number.isFinite(m.at) && m.at >= since && m.at <= facts.now)
    .sort((a, b) => a.at - b.at)
    .slice(-RECENT_MAX_MESSAGES);
  const created = facts.accountCreatedAt === null ? NaN : Date.parse(facts.accountCreatedAt);
  return {
    authorRole: facts.role,
    roomId: facts.roomId,
    roomRole: facts.roomRole,
    // Unknown age: as old as can be, so the new-account rule stays quiet rather than guess.
    accountCreatedAt: Number.isFinite(created) ? created : 0,
    now: facts.now,
    recent,
    mentionCount: mentionCount(facts.draft),
  };
}

/** What the composer shows for a draft, or null when no rule fires (or the draft is blank). */
export function checkDraft(rules: CompiledRules, facts: DraftFacts): DraftVerdict | null {
  if (!facts.draft.trim()) return null;
  let result: ReturnType<typeof evaluateMessage>;
  try {
    result = evaluateMessage(rules, facts.draft, draftContext(facts));
  } catch {
    // The warning is a courtesy: an engine failure must never stop the user typing or sending.
    return null;
  }
  if (result.hits.length === 0 || result.action === null) return null;
  const hits = [...result.hits].sort((a, b) => STRENGTH[b.action] - STRENGTH[a.action]);
  return { level: BLOCKING.has(result.action) ? 'block' : 'caution', action: result.action, hits, draft: facts.draft };
}

/** The draft cut around a hit's span, for highlighting (null when the hit has no usable span). */
export function spanParts(
  draft: string,
  span: RuleHit['span'],
): { before: string; match: string; after: string } | null {
  if (!span || span.start < 0 || span.end <= span.start || span.end > draft.length) return null;
  const context = 24;
  const from = Math.max(0, span.start - context);
  const to = Math.min(draft.length, span.end + context);
  return {
    before: (from > 0 ? '…' : '') + draft.slice(from, span.start),
    match: draft.slice(span.start, span.end),
    after: draft.slice(span.end, to) + (to < draft.length ? '…' : ''),
  };
}

/** What each action means for the sender, in words. */
export function actionSentence(action: RuleAction): string {
  switch (action) {
    case 'flag':
      return 'It will be sent, and moderators will be told.';
    case 'hold':
      return 'It will be held for review: others see it only if a moderator approves it.';
    case 'block':
      return 'The server will refuse it.';
    case 'timeout':
      return 'The server will refuse it and mute you for a while.';
    case 'ban':
      return 'The server will refuse it and ban you.';
  }
}
