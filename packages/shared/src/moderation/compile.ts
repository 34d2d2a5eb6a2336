import type { RE2JS } from 're2js';
import type { ModerationRule } from '../schemas/moderation.js';
import { parseAllowed, parseKeyword } from './keyword-terms.js';
import { compilePattern } from './patterns.js';
import { englishPreset } from './preset.js';
import { TermTrie } from './term-trie.js';

/** A term's owner when it comes from the English preset (it serves every rule with `preset: true`). */
export const PRESET_OWNER = -1;

export interface CompiledPattern {
  source: string;
  regex: RE2JS;
}

/**
 * Rules prepared once for many messages: every keyword of every enabled rule in one trie, every
 * allow-list entry in another, patterns compiled. Build it again when the rule set changes.
 */
export interface CompiledRules {
  /** The enabled rules, in the order given; hits refer to them. */
  readonly rules: readonly ModerationRule[];
  readonly keywords: TermTrie;
  /** Per keyword term: the index of its rule in `rules`, or PRESET_OWNER. */
  readonly keywordOwner: readonly number[];
  /** Per keyword term: the keyword as the moderator wrote it, or the preset's word. */
  readonly keywordLabel: readonly string[];
  readonly allowed: TermTrie;
  /** Per allow-list term: its rule's index, or PRESET_OWNER for the preset's own allow-list. */
  readonly allowedOwner: readonly number[];
  /** Indexes in `rules` of keyword rules with the preset on. */
  readonly presetRules: readonly number[];
  /** Per rule index: its compiled patterns (empty for other kinds). */
  readonly patterns: readonly (readonly CompiledPattern[])[];
  /**
   * Per rule index: all its patterns as one alternation, or null. RE2's DFA answers "any match?"
   * in one pass over the message (tens of µs for 2,000 characters) where finding each pattern's
   * span takes a slower engine (about 1 µs a character each); spans are looked for only on a hit.
   */
  readonly anyPattern: readonly (RE2JS | null)[];
  /** Whether any rule needs the normalised text (keywords or the preset). */
  readonly needsText: boolean;
}

/**
 * Disabled rules are left out. A keyword or pattern that validateRule would refuse is skipped
 * rather than thrown, so one bad row stored before a rule change cannot stop all moderation.
 */
export function compileRules(rules: readonly ModerationRule[]): CompiledRules {
  const enabled = rules.filter((rule) => rule.enabled);
  const keywords = new TermTrie(true);
  const keywordOwner: number[] = [];
  const keywordLabel: string[] = [];
  // Allowed words must be written out: a masked letter is no reason to let a message through.
  const allowed = new TermTrie(false);
  const allowedOwner: number[] = [];
  const presetRules: number[] = [];
  const patterns: CompiledPattern[][] = [];
  const anyPattern: (RE2JS | null)[] = [];
  let needsText = false;

  enabled.forEach((rule, index) => {
    const compiled: CompiledPattern[] = [];
    patterns.push(compiled);
    anyPattern.push(null);
    const config = rule.config;
    if (config.kind !== 'keywords') return;
    for (const keyword of config.keywords) {
      const term = parseKeyword(keyword);
      if (term === null) continue;
      keywords.add(term.chars, term.openStart, term.openEnd);
      keywordOwner.push(index);
      keywordLabel.push(keyword);
      needsText = true;
    }
    for (const entry of config.allow) {
      const chars = parseAllowed(entry);
      if (chars === null) continue;
      allowed.add(chars, true, true);
      allowedOwner.push(index);
    }
    for (const source of config.patterns) {
      const result = compilePattern(source);
      if (result.ok) compiled.push({ source, regex: result.regex });
    }
    if (compiled.length > 0) {
      const combined = compilePattern(compiled.map((pattern) => `(?:${pattern.source})`).join('|'));
      anyPattern[index] = combined.ok ? combined.regex : null;
    }
    if (config.preset) {
      presetRules.push(index);
      needsText = true;
    }
  });

  if (presetRules.length > 0) {
    const preset = englishPreset();
    for (const term of preset.terms) {
      keywords.add(term.chars, term.openStart, term.openEnd);
      keywordOwner.push(PRESET_OWNER);
      keywordLabel.push(term.word);
    }
    for (const chars of preset.allowed) {
      allowed.add(chars, true, true);
      allowedOwner.push(PRESET_OWNER);
    }
  }

  return {
    rules: enabled,
    keywords,
    keywordOwner,
    keywordLabel,
    allowed,
    allowedOwner,
    presetRules,
    patterns,
    anyPattern,
    needsText,
  };
}
