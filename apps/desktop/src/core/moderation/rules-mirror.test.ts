import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RULE_LIMITS, type ModerationRule, type ModerationRuleSet } from '@veza/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCacheDatabase, type CacheDb } from '../cache/database.js';
import { MAX_MIRRORED_RULES, checkRuleSet } from './rule-set-check.js';
import { EFFECTIVE_RULES_PATH, RulesMirror } from './rules-mirror.js';
import { RulesStore } from './rules-store.js';
import { json, scriptedServer, type ScriptedServer } from './test-api.js';

const now = new Date().toISOString();

function keywordRule(overrides: Partial<ModerationRule> = {}): ModerationRule {
  return {
    id: randomUUID(),
    name: 'No spam words',
    enabled: true,
    roomId: null,
    config: { kind: 'keywords', keywords: ['spam'], patterns: [], allow: [], preset: false },
    action: 'block',
    timeoutSeconds: null,
    reason: 'No spam here.',
    exemptRoles: [],
    exemptRoomRoles: [],
    createdBy: randomUUID(),
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

let dir: string;
let db: CacheDb;
let server: ScriptedServer;
let changes: number[];
let warnings: string[];

function mirror(): RulesMirror {
  return new RulesMirror({
    api: server.api,
    store: new RulesStore(db),
    log: { warn: (message) => warnings.push(message), error: (message) => warnings.push(message) },
    changed: (version) => changes.push(version),
  });
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'veza-rules-'));
  db = openCacheDatabase(path.join(dir, 'cache.sqlite'));
  server = await scriptedServer();
  changes = [];
  warnings = [];
});

afterEach(async () => {
  db.close();
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('rules mirror', () => {
  it('caches the effective rule set, which is still there after a restart with no server', async () => {
    const set: ModerationRuleSet = { version: 3, rules: [keywordRule()] };
    server.answer((_req, _body, res) => json(res, 200, set));
    await mirror().refresh();
    expect(server.requests.map((r) => r.path)).toEqual([EFFECTIVE_RULES_PATH]);
    expect(changes).toEqual([3]);
    db.close();
    await server.close();
    server = await scriptedServer();
    db = openCacheDatabase(path.join(dir, 'cache.sqlite'));
    expect(new RulesStore(db).get()).toEqual(set);
  });

  it('a rules frame fetches only when its version is newer than the cache', async () => {
    let version = 2;
    server.answer((_req, _body, res) => json(res, 200, { version, rules: [] }));
    const m = mirror();
    await m.refresh();
    m.onVersion(2);
    m.onVersion(1);
    version = 5;
    m.onVersion(5);
    await m.refresh();
    // refresh() after onVersion(5) joins the run it started (one more fetch, not two).
    expect(changes).toEqual([2, 5, 5]);
    expect(new RulesStore(db).version()).toBe(5);
  });

  it('keeps the cached set when the server is away, answers garbage or the wrong shape', async () => {
    const good: ModerationRuleSet = { version: 1, rules: [keywordRule()] };
    server.answer((_req, _body, res) => json(res, 200, good));
    const m = mirror();
    await m.refresh();
    for (const answer of [
      (res: Parameters<Parameters<ScriptedServer['answer']>[0]>[2]) =>
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"version": 2, "rules": ['),
      (res: Parameters<Parameters<ScriptedServer['answer']>[0]>[2]) => json(res, 200, { version: 'two', rules: [] }),
      (res: Parameters<Parameters<ScriptedServer['answer']>[0]>[2]) => json(res, 200, { version: 2, rules: 'all' }),
      (res: Parameters<Parameters<ScriptedServer['answer']>[0]>[2]) => json(res, 200, null),
      (res: Parameters<Parameters<ScriptedServer['answer']>[0]>[2]) => json(res, 500, { error: 'boom' }),
    ]) {
      server.answer((_req, _body, res) => answer(res));
      await m.refresh();
    }
    expect(new RulesStore(db).get()).toEqual(good);
    expect(changes).toEqual([1]);
    expect(warnings.length).toBeGreaterThanOrEqual(5);
  });

  it('drops the one malformed rule and disabled ones, keeps the rest', async () => {
    const kept = keywordRule();
    const broken = { ...keywordRule(), action: 'explode' };
    const noConfig = { ...keywordRule(), config: undefined };
    const disabled = keywordRule({ enabled: false });
    server.answer((_req, _body, res) => json(res, 200, { version: 4, rules: [broken, kept, noConfig, disabled] }));
    await mirror().refresh();
    expect(new RulesStore(db).get()).toEqual({ version: 4, rules: [kept] });
  });

  it('a huge rule set is capped, stored and read back', async () => {
    const keywords = Array.from({ length: RULE_LIMITS.maxKeywords }, (_, i) => `word${i}`);
    const rules = Array.from({ length: MAX_MIRRORED_RULES + 50 }, () =>
      keywordRule({
        config: { kind: 'keywords', keywords: keywords.slice(0, 50), patterns: [], allow: [], preset: false },
      }),
    );
    rules[0] = keywordRule({ config: { kind: 'keywords', keywords, patterns: [], allow: [], preset: true } });
    server.answer((_req, _body, res) => json(res, 200, { version: 9, rules }));
    await mirror().refresh();
    const cached = new RulesStore(db).get()!;
    expect(cached.rules).toHaveLength(MAX_MIRRORED_RULES);
    expect(cached.rules[0]!.config).toMatchObject({ preset: true });
    expect(warnings).toContain('dropped moderation rules the app cannot use');
  });

  it('a damaged cache row reads as no rules instead of throwing', () => {
    db.prepare("INSERT INTO moderation_rules (id, version, data, fetched_at) VALUES (1, 1, '{not json', ?)").run(now);
    expect(new RulesStore(db).get()).toBeNull();
    expect(checkRuleSet({ version: -1, rules: [] })).toMatchObject({ ok: false });
  });
});
