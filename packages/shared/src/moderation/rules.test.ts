import { describe, expect, it } from 'vitest';
import type { ModerationRule, RuleConfig } from '../schemas/moderation.js';
import { compileRules, evaluateMessage, RECENT_WINDOW_MS, type RuleContext, type RuleEvaluation } from './index.js';

const ROOM = '0190a000-0000-7000-8000-00000000a001';
const OTHER_ROOM = '0190a000-0000-7000-8000-00000000a002';
const NOW = Date.UTC(2026, 11, 7, 12);
let nextId = 1;

function rule(config: RuleConfig, overrides: Partial<ModerationRule> = {}): ModerationRule {
  const id = `0190a000-0000-7000-8000-${String(nextId++).padStart(12, '0')}`;
  return {
    id,
    name: `${config.kind} rule`,
    enabled: true,
    roomId: null,
    config,
    action: 'block',
    timeoutSeconds: null,
    reason: `no ${config.kind}`,
    exemptRoles: [],
    exemptRoomRoles: [],
    createdBy: id,
    createdAt: '2026-12-07T00:00:00.000Z',
    updatedAt: '2026-12-07T00:00:00.000Z',
    ...overrides,
  };
}

const keywords = (list: string[], extra: Partial<Extract<RuleConfig, { kind: 'keywords' }>> = {}): RuleConfig => ({
  kind: 'keywords',
  keywords: list,
  patterns: [],
  allow: [],
  preset: false,
  ...extra,
});

function ctx(overrides: Partial<RuleContext> = {}): RuleContext {
  return {
    authorRole: 'listener',
    roomId: ROOM,
    roomRole: 'member',
    accountCreatedAt: NOW - 365 * 24 * 3600_000,
    now: NOW,
    recent: [],
    mentionCount: 0,
    ...overrides,
  };
}

function run(rules: ModerationRule[], body: string, context: Partial<RuleContext> = {}): RuleEvaluation {
  return evaluateMessage(compileRules(rules), body, ctx(context));
}

