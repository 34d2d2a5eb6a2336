#!/usr/bin/env node
/**
 * Moderation rule engine benchmark (@veza/shared/moderation, the built package): the cost of
 * evaluating one message against a full rule set, as the server does on every send:
 *
 * - one keyword rule at the limits: 1,000 keywords (some with `*`), 10 RE2 patterns, an
 *   allow-list and the English list; plus one rule of every other kind (links, mention spam,
 *   caps, repeats, flood, slow mode, new account) and a room-scoped keyword rule;
 * - a realistic message mix: ordinary chat from the corpus, disguised profanity, links, shouting,
 *   3% long messages (200–1,000 characters), with an author history of 20 recent messages;
 * - the cost by message length (100 to 4,000 characters, the longest message allowed);
 * - per-message evaluation time, p50 / p99 / max in µs (target p99 < 1 ms), over 3 rounds;
 * - compile time of the rule set (first compile builds the English list too);
 * - RE2 on catastrophic-backtracking inputs ((a+)+$ on 50,000 'a' then '!').
 *
 *   node scripts/bench/moderation-rules.mjs   (or `pnpm bench moderation-rules`)
 *
 * Needs `pnpm build` (reads packages/shared/dist). VEZA_BENCH_MESSAGES=2000 shrinks each round
 * (the results file is then left as it was). Prints Markdown tables, writes
 * scripts/bench/results/moderation-rules.json.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { machineInfo, median, ROOT, round, saveResults, table } from './lib/harness.mjs';

const NAME = 'moderation-rules';
const DIST = path.join(ROOT, 'packages/shared/dist/moderation');
const MESSAGES = Number(process.env.VEZA_BENCH_MESSAGES) > 0 ? Number(process.env.VEZA_BENCH_MESSAGES) : 50_000;
const ROUNDS = 3;
const COMPILES = 5;
const TARGET_P99_US = 1000;

if (!fs.existsSync(path.join(DIST, 'index.js'))) {
  console.error('packages/shared/dist/moderation is missing: run `pnpm build` first.');
  process.exit(1);
}
const engine = await import(pathToFileURL(path.join(DIST, 'index.js')).href);
const { EVERYDAY } = await import(pathToFileURL(path.join(DIST, 'corpus/negatives.js')).href);
const positives = JSON.parse(fs.readFileSync(path.join(DIST, 'corpus/positives.json'), 'utf8'));

// A seeded PRNG so every run measures the same rules and messages.
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = mulberry32(7);
const pick = (list) => list[Math.floor(random() * list.length)];

const ROOM = '0190a000-0000-7000-8000-00000000a001';
let nextId = 1;
function rule(config, overrides = {}) {
  const id = `0190a000-0000-7000-8000-${String(nextId++).padStart(12, '0')}`;
  return {
    id,
    name: config.kind,
    enabled: true,
    roomId: null,
    config,
    action: 'block',
    timeoutSeconds: null,
    reason: config.kind,
    exemptRoles: [],
    exemptRoomRoles: [],
    createdBy: id,
    createdAt: '2026-12-07T00:00:00.000Z',
    updatedAt: '2026-12-07T00:00:00.000Z',
    ...overrides,
  };
}

/** Made-up words of 4–12 letters, like a moderator's list of spam terms and slurs in other languages. */
function keyword(i) {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  let word = '';
  const length = 4 + Math.floor(random() * 9);
  for (let k = 0; k < length; k++) word += letters[Math.floor(random() * 26)];
  if (i % 10 === 0) return `${word}*`;
  if (i % 25 === 0) return `*${word}`;
  if (i % 40 === 0) return `${word} ${pick(['now', 'free', 'here'])}`;
  return word;
}

