#!/usr/bin/env node
/**
 * Runs benchmarks against two server builds in one session, alternating them round after round
 * (base, head, base, head…), and prints each figure's medians side by side with head / base:
 *
 *   node scripts/bench/compare-builds.mjs --base ../veza-main --head . --rounds 3 fanout chat-latency
 *
 * Each checkout needs its server built (`pnpm install && pnpm build` there). The benchmark code is
 * this checkout's for both sides (VEZA_BENCH_CLI points it at each build's apps/server/dist/cli.js),
 * so only the server differs. Other VEZA_BENCH_* settings (VEZA_BENCH_DURATION, VEZA_BENCH_CLIENTS)
 * pass through to every run. A run's Markdown output goes to a log under the temporary directory
 * named at the start; results files in scripts/bench/results are never written.
 *
 * run.mjs does not run this file: it runs only benchmarks (see its filter).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareFigures, comparisonTable, figuresOf, parseArgs, runOrder } from './lib/compare.mjs';
import { machineInfo } from './lib/harness.mjs';
import { ProcessSet } from '../lib/process.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));

let options;
try {
  options = parseArgs(process.argv.slice(2));
} catch (error) {
  console.error(error.message);
  process.exit(2);
}

const sides = {};
for (const side of ['base', 'head']) {
  const checkout = path.resolve(options[side]);
  const cli = path.join(checkout, 'apps/server/dist/cli.js');
  if (!fs.existsSync(cli)) {
    console.error(`${side}: ${cli} is missing: run \`pnpm install && pnpm build\` in ${checkout}`);
    process.exit(2);
  }
  sides[side] = { checkout, cli, commit: await describe(checkout) };
}
for (const benchmark of options.benchmarks) {
  if (!fs.existsSync(path.join(HERE, `${benchmark}.mjs`))) {
    console.error(`no benchmark scripts/bench/${benchmark}.mjs`);
    process.exit(2);
  }
}

const work = await fsp.mkdtemp(path.join(os.tmpdir(), 'veza-compare-'));
const running = new ProcessSet();
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    // Each benchmark stops its own server and cleans up on SIGTERM; this only waits for that.
    stopping = true;
    void running.stopAll({ timeoutMs: 60_000 }).then(() => process.exit(130));
  });
}

console.error(`compare-builds: base ${sides.base.commit} (${sides.base.checkout})`);
console.error(`compare-builds: head ${sides.head.commit} (${sides.head.checkout})`);
console.error(`compare-builds: ${options.rounds} round(s) of ${options.benchmarks.join(', ')}; logs in ${work}`);

const report = [];
let failed = false;
for (const benchmark of options.benchmarks) {
  const figures = { base: [], head: [] };
  for (const { round, side } of runOrder(options.rounds)) {
    if (stopping) break;
    const label = `${benchmark}-${round}-${side}`;
    console.error(`\n▶ ${benchmark}, round ${round}/${options.rounds}, ${side}`);
    const resultsFile = path.join(work, `${label}.json`);
    const code = await runBenchmark(benchmark, sides[side].cli, resultsFile, path.join(work, `${label}.md`));
    if (code !== 0 || !fs.existsSync(resultsFile)) {
      console.error(`compare-builds: ${label} failed (exit ${code}); see ${path.join(work, `${label}.md`)}`);
      failed = true;
      continue;
    }
    figures[side].push(figuresOf(benchmark, JSON.parse(await fsp.readFile(resultsFile, 'utf8'))));
  }
  report.push(
    `### ${benchmark}: ${figures.base.length} base and ${figures.head.length} head runs`,
    '',
    comparisonTable(compareFigures(figures.base, figures.head)),
    '',
  );
}

const machine = machineInfo();
const settings = Object.entries(process.env)
  .filter(([key]) => key.startsWith('VEZA_BENCH_'))
  .map(([key, value]) => `${key}=${value}`);
console.log(`## Base ${sides.base.commit} vs head ${sides.head.commit} (${new Date().toISOString()})\n`);
console.log(
  `${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}; ` +
    `${options.rounds} round(s), base and head alternating${settings.length ? `; ${settings.join(' ')}` : ''}.\n`,
);
console.log(report.join('\n'));
console.log(
  'Medians over the rounds; a range is min–max of one build\'s runs. "ranges overlap: no" marks a figure whose ' +
    'difference is larger than either build varied on its own.',
);
if (process.env.VEZA_COMPARE_KEEP_LOGS !== '1') await fsp.rm(work, { recursive: true, force: true });
process.exit(failed ? 1 : 0);

/** One benchmark process against one build; its Markdown output goes to `logFile`, its progress here. */
async function runBenchmark(benchmark, cli, resultsFile, logFile) {
  const handle = running.start({
    label: benchmark,
    command: process.execPath,
    args: [path.join(HERE, `${benchmark}.mjs`)],
    env: { ...process.env, VEZA_BENCH_CLI: cli, VEZA_BENCH_RESULTS_FILE: resultsFile },
    logFile,
    stderr: 'inherit',
  });
  const result = await handle.exit;
  return result.code ?? 1;
}

async function describe(checkout) {
  return new Promise((resolve) => {
    const git = spawn('git', ['-C', checkout, 'describe', '--always', '--dirty'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let text = '';
    git.stdout.on('data', (chunk) => (text += chunk));
    git.once('close', (code) => resolve(code === 0 ? text.trim() : 'unknown commit'));
    git.once('error', () => resolve('unknown commit'));
  });
}
