#!/usr/bin/env node
/**
 * Moderation keyword engine on its obfuscation corpus (packages/shared/src/moderation/corpus):
 * recall on disguised profanity and custom keywords (leet, look-alikes, spacing, zero-width,
 * repeats, case, full-width, accents, masked letters, mixed), and the false-positive rate on
 * ordinary chat (Scunthorpe-style words included). The acceptance test asserts recall ≥ 95% and
 * false positives ≤ 1%; this prints the figures, per kind too, and what was missed.
 *
 *   node scripts/bench/moderation-recall.mjs   (or `pnpm bench moderation-recall`)
 *
 * Needs `pnpm build` (reads packages/shared/dist). Writes scripts/bench/results/moderation-recall.json.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { machineInfo, ROOT, round, saveResults, table } from './lib/harness.mjs';

const NAME = 'moderation-recall';
const MEASURE = path.join(ROOT, 'packages/shared/dist/moderation/corpus/measure.js');
if (!fs.existsSync(MEASURE)) {
  console.error('packages/shared/dist/moderation is missing: run `pnpm build` first.');
  process.exit(1);
}
const { measureCorpus } = await import(pathToFileURL(MEASURE).href);
const figures = measureCorpus();
const percent = (share) => `${round(share * 100, 1)}%`;

console.log('## Moderation corpus\n');
console.log(
  table(
    ['', 'cases', 'result'],
    [
      ['recall (disguised words caught)', figures.positives, `${percent(figures.recall)} (${figures.caught})`],
      [
        'false positives (ordinary chat caught)',
        figures.negatives,
        `${percent(figures.falsePositiveRate)} (${figures.falsePositives})`,
      ],
    ],
  ),
);
console.log('');
console.log(
  table(
    ['obfuscation', 'recall'],
    Object.entries(figures.recallByKind).map(([kind, recall]) => [kind, percent(recall)]),
  ),
);
console.log(`\nMissed: ${figures.missed.map((text) => JSON.stringify(text)).join(', ') || 'none'}`);
console.log(`Wrongly caught: ${figures.wronglyCaught.map((text) => JSON.stringify(text)).join(', ') || 'none'}`);

await saveResults(NAME, { date: new Date().toISOString(), machine: machineInfo(), ...figures });