/** Each row: rules, a message, its context, and whether the first rule must fire. */
const CASES: [string, ModerationRule[], string, Partial<RuleContext>, boolean][] = [
  // keywords
  ['keyword, whole word', [rule(keywords(['spam']))], 'no spam please', {}, true],
  ['keyword, not inside another word', [rule(keywords(['spam']))], 'spammer here', {}, false],
  ['keyword with * at the end: prefix', [rule(keywords(['spam*']))], 'spammers here', {}, true],
  ['keyword with * at the start: suffix', [rule(keywords(['*coin']))], 'buy shitcoin', {}, true],
  ['keyword with * at both ends: anywhere', [rule(keywords(['*scam*']))], 'ascamb', {}, true],
  ['phrase', [rule(keywords(['free nitro']))], 'get FREE   nitro now', {}, true],
  ['phrase words apart do not match', [rule(keywords(['free nitro']))], 'free stuff, nitro later', {}, false],
  ['keyword in leetspeak', [rule(keywords(['idiot']))], 'you 1d10t', {}, true],
  ['keyword with look-alike letters', [rule(keywords(['idiot']))], 'you іdіоt', {}, true],
  ['keyword spaced out', [rule(keywords(['idiot']))], 'you i d i o t', {}, true],
  ['keyword with zero-width characters', [rule(keywords(['idiot']))], 'you id\u200Bi\u200Dot', {}, true],
  ['keyword with repeated letters', [rule(keywords(['idiot']))], 'you iiiidiooooot', {}, true],
  ['allow-list beats the keyword', [rule(keywords(['*ass*'], { allow: ['class'] }))], 'first class', {}, false],
  ['allow-list does not cover other places', [rule(keywords(['*ass*'], { allow: ['class'] }))], 'class ass', {}, true],
  ['preset catches profanity', [rule(keywords([], { preset: true }))], 'what the fuuuck', {}, true],
  ['preset leaves Scunthorpe alone', [rule(keywords([], { preset: true }))], 'Scunthorpe won', {}, false],
  ['preset leaves assessment alone', [rule(keywords([], { preset: true }))], 'my assessment', {}, false],
  ['pattern (RE2)', [rule(keywords([], { patterns: ['buy\\s+now'] }))], 'BUY  NOW!', {}, true],
  ['pattern does not fire elsewhere', [rule(keywords([], { patterns: ['buy\\s+now'] }))], 'buying it', {}, false],
  // links
  [
    'links: block all, scheme',
    [rule({ kind: 'links', mode: 'block_all', allowDomains: [] })],
    'see https://a.io/x',
    {},
    true,
  ],
  [
    'links: bare domain',
    [rule({ kind: 'links', mode: 'block_all', allowDomains: [] })],
    'go to evil.example.com/x',
    {},
    true,
  ],
  ['links: hxxp', [rule({ kind: 'links', mode: 'block_all', allowDomains: [] })], 'hxxp://evil.example', {}, true],
  ['links: [.] for dots', [rule({ kind: 'links', mode: 'block_all', allowDomains: [] })], 'evil[.]com', {}, true],
  [
    'links: file names are not links',
    [rule({ kind: 'links', mode: 'block_all', allowDomains: [] })],
    'track01.mp3 e.g.',
    {},
    false,
  ],
  [
    'links: allowed domain',
    [rule({ kind: 'links', mode: 'allow_list', allowDomains: ['veza.example', '*.music.example'] })],
    'https://www.veza.example/a and https://cdn.music.example/b',
    {},
    false,
  ],
  [
    'links: other domain in allow-list mode',
    [rule({ kind: 'links', mode: 'allow_list', allowDomains: ['veza.example'] })],
    'https://veza.example.evil.io/login',
    {},
    true,
  ],
  // mentions, caps
  ['mention spam over the limit', [rule({ kind: 'mention_spam', maxMentions: 3 })], 'hi', { mentionCount: 4 }, true],
  ['mention spam at the limit', [rule({ kind: 'mention_spam', maxMentions: 3 })], 'hi', { mentionCount: 3 }, false],
  ['caps', [rule({ kind: 'caps', maxRatio: 0.7, minLetters: 10 })], 'WHY IS NOBODY LISTENING', {}, true],
  ['caps: short messages never fire', [rule({ kind: 'caps', maxRatio: 0.7, minLetters: 10 })], 'LOL OK', {}, false],
  ['caps: ordinary case', [rule({ kind: 'caps', maxRatio: 0.7, minLetters: 10 })], 'I love NYC in the fall', {}, false],
  // history
  [
    'repeats: one more than allowed',
    [rule({ kind: 'repeats', maxRepeats: 2, windowSeconds: 60 })],
    'Buy my mixtape',
    {
      recent: [
        { body: 'buy my  mixtape', at: NOW - 50_000 },
        { body: 'Buy my mixtape', at: NOW - 10_000 },
      ],
    },
    true,
  ],
  [
    'repeats: older ones are outside the window',
    [rule({ kind: 'repeats', maxRepeats: 2, windowSeconds: 60 })],
    'Buy my mixtape',
    {
      recent: [
        { body: 'buy my mixtape', at: NOW - 70_000 },
        { body: 'buy my mixtape', at: NOW - 10_000 },
      ],
    },
    false,
  ],
  [
    'flood',
    [rule({ kind: 'flood', maxMessages: 3, windowSeconds: 10 })],
    'd',
    { recent: ['a', 'b', 'c'].map((body, i) => ({ body, at: NOW - 3000 + i * 1000 })) },
    true,
  ],
  [
    'flood: under the limit',
    [rule({ kind: 'flood', maxMessages: 3, windowSeconds: 10 })],
    'd',
    { recent: ['a', 'b', 'c'].map((body, i) => ({ body, at: NOW - 12_000 + i * 1000 })) },
    false,
  ],
  [
    'slow mode: too soon',
    [rule({ kind: 'slow_mode', intervalSeconds: 30 })],
    'hi',
    { recent: [{ body: 'x', at: NOW - 29_000 }] },
    true,
  ],
  [
    'slow mode: after the interval',
    [rule({ kind: 'slow_mode', intervalSeconds: 30 })],
    'hi',
    { recent: [{ body: 'x', at: NOW - 30_000 }] },
    false,
  ],
  [
    'new account',
    [rule({ kind: 'new_account', minAgeMinutes: 60, linksOnly: false })],
    'hi',
    { accountCreatedAt: NOW - 59 * 60_000 },
    true,
  ],
  [
    'new account old enough',
    [rule({ kind: 'new_account', minAgeMinutes: 60, linksOnly: false })],
    'hi',
    { accountCreatedAt: NOW - 61 * 60_000 },
    false,
  ],
  [
    'new account, links only, with a link',
    [rule({ kind: 'new_account', minAgeMinutes: 60, linksOnly: true })],
    'see spam.example.com',
    { accountCreatedAt: NOW - 60_000 },
    true,
  ],
  [
    'new account, links only, no link',
    [rule({ kind: 'new_account', minAgeMinutes: 60, linksOnly: true })],
    'hello all',
    { accountCreatedAt: NOW - 60_000 },
    false,
  ],
  // scope and exemptions
  ['room rule in its room', [rule(keywords(['spam']), { roomId: ROOM })], 'spam', {}, true],
  ['room rule in another room', [rule(keywords(['spam']), { roomId: OTHER_ROOM })], 'spam', {}, false],
  [
    'room rule outside rooms',
    [rule(keywords(['spam']), { roomId: ROOM })],
    'spam',
    { roomId: null, roomRole: null },
    false,
  ],
  ['global rule outside rooms', [rule(keywords(['spam']))], 'spam', { roomId: null, roomRole: null }, true],
  [
    'exempt role',
    [rule(keywords(['spam']), { exemptRoles: ['moderator'] })],
    'spam',
    { authorRole: 'moderator' },
    false,
  ],
  [
    'non-exempt role',
    [rule(keywords(['spam']), { exemptRoles: ['moderator'] })],
    'spam',
    { authorRole: 'artist' },
    true,
  ],
  [
    'exempt room role',
    [rule(keywords(['spam']), { exemptRoomRoles: ['owner'] })],
    'spam',
    { roomRole: 'owner' },
    false,
  ],
  ['disabled rule', [rule(keywords(['spam']), { enabled: false })], 'spam', {}, false],
];

