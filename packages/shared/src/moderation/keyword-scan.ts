import { PRESET_OWNER, type CompiledRules } from './compile.js';
import { normalizeWithSpans } from './normalize.js';

/** A keyword found for one rule, in the original text. */
export interface KeywordMatch {
  rule: number;
  start: number;
  end: number;
  label: string;
  fromPreset: boolean;
}

const SPACE = 32;

/** Enough to show where a rule fired without flooding the queue with one hit per swear word. */
export const MAX_HITS_PER_RULE = 5;

/**
 * Finds the keywords of the rules that apply (`applies[i]` for rule i), minus those inside an
 * allow-listed word of the same rule (or, for the preset, of the preset's own allow-list).
 */
export function scanKeywords(compiled: CompiledRules, body: string, applies: readonly boolean[]): KeywordMatch[] {
  const normalized = normalizeWithSpans(body);
  const text = normalized.text;

  const allowStart: number[] = [];
  const allowEnd: number[] = [];
  const allowOwner: number[] = [];
  if (compiled.allowed.size > 0) {
    compiled.allowed.scan(
      text,
      {
        found(term, start, end) {
          allowStart.push(start);
          allowEnd.push(end);
          allowOwner.push(compiled.allowedOwner[term]!);
        },
      },
      normalized.softStarts,
    );
  }
  const isAllowed = (owner: number, start: number, end: number): boolean => {
    for (let k = 0; k < allowOwner.length; k++) {
      if (allowOwner[k] === owner && allowStart[k]! <= start && end <= allowEnd[k]!) return true;
    }
    return false;
  };

  const matches: KeywordMatch[] = [];
  const counts = new Map<number, { n: number; lastEnd: number }>();
  const record = (rule: number, start: number, end: number, label: string, fromPreset: boolean): void => {
    if (!applies[rule] || isAllowed(rule, start, end)) return;
    const seen = counts.get(rule);
    if (seen !== undefined && (seen.n >= MAX_HITS_PER_RULE || start < seen.lastEnd)) return;
    counts.set(rule, { n: (seen?.n ?? 0) + 1, lastEnd: end });
    // People read words: "spam*" in "spammers" shows the whole word ("a s.c.a.m" stops at "s").
    let first = start;
    let last = end;
    const soft = normalized.softStarts;
    while (first > 0 && text.charCodeAt(first - 1) !== SPACE && soft[first] !== 1) first--;
    while (last < text.length && text.charCodeAt(last) !== SPACE && soft[last] !== 1) last++;
    matches.push({
      rule,
      start: normalized.starts[first]!,
      end: normalized.ends[last - 1]!,
      label,
      fromPreset,
    });
  };

  compiled.keywords.scan(
    text,
    {
      found(term, start, end) {
        const owner = compiled.keywordOwner[term]!;
        const label = compiled.keywordLabel[term]!;
        if (owner !== PRESET_OWNER) {
          record(owner, start, end, label, false);
          return;
        }
        if (isAllowed(PRESET_OWNER, start, end)) return;
        for (const rule of compiled.presetRules) record(rule, start, end, label, true);
      },
    },
    normalized.softStarts,
  );
  return matches;
}
