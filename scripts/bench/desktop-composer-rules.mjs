#!/usr/bin/env node
/**
 * The composer's rule warning, measured through the renderer's real code
 * (apps/desktop/src/renderer/features/moderation/draft-check.ts, bundled at bench time with the
 * shared engine): what one keystroke costs and what a rule-set change costs.
 *
 * - compile: `compileMirror` of the mirrored set (runs once per rule-set version, on the renderer's
 *   main thread): a realistic set (1 keyword rule of 1,000 keywords + 10 patterns + the preset,
 *   plus links, caps, mentions, repeats, flood rules) and the largest the mirror keeps
 *   (200 rules × 1,000 keywords);
 * - keystroke: `checkDraft` on a 200-character draft with 50 recent messages: target p99 < 1 ms
 *   (under one frame's budget with room to spare for React).
 *
 *   node scripts/bench/desktop-composer-rules.mjs
 *
 * No server needed. Prints a Markdown table and writes scripts/bench/results/desktop-composer-rules.json.
 */
import { randomUUID } from 'node:crypto';
import fsp from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { ROOT, machineInfo, median, round, saveResults, table } from './lib/harness.mjs';

const NAME = 'desktop-composer-rules';
const DESKTOP = path.join(ROOT, 'apps/desktop');
const COMPILE_RUNS = 5;
const KEYSTROKES = 3_000;
const TARGET_KEYSTROKE_P99_MS = 1;

async function loadDraftCheck() {
  const { build } = createRequire(path.join(DESKTOP, 'package.json'))('esbuild');
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'veza-bench-composer-'));
  const outfile = path.join(dir, 'draft-check.mjs');
  await build({
    stdin: {
      contents: "export * from './src/renderer/features/moderation/draft-check.ts';",
      resolveDir: DESKTOP,
      sourcefile: 'bench-entry.ts',
      loader: 'ts',
    },
    outfile,
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'chrome120',
    conditions: ['@veza/source'],
    logLevel: 'error',
  });
  const modules = await import(pathToFileURL(outfile).href);
  return { modules, cleanup: () => fsp.rm(dir, { recursive: true, force: true }) };
}

const at = new Date().toISOString();
function rule(config, over = {}) {
  return {
    id: randomUUID(),
    name: `${config.kind} rule`,
    enabled: true,
    roomId: null,
    config,
    action: 'block',
    timeoutSeconds: null,
    reason: 'Not here.',
    exemptRoles: [],
    exemptRoomRoles: [],
    createdBy: randomUUID(),
    createdAt: at,
    updatedAt: at,
    ...over,
  };
}

const keywords = (prefix) => Array.from({ length: 1000 }, (_, i) => `${prefix}${i.toString(36)}word`);
const patterns = Array.from({ length: 10 }, (_, i) => `\\bpromo${i}[a-z]{2,8}\\d+`);

const realistic = {
  version: 1,
  rules: [
    rule({ kind: 'keywords', keywords: keywords('k'), patterns, allow: ['scunthorpe'], preset: true }),
    rule({ kind: 'links', mode: 'allow_list', allowDomains: ['example.com', '*.veza.local'] }, { action: 'hold' }),
    rule({ kind: 'caps', maxRatio: 0.7, minLetters: 10 }, { action: 'flag' }),
    rule({ kind: 'mention_spam', maxMentions: 5 }),
    rule({ kind: 'repeats', maxRepeats: 3, windowSeconds: 60 }),
    rule({ kind: 'flood', maxMessages: 10, windowSeconds: 10 }, { action: 'timeout', timeoutSeconds: 600 }),
  ],
};
const largest = {
  version: 2,
  rules: Array.from({ length: 200 }, (_, r) =>
    rule({
      kind: 'keywords',
      keywords: keywords(`r${r}x`),
      patterns: patterns.slice(0, 2),
      allow: [],
      preset: r === 0,
    }),
  ),
};

const draft =
  'Hey @ana and @bob, the new mix is up at https://example.com/mix — tell me what you think of the ' +
  'second half, the bass line is heavier than last week and the vocals come in late on purpose!!';
const now = Date.now();
const me = randomUUID();
const messages = Array.from({ length: 50 }, (_, i) => ({
  id: randomUUID(),
  clientId: randomUUID(),
  roomId: 'room',
  seq: i + 1,
  authorId: i % 2 ? me : randomUUID(),
  authorUsername: 'x',
  body: `message number ${i} about the mix`,
  replyTo: null,
  mentions: [],
  mentionsMe: false,
  createdAt: new Date(now - (50 - i) * 30_000).toISOString(),
  editedAt: null,
  deletedAt: null,
  reactions: [],
  delivery: 'sent',
  deliveryError: null,
}));

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function measure(m, set) {
  const compileMs = [];
  let compiled;
  for (let i = 0; i < COMPILE_RUNS; i += 1) {
    const start = performance.now();
    compiled = m.compileMirror(set);
    compileMs.push(performance.now() - start);
  }
  const facts = {
    roomId: 'room',
    role: 'listener',
    roomRole: 'member',
    accountCreatedAt: new Date(now - 86_400_000 * 30).toISOString(),
    myId: me,
    messages,
    now,
  };
  // Each keystroke is a longer prefix of the draft, as when typing it.
  for (let i = 0; i < 200; i += 1) m.checkDraft(compiled, { ...facts, draft: draft.slice(0, 1 + (i % draft.length)) });
  const keystroke = [];
  // CPU time too: on a shared, loaded machine the wall clock's tail is the scheduler's, not ours.
  const keystrokeCpu = [];
  for (let i = 0; i < KEYSTROKES; i += 1) {
    const text = draft.slice(0, 20 + (i % (draft.length - 20)));
    const cpu = process.cpuUsage();
    const start = performance.now();
    m.checkDraft(compiled, { ...facts, draft: text });
    keystroke.push(performance.now() - start);
    const used = process.cpuUsage(cpu);
    keystrokeCpu.push((used.user + used.system) / 1000);
  }
  keystroke.sort((a, b) => a - b);
  keystrokeCpu.sort((a, b) => a - b);
  return {
    rules: set.rules.length,
    compileMedianMs: round(median(compileMs), 1),
    keystrokeP50Ms: round(percentile(keystroke, 50), 3),
    keystrokeP99Ms: round(percentile(keystroke, 99), 3),
    keystrokeCpuP99Ms: round(percentile(keystrokeCpu, 99), 3),
  };
}

const { modules, cleanup } = await loadDraftCheck();
try {
  const results = { realistic: measure(modules, realistic), largest: measure(modules, largest) };
  console.log(`\n## Composer rule warning (${machineInfo().cpu ?? ''})\n`);
  console.log(
    table(
      [
        'rule set',
        'rules',
        'compile (median of 5)',
        'keystroke p50',
        'keystroke p99',
        `target p99 < ${TARGET_KEYSTROKE_P99_MS} ms`,
      ],
      Object.entries(results).map(([name, r]) => [
        name,
        r.rules,
        `${r.compileMedianMs} ms`,
        `${r.keystrokeP50Ms} ms`,
        `${r.keystrokeP99Ms} ms`,
        `${r.keystrokeCpuP99Ms} ms`,
        r.keystrokeCpuP99Ms < TARGET_KEYSTROKE_P99_MS ? 'met' : 'missed',
      ]),
    ),
  );
  await saveResults(NAME, { machine: machineInfo(), at: new Date().toISOString(), ...results });
} finally {
  await cleanup();
}