describe('evaluateMessage: one rule at a time', () => {
  it.each(CASES)('%s', (_name, rules, body, context, fires) => {
    const result = run(rules, body, context);
    expect(result.hits.some((hit) => hit.ruleId === rules[0]!.id)).toBe(fires);
    expect(result.action).toBe(fires ? 'block' : null);
  });
});

describe('evaluateMessage: hits', () => {
  it('the strongest action wins, and its hit comes first', () => {
    const flag = rule(keywords(['spam']), { action: 'flag' });
    const timeout = rule(keywords(['spam']), { action: 'timeout', timeoutSeconds: 600 });
    const hold = rule(keywords(['spam']), { action: 'hold' });
    const result = run([flag, timeout, hold], 'spam');
    expect(result.action).toBe('timeout');
    expect(result.hits.map((hit) => hit.action)).toEqual(['timeout', 'hold', 'flag']);
    expect(result.hits[0]!.timeoutSeconds).toBe(600);
    expect(result.hits[1]!.timeoutSeconds).toBeNull();
  });

  it('ban beats every other action', () => {
    const result = run([rule(keywords(['spam']), { action: 'ban' }), rule(keywords(['spam']))], 'spam');
    expect(result.action).toBe('ban');
  });

  it('gives the span in the original text, past astral characters and invisible ones', () => {
    const body = '🎵🎵 hey i\u200Bd\u200Bi\u200Bo\u200Bt!';
    const [hit] = run([rule(keywords(['idiot']), { name: 'insults', reason: 'Be kind.' })], body).hits;
    expect(hit).toMatchObject({ kind: 'keywords', ruleName: 'insults', reason: 'Be kind.' });
    expect(body.slice(hit!.span!.start, hit!.span!.end)).toBe('i\u200Bd\u200Bi\u200Bo\u200Bt');
    expect(hit!.detail).toBe('“i\u200Bd\u200Bi\u200Bo\u200Bt” matched the keyword “idiot”');
  });

  it('shows a spaced-out word whole', () => {
    const body = 'you are a s.c.a.m!';
    const [hit] = run([rule(keywords(['scam']))], body).hits;
    expect(body.slice(hit!.span!.start, hit!.span!.end)).toBe('s.c.a.m');
  });

  it('names the preset word and the link host', () => {
    const preset = run([rule(keywords([], { preset: true }))], 'oh sh1t').hits[0]!;
    expect(preset.detail).toBe('“sh1t” is on the English profanity list (“shit”)');
    const link = run([rule({ kind: 'links', mode: 'block_all', allowDomains: [] })], 'at WWW.Evil.example/x').hits[0]!;
    expect(link.detail).toBe('link to evil.example');
    expect(link.span).toEqual({ start: 3, end: 21 });
  });

  it('reports a few places per keyword rule at most', () => {
    const result = run([rule(keywords(['spam']))], Array.from({ length: 50 }, () => 'spam').join(' '));
    expect(result.hits).toHaveLength(5);
    expect(result.hits.map((hit) => hit.span!.start)).toEqual([0, 5, 10, 15, 20]);
  });

  it('keeps rule sets apart: one compiled set serves many messages', () => {
    const compiled = compileRules([rule(keywords(['alpha'])), rule(keywords(['beta']), { roomId: OTHER_ROOM })]);
    expect(evaluateMessage(compiled, 'alpha beta', ctx()).hits).toHaveLength(1);
    expect(evaluateMessage(compiled, 'alpha beta', ctx({ roomId: OTHER_ROOM })).hits).toHaveLength(2);
  });
});

describe('hostile input', () => {
  it('RE2 patterns stay linear on catastrophic backtracking inputs', () => {
    const body = `${'a'.repeat(50_000)}!`;
    const result = run([rule(keywords([], { patterns: ['(a+)+$', '(a|aa)+b', '(x+x+)+y'] }))], body);
    expect(result.action).toBeNull();
  });

  it('handles long messages of every shape', () => {
    const rules = [
      rule(keywords(['needle'], { preset: true, patterns: ['ne+dle'] })),
      rule({ kind: 'links', mode: 'block_all', allowDomains: [] }),
      rule({ kind: 'caps', maxRatio: 0.7, minLetters: 10 }),
    ];
    for (const body of [
      'a '.repeat(20_000),
      'a.'.repeat(20_000),
      '*'.repeat(40_000),
      '\u200B'.repeat(40_000),
      '🎵'.repeat(20_000),
      'x'.repeat(40_000) + ' needle',
    ]) {
      expect(() => run(rules, body)).not.toThrow();
    }
    expect(run(rules, `${'x'.repeat(40_000)} needle`).hits[0]!.span).toEqual({ start: 40_001, end: 40_007 });
  });
});

it('RECENT_WINDOW_MS covers the longest slow mode (6 hours)', () => {
  expect(RECENT_WINDOW_MS).toBe(6 * 3600 * 1000);
});
