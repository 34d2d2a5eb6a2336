#!/usr/bin/env node
/**
 * Runs every benchmark in this folder (each *.mjs file directly in it but this one and
 * compare-builds.mjs; the helpers in lib/ are never run), one after the other, each in its own
 * process. Arguments filter by file name: `node scripts/bench/run.mjs auth`. Exits non-zero when
 * any benchmark fails.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const self = path.basename(fileURLToPath(import.meta.url));
/** Files here that run benchmarks rather than being one. */
const NOT_BENCHMARKS = new Set([self, 'compare-builds.mjs']);
const filters = process.argv.slice(2);

const files = fs
  .readdirSync(here, { withFileTypes: true })
  .filter((entry) => entry.isFile() && entry.name.endsWith('.mjs') && !NOT_BENCHMARKS.has(entry.name))
  .map((entry) => entry.name)
  .filter((name) => filters.length === 0 || filters.some((filter) => name.includes(filter)))
  .sort();

if (files.length === 0) {
  console.error(`No benchmark matches ${filters.join(', ')}.`);
  process.exit(2);
}

let current;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    // The benchmark stops its own server and cleans up; it has a hard timeout of its own.
    if (current) current.kill(signal);
    else process.exit(130);
  });
}

const failed = [];
for (const file of files) {
  console.error(`\n▶ ${file}`);
  current = spawn(process.execPath, [path.join(here, file)], { stdio: 'inherit' });
  const code = await new Promise((resolve) => {
    current.once('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0)));
    current.once('error', () => resolve(1));
  });
  current = undefined;
  if (code !== 0) failed.push(`${file} (exit ${code})`);
}

if (failed.length > 0) {
  console.error(`\nFailed: ${failed.join(', ')}`);
  process.exit(1);
}