const KEYWORDS = [
  ...positives.customKeywords,
  ...Array.from({ length: 1000 - positives.customKeywords.length }, (_, i) => keyword(i)),
];
const PATTERNS = [
  'buy\\s+(?:now|cheap)',
  'free\\s+\\w+\\s+giveaway',
  '\\b\\d{3}[-.\\s]?\\d{3}[-.\\s]?\\d{4}\\b',
  '(?:wa|telegram)\\.me/\\w+',
  'earn\\s+\\$?\\d+\\s*(?:k|per\\s+day)',
  'dm\\s+me\\s+for',
  '(?:crypto|nft)\\s+(?:signals|drops)',
  '[a-z0-9._%+-]+@[a-z0-9.-]+\\.[a-z]{2,}',
  '[!?]{10,}',
  'onlyfans\\.com',
];
const RULES = [
  rule({ kind: 'keywords', keywords: KEYWORDS, patterns: PATTERNS, allow: ['scunthorpe', 'classic'], preset: true }),
  rule({ kind: 'keywords', keywords: ['room only'], patterns: [], allow: [], preset: false }, { roomId: ROOM }),
  rule({ kind: 'links', mode: 'allow_list', allowDomains: ['veza.example', '*.music.example'] }),
  rule({ kind: 'mention_spam', maxMentions: 5 }),
  rule({ kind: 'caps', maxRatio: 0.7, minLetters: 10 }),
  rule({ kind: 'repeats', maxRepeats: 3, windowSeconds: 60 }),
  rule({ kind: 'flood', maxMessages: 10, windowSeconds: 10 }),
  rule({ kind: 'slow_mode', intervalSeconds: 2 }, { roomId: ROOM }),
  rule({ kind: 'new_account', minAgeMinutes: 60, linksOnly: true }),
];

/** Realistic mix: mostly ordinary chat, some disguised profanity, links, shouting, long messages. */
function message() {
  const roll = random();
  if (roll < 0.6) return pick(EVERYDAY);
  if (roll < 0.75) return pick(positives.preset).text;
  if (roll < 0.8) return pick(positives.custom).text;
  if (roll < 0.87)
    return `${pick(EVERYDAY)} https://${pick(['veza.example', 'evil.example.com', 'cdn.music.example'])}/x`;
  if (roll < 0.97) return pick(EVERYDAY).toUpperCase();
  return longMessage(200 + Math.floor(random() * 800));
}

function longMessage(length) {
  const parts = [];
  while (parts.join(' ').length < length) parts.push(pick(EVERYDAY));
  return parts.join(' ').slice(0, length);
}

