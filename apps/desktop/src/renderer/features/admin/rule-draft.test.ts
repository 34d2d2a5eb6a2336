import { describe, expect, it } from 'vitest';
import type { RuleHit } from '../../../common/contract.js';
import {
  checkDraft,
  defaultConfig,
  emptyRule,
  evaluateDraft,
  fieldOfRuleError,
  highlightSegments,
  parseLines,
  KIND_LABELS,
  type RuleKind,
} from './rule-draft.js';

const rule = (patch: Partial<ReturnType<typeof emptyRule>>) => ({
  ...emptyRule(),
  name: 'Test',
  reason: 'No.',
  ...patch,
});

describe('the rule form', () => {
  it('reads lists one entry per line, ignoring blanks and spaces', () => {
    expect(parseLines(' spam \n\n  scam*\r\n')).toEqual(['spam', 'scam*']);
  });

  it('gives every kind a default config the engine accepts', () => {
    for (const kind of Object.keys(KIND_LABELS) as RuleKind[]) {
      const config = defaultConfig(kind);
      const draft = rule({
        config: kind === 'keywords' ? ({ ...config, keywords: ['spam'] } as typeof config) : config,
      });
      expect(checkDraft(draft), kind).toBeNull();
    }
  });

  it('names the field a problem belongs to: empty name or reason, a bad pattern, a keyword with no letters', () => {
    expect(checkDraft({ ...rule({}), name: '  ' })?.field).toBe('name');
    expect(checkDraft({ ...rule({}), reason: '' })?.field).toBe('reason');
    const badPattern = checkDraft(
      rule({ config: { kind: 'keywords', keywords: [], patterns: ['(a+'], allow: [], preset: false } }),
    );
    expect(badPattern?.field).toBe('patterns');
    expect(badPattern?.message).toMatch(/RE2/);
    const backreference = checkDraft(
      rule({ config: { kind: 'keywords', keywords: [], patterns: ['(a)\\1'], allow: [], preset: false } }),
    );
    expect(backreference?.field).toBe('patterns');
    expect(
      checkDraft(rule({ config: { kind: 'keywords', keywords: ['!!!'], patterns: [], allow: [], preset: false } }))
        ?.field,
    ).toBe('keywords');
    expect(checkDraft(rule({ config: defaultConfig('keywords') }))?.field).toBe('keywords');
  });

  it('places server messages on their field', () => {
    expect(fieldOfRuleError('a timeout rule needs timeoutSeconds')).toBe('timeoutSeconds');
    expect(fieldOfRuleError('allowed word “x” has no letters or digits to match')).toBe('allow');
    expect(fieldOfRuleError('at most 100 allowed domains, got 101')).toBe('allowDomains');
    expect(fieldOfRuleError('at most 200 rules')).toBe('config');
  });
});

describe('the live tester', () => {
  it('fires a keyword rule through leetspeak and says where', () => {
    const draft = rule({ config: { kind: 'keywords', keywords: ['scam'], patterns: [], allow: [], preset: false } });
    const body = 'this is a 5c4m ok';
    const result = evaluateDraft(body, [draft], Date.parse('2026-12-07T12:00:00Z'));
    expect(result.action).toBe('block');
    expect(result.hits).toHaveLength(1);
    const span = result.hits[0]!.span!;
    expect(body.slice(span.start, span.end)).toBe('5c4m');
  });

  it('lets a clean message through, and exempt roles apply as the listener the tester pretends to be', () => {
    const draft = rule({ config: { kind: 'keywords', keywords: ['scam'], patterns: [], allow: [], preset: false } });
    expect(evaluateDraft('hello there', [draft], Date.now()).action).toBeNull();
    expect(evaluateDraft('scam', [{ ...draft, exemptRoles: ['listener'] }], Date.now()).action).toBeNull();
  });

  it('counts distinct mentions for mention spam', () => {
    const draft = rule({ config: { kind: 'mention_spam', maxMentions: 2 } });
    expect(evaluateDraft('@a @b @a', [draft], Date.now()).action).toBeNull();
    expect(evaluateDraft('@a @b @c', [draft], Date.now()).action).toBe('block');
  });
});

describe('highlightSegments', () => {
  const hit = (start: number, end: number): RuleHit => ({
    ruleId: 'r',
    ruleName: 'r',
    kind: 'keywords',
    action: 'block',
    timeoutSeconds: null,
    reason: 'r',
    detail: 'd',
    span: { start, end },
  });

  it('cuts the message into plain and matched pieces, merging overlaps and ignoring spans out of range', () => {
    expect(highlightSegments('abcdefgh', [hit(5, 7), hit(1, 3), hit(2, 4)])).toEqual([
      { text: 'a', hit: false },
      { text: 'bcd', hit: true },
      { text: 'e', hit: false },
      { text: 'fg', hit: true },
      { text: 'h', hit: false },
    ]);
    expect(highlightSegments('ab', [hit(1, 99)])).toEqual([
      { text: 'a', hit: false },
      { text: 'b', hit: true },
    ]);
    expect(highlightSegments('ab', [])).toEqual([{ text: 'ab', hit: false }]);
  });
});
