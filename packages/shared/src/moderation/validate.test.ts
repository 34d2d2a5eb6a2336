import { describe, expect, it } from 'vitest';
import { RULE_LIMITS, type ModerationRuleBody, type RuleConfig } from '../schemas/moderation.js';
import { normalizeForMatching, validateRule } from './index.js';

function body(config: RuleConfig, overrides: Partial<ModerationRuleBody> = {}): ModerationRuleBody {
  return {
    name: 'rule',
    enabled: true,
    roomId: null,
    config,
    action: 'block',
    timeoutSeconds: null,
    reason: 'because',
    exemptRoles: [],
    exemptRoomRoles: [],
    ...overrides,
  };
}

const keywords = (extra: Partial<Extract<RuleConfig, { kind: 'keywords' }>>): RuleConfig => ({
  kind: 'keywords',
  keywords: ['spam'],
  patterns: [],
  allow: [],
  preset: false,
  ...extra,
});

describe('validateRule', () => {
  it('accepts a sound rule of every kind', () => {
    for (const config of [
      keywords({ patterns: ['buy\\s+now', '(?i)free\\b'], allow: ['spammy'], preset: true }),
      { kind: 'links', mode: 'allow_list', allowDomains: ['veza.example'] },
      { kind: 'mention_spam', maxMentions: 5 },
      { kind: 'caps', maxRatio: 0.7, minLetters: 10 },
      { kind: 'repeats', maxRepeats: 3, windowSeconds: 60 },
      { kind: 'flood', maxMessages: 5, windowSeconds: 10 },
      { kind: 'slow_mode', intervalSeconds: 30 },
      { kind: 'new_account', minAgeMinutes: 60, linksOnly: true },
    ] satisfies RuleConfig[]) {
      expect(validateRule(body(config))).toEqual({ ok: true });
    }
  });

  it.each([
    ['a backreference', '(a)\\1', /pattern “\(a\)\\1” is not valid: .*no backreferences or lookaround/],
    ['a lookahead', 'foo(?=bar)', /not valid/],
    ['a lookbehind', '(?<=x)y', /not valid/],
    ['an unclosed class', '[abc', /missing closing \]/],
    ['a pattern matching empty text', 'x*', /matches empty text/],
  ])('refuses %s', (_name, pattern, message) => {
    const result = validateRule(body(keywords({ patterns: [pattern] })));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toMatch(message);
  });

  it('refuses keywords and allowed words with nothing to match', () => {
    expect(validateRule(body(keywords({ keywords: ['***'] })))).toEqual({
      ok: false,
      message: 'keyword “***” has no letters or digits to match',
    });
    expect(validateRule(body(keywords({ allow: ['!!'] })))).toMatchObject({ ok: false });
  });

  it('refuses an empty keyword rule', () => {
    expect(validateRule(body(keywords({ keywords: [] })))).toEqual({
      ok: false,
      message: 'a keyword rule needs keywords, patterns or the English list',
    });
  });

  it('refuses lists over the limits', () => {
    const many = (n: number, make: (i: number) => string) => Array.from({ length: n }, (_, i) => make(i));
    expect(validateRule(body(keywords({ keywords: many(RULE_LIMITS.maxKeywords + 1, (i) => `w${i}`) })))).toMatchObject(
      {
        ok: false,
        message: 'at most 1000 keywords, got 1001',
      },
    );
    expect(validateRule(body(keywords({ patterns: many(11, (i) => `p${i}`) })))).toMatchObject({ ok: false });
    expect(validateRule(body(keywords({ keywords: ['x'.repeat(61)] })))).toMatchObject({ ok: false });
    expect(validateRule(body(keywords({ patterns: ['x'.repeat(261)] })))).toMatchObject({ ok: false });
    expect(
      validateRule(body({ kind: 'links', mode: 'allow_list', allowDomains: many(101, (i) => `d${i}.example`) })),
    ).toMatchObject({ ok: false });
  });

  it('needs a length for a timeout', () => {
    expect(validateRule(body(keywords({}), { action: 'timeout' }))).toEqual({
      ok: false,
      message: 'a timeout rule needs timeoutSeconds',
    });
    expect(validateRule(body(keywords({}), { action: 'timeout', timeoutSeconds: 600 }))).toEqual({ ok: true });
  });
});

describe('normalizeForMatching', () => {
  it.each([
    ['Ｆ.Ｕ.Ｃ.Ｋ', 'fuck'],
    ['sh1t and $hit', 'shit and shit'],
    ['héllo   wörld!!', 'hello world'],
    ['b\u200Bo\u200Do\uFEFFk', 'book'],
    ['2024 was great', '2024 was great'],
    ['i . d . i . o . t', 'idiot'],
  ])('%j → %j', (input, expected) => {
    expect(normalizeForMatching(input)).toBe(expected);
  });
});