const NOW = Date.UTC(2026, 11, 7, 12);
function context() {
  const recent = Array.from({ length: 20 }, (_, i) => ({ body: pick(EVERYDAY), at: NOW - (20 - i) * 3000 }));
  return {
    authorRole: 'listener',
    roomId: ROOM,
    roomRole: 'member',
    accountCreatedAt: NOW - (random() < 0.1 ? 10 : 100_000) * 60_000,
    now: NOW,
    recent,
    mentionCount: Math.floor(random() * 4),
  };
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

// Compile: the first includes building the English list (once per process).
const compileMs = [];
let compiled;
for (let k = 0; k < COMPILES; k++) {
  const start = performance.now();
  compiled = engine.compileRules(RULES);
  compileMs.push(performance.now() - start);
}

const messages = Array.from({ length: MESSAGES }, () => ({ body: message(), ctx: context() }));
// Warm-up: let V8 optimise the hot paths before measuring.
for (const { body, ctx } of messages.slice(0, 2000)) engine.evaluateMessage(compiled, body, ctx);

const rounds = [];
for (let r = 0; r < ROUNDS; r++) {
  const times = new Float64Array(messages.length);
  const cpu = new Float64Array(messages.length);
  let fired = 0;
  for (let i = 0; i < messages.length; i++) {
    const { body, ctx } = messages[i];
    const cpuBefore = process.cpuUsage();
    const start = performance.now();
    const result = engine.evaluateMessage(compiled, body, ctx);
    times[i] = (performance.now() - start) * 1000;
    const used = process.cpuUsage(cpuBefore);
    cpu[i] = used.user + used.system;
    if (result.action !== null) fired++;
  }
  times.sort();
  cpu.sort();
  rounds.push({
    p50: round(percentile(times, 50), 1),
    p99: round(percentile(times, 99), 1),
    max: round(times[times.length - 1], 1),
    cpuP50: round(percentile(cpu, 50), 1),
    cpuP99: round(percentile(cpu, 99), 1),
    firedShare: round(fired / messages.length, 3),
  });
  console.error(
    `round ${r + 1}: wall p50 ${rounds[r].p50} µs, p99 ${rounds[r].p99} µs; CPU p50 ${rounds[r].cpuP50} µs, p99 ${rounds[r].cpuP99} µs`,
  );
}

// Cost by length: ordinary chat glued together, median of 200 evaluations each.
const byLength = [];
for (const length of [100, 500, 1000, 2000, 4000]) {
  const samples = Array.from({ length: 20 }, () => longMessage(length));
  const us = [];
  for (let k = 0; k < 200; k++) {
    const body = samples[k % samples.length];
    const ctx = context();
    const start = performance.now();
    engine.evaluateMessage(compiled, body, ctx);
    us.push((performance.now() - start) * 1000);
  }
  byLength.push({ length, medianUs: round(median(us), 1) });
}

// RE2 on inputs that hang backtracking engines.
const catastrophic = [];
for (const [pattern, input] of [
  ['(a+)+$', `${'a'.repeat(50_000)}!`],
  ['(x+x+)+y', 'x'.repeat(50_000)],
  ['(a|aa)+b', 'a'.repeat(50_000)],
]) {
  const check = engine.validateRule({ ...RULES[1], config: { ...RULES[1].config, patterns: [pattern] } });
  const single = engine.compileRules([
    rule({ kind: 'keywords', keywords: [], patterns: [pattern], allow: [], preset: false }),
  ]);
  const ms = [];
  for (let k = 0; k < 3; k++) {
    const start = performance.now();
    engine.evaluateMessage(single, input, context());
    ms.push(performance.now() - start);
  }
  catastrophic.push({ pattern, inputLength: input.length, accepted: check.ok, medianMs: round(median(ms), 1) });
}

const summary = {
  p50: median(rounds.map((r) => r.p50)),
  p99: median(rounds.map((r) => r.p99)),
  max: Math.max(...rounds.map((r) => r.max)),
  cpuP50: median(rounds.map((r) => r.cpuP50)),
  cpuP99: median(rounds.map((r) => r.cpuP99)),
};
const load = os.loadavg()[0];

console.log(
  `## Moderation rules: ${KEYWORDS.length} keywords, ${PATTERNS.length} patterns, English list, ${RULES.length} rules\n`,
);
console.log(
  table(
    ['', 'messages', 'wall p50 µs', 'wall p99 µs', 'wall max µs', 'CPU p50 µs', 'CPU p99 µs', 'share that fired'],
    [
      ...rounds.map((r, i) => [`round ${i + 1}`, MESSAGES, r.p50, r.p99, r.max, r.cpuP50, r.cpuP99, r.firedShare]),
      ['**median of rounds**', MESSAGES, summary.p50, summary.p99, summary.max, summary.cpuP50, summary.cpuP99, ''],
    ],
  ),
);
// On a busy machine wall time includes waiting for a core; CPU time is what the evaluation costs.
console.log(
  `\nTarget p99 < ${TARGET_P99_US} µs: wall ${summary.p99 < TARGET_P99_US ? 'met' : 'NOT met'}, ` +
    `CPU ${summary.cpuP99 < TARGET_P99_US ? 'met' : 'NOT met'} (load average ${round(load, 1)} on ${os.cpus().length} CPUs).\n`,
);
console.log(
  table(
    ['compile', 'ms'],
    [
      ['first (builds the English list)', round(compileMs[0], 1)],
      [`median of the next ${COMPILES - 1}`, round(median(compileMs.slice(1)), 1)],
    ],
  ),
);
console.log('');
console.log(
  table(
    ['message length (chars)', 'median µs'],
    byLength.map((b) => [b.length, b.medianUs]),
  ),
);
console.log('');
console.log(
  table(
    ['RE2 pattern', 'input chars', 'median ms of 3'],
    catastrophic.map((c) => [`\`${c.pattern}\``, c.inputLength, c.medianMs]),
  ),
);

if (!process.env.VEZA_BENCH_MESSAGES) {
  await saveResults(NAME, {
    date: new Date().toISOString(),
    machine: machineInfo(),
    rules: { keywords: KEYWORDS.length, patterns: PATTERNS.length, rules: RULES.length },
    messagesPerRound: MESSAGES,
    targetP99Us: TARGET_P99_US,
    rounds,
    summary,
    loadAverage: round(load, 1),
    byLength,
    compileMs: { first: round(compileMs[0], 1), warmMedian: round(median(compileMs.slice(1)), 1) },
    catastrophic,
  });
} else {
  console.error(`bench: VEZA_BENCH_* settings in use: scripts/bench/results/${NAME}.json left as it was`);
}
