// The renderer's tests typecheck with the DOM library: Web Crypto, not node:crypto.
import type { ModerationRule, RuleConfig } from '@veza/shared';
import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../../common/contract.js';
import { checkDraft, compileMirror, draftContext, mentionCount, spanParts, type DraftFacts } from './draft-check.js';

const randomUUID = (): string => crypto.randomUUID();

const now = Date.parse('2026-12-07T12:00:00Z');
const me = randomUUID();
const roomId = randomUUID();

function rule(config: RuleConfig, over: Partial<ModerationRule> = {}): ModerationRule {
  const at = new Date(now - 86_400_000).toISOString();
  return {
    id: randomUUID(),
    name: `${config.kind} rule`,
    enabled: true,
    roomId: null,
    config,
    action: 'block',
    timeoutSeconds: null,
    reason: `Reason for ${config.kind}`,
    exemptRoles: [],
    exemptRoomRoles: [],
    createdBy: randomUUID(),
    createdAt: at,
    updatedAt: at,
    ...over,
  };
}

const spam = (over: Partial<ModerationRule> = {}) =>
  rule({ kind: 'keywords', keywords: ['casino'], patterns: [], allow: [], preset: false }, over);

function facts(draft: string, over: Partial<DraftFacts> = {}): DraftFacts {
  return {
    draft,
    roomId,
    role: 'listener',
    roomRole: 'member',
    accountCreatedAt: new Date(now - 30 * 86_400_000).toISOString(),
    myId: me,
    messages: [],
    now,
    ...over,
  };
}

function mine(body: string, ago: number, over: Partial<ChatMessage> = {}): ChatMessage {
  return {
    id: randomUUID(),
    clientId: randomUUID(),
    roomId,
    seq: 1,
    authorId: me,
    authorUsername: 'ada',
    body,
    replyTo: null,
    mentions: [],
    mentionsMe: false,
    createdAt: new Date(now - ago).toISOString(),
    editedAt: null,
    deletedAt: null,
    reactions: [],
    delivery: 'sent',
    deliveryError: null,
    ...over,
  };
}

describe('checkDraft', () => {
  it('a blocking keyword disables send with the rule’s reason and where it matched, obfuscated too', () => {
    const compiled = compileMirror({ version: 1, rules: [spam()] });
    const verdict = checkDraft(compiled, facts('try the c4s1no tonight'))!;
    expect(verdict).toMatchObject({ level: 'block', action: 'block' });
    expect(verdict.hits[0]).toMatchObject({ reason: 'Reason for keywords', ruleName: 'keywords rule' });
    const parts = spanParts('try the c4s1no tonight', verdict.hits[0]!.span);
    expect(parts?.match.toLowerCase()).toContain('c4s1no');
    expect(checkDraft(compiled, facts('hello there'))).toBeNull();
    expect(checkDraft(compiled, facts('   '))).toBeNull();
  });

  it('hold and flag are a caution, not a block; the strongest hit comes first', () => {
    const compiled = compileMirror({
      version: 1,
      rules: [
        spam({ action: 'flag' }),
        rule({ kind: 'links', mode: 'block_all', allowDomains: [] }, { action: 'hold' }),
      ],
    });
    const verdict = checkDraft(compiled, facts('casino at https://example.com'))!;
    expect(verdict.level).toBe('caution');
    expect(verdict.action).toBe('hold');
    expect(verdict.hits.map((h) => h.action)).toEqual(['hold', 'flag']);
  });

  it('timeout and ban rules block too', () => {
    for (const action of ['timeout', 'ban'] as const) {
      const compiled = compileMirror({
        version: 1,
        rules: [spam({ action, timeoutSeconds: action === 'timeout' ? 600 : null })],
      });
      expect(checkDraft(compiled, facts('casino'))?.level).toBe('block');
    }
  });

  it('respects exemptions by role and room role, and room scope', () => {
    const compiled = compileMirror({
      version: 1,
      rules: [spam({ exemptRoles: ['moderator'], exemptRoomRoles: ['owner'] }), spam({ roomId: randomUUID() })],
    });
    expect(checkDraft(compiled, facts('casino'))?.hits).toHaveLength(1);
    expect(checkDraft(compiled, facts('casino', { role: 'moderator' }))).toBeNull();
    expect(checkDraft(compiled, facts('casino', { roomRole: 'owner' }))).toBeNull();
  });

  it('uses my recent messages in the room (repeats, slow mode) but not failed or deleted ones', () => {
    const compiled = compileMirror({
      version: 1,
      rules: [rule({ kind: 'slow_mode', intervalSeconds: 60 }, { roomId })],
    });
    expect(checkDraft(compiled, facts('hi', { messages: [mine('earlier', 20_000)] }))?.hits[0]?.kind).toBe('slow_mode');
    expect(checkDraft(compiled, facts('hi', { messages: [mine('earlier', 120_000)] }))).toBeNull();
    expect(checkDraft(compiled, facts('hi', { messages: [mine('x', 20_000, { delivery: 'failed' })] }))).toBeNull();
    expect(checkDraft(compiled, facts('hi', { messages: [mine('x', 20_000, { authorId: randomUUID() })] }))).toBeNull();
  });

  it('counts distinct mentions in the draft for mention spam', () => {
    expect(mentionCount('@ana @bob @Ana hi @carl, mail me@host.com')).toBe(3);
    const compiled = compileMirror({ version: 1, rules: [rule({ kind: 'mention_spam', maxMentions: 2 })] });
    expect(checkDraft(compiled, facts('@ana @bob @carl look'))?.hits[0]?.kind).toBe('mention_spam');
    expect(checkDraft(compiled, facts('@ana @bob look'))).toBeNull();
  });

  it('an unknown account age never fires the new-account rule', () => {
    const compiled = compileMirror({
      version: 1,
      rules: [rule({ kind: 'new_account', minAgeMinutes: 60, linksOnly: false })],
    });
    expect(checkDraft(compiled, facts('hello', { accountCreatedAt: null }))).toBeNull();
    expect(draftContext(facts('x', { accountCreatedAt: null })).accountCreatedAt).toBe(0);
    const young = new Date(now - 5 * 60_000).toISOString();
    expect(checkDraft(compiled, facts('hello', { accountCreatedAt: young }))?.hits[0]?.kind).toBe('new_account');
  });

  it('a rule the engine cannot use is left out on its own; a malformed one does not take the rest down', () => {
    const broken = { ...spam(), config: { kind: 'nonsense' } } as unknown as ModerationRule;
    const compiled = compileMirror({ version: 1, rules: [broken, spam()] });
    expect(checkDraft(compiled, facts('casino'))?.level).toBe('block');
    expect(checkDraft(compileMirror(null), facts('casino'))).toBeNull();
  });

  it('a large rule set (1000 keywords × 200 rules) still answers', () => {
    const keywords = Array.from({ length: 1000 }, (_, i) => `term${i}x`);
    const rules = Array.from({ length: 200 }, () =>
      rule({ kind: 'keywords', keywords, patterns: ['fo+bar'], allow: [], preset: true }),
    );
    const compiled = compileMirror({ version: 1, rules });
    expect(checkDraft(compiled, facts('say term999x now'))?.hits.length).toBeGreaterThan(0);
  });
});

describe('spanParts', () => {
  it('cuts around the span and refuses spans outside the draft', () => {
    expect(spanParts('abc bad def', { start: 4, end: 7 })).toEqual({ before: 'abc ', match: 'bad', after: ' def' });
    expect(spanParts('abc', { start: 2, end: 9 })).toBeNull();
    expect(spanParts('abc', null)).toBeNull();
  });
});
