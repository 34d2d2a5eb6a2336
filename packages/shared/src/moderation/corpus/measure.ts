import type { ModerationRule } from '../../schemas/moderation.js';
import { compileRules } from '../compile.js';
import type { RuleContext } from '../context.js';
import { evaluateMessage } from '../evaluate.js';
import { EVERYDAY, NEAR_CUSTOM } from './negatives.js';
import positives from './positives.json' with { type: 'json' };

/*
 * Recall and false-positive rate of the keyword engine on the corpus: one rule with the English
 * list, one with the custom keywords. Shared by the acceptance test and scripts/bench/moderation-recall.mjs.
 */

export interface CorpusFigures {
  positives: number;
  caught: number;
  recall: number;
  negatives: number;
  falsePositives: number;
  falsePositiveRate: number;
  /** Recall per obfuscation kind ("leet", "spacing"…). */
  recallByKind: Record<string, number>;
  missed: string[];
  wronglyCaught: string[];
}

const ID = '00000000-0000-7000-8000-00000000c0de';

function keywordRule(name: string, keywords: string[], preset: boolean): ModerationRule {
  return {
    id: ID,
    name,
    enabled: true,
    roomId: null,
    config: { kind: 'keywords', keywords, patterns: [], allow: [], preset },
    action: 'block',
    timeoutSeconds: null,
    reason: name,
    exemptRoles: [],
    exemptRoomRoles: [],
    createdBy: ID,
    createdAt: '2026-12-07T00:00:00.000Z',
    updatedAt: '2026-12-07T00:00:00.000Z',
  };
}

const CONTEXT: RuleContext = {
  authorRole: 'listener',
  roomId: null,
  roomRole: null,
  accountCreatedAt: 0,
  now: 0,
  recent: [],
  mentionCount: 0,
};

export function measureCorpus(): CorpusFigures {
  const presetRules = compileRules([keywordRule('English list', [], true)]);
  const customRules = compileRules([keywordRule('custom', [...positives.customKeywords], false)]);
  const bothRules = compileRules([keywordRule('both', [...positives.customKeywords], true)]);

  const byKind = new Map<string, { total: number; caught: number }>();
  const missed: string[] = [];
  let caught = 0;
  const cases = [
    ...positives.preset.map((row) => ({ ...row, rules: presetRules })),
    ...positives.custom.map((row) => ({ ...row, rules: customRules })),
  ];
  for (const row of cases) {
    const fired = evaluateMessage(row.rules, row.text, CONTEXT).action !== null;
    const kind = byKind.get(row.kind) ?? { total: 0, caught: 0 };
    kind.total++;
    if (fired) {
      kind.caught++;
      caught++;
    } else missed.push(row.text);
    byKind.set(row.kind, kind);
  }

  const negatives = [...EVERYDAY, ...NEAR_CUSTOM];
  const wronglyCaught = negatives.filter((text) => evaluateMessage(bothRules, text, CONTEXT).action !== null);

  return {
    positives: cases.length,
    caught,
    recall: caught / cases.length,
    negatives: negatives.length,
    falsePositives: wronglyCaught.length,
    falsePositiveRate: wronglyCaught.length / negatives.length,
    recallByKind: Object.fromEntries([...byKind].map(([kind, { total, caught: n }]) => [kind, n / total])),
    missed,
    wronglyCaught,
  };
}
