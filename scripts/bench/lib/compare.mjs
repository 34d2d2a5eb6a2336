// The pure half of compare-builds.mjs: its command line, the order of the runs, the figures
// taken from each benchmark's results, and the side-by-side table of medians.
import { median, table } from './harness.mjs';

export const USAGE =
  'usage: node scripts/bench/compare-builds.mjs --base <checkout> --head <checkout> [--rounds N] <benchmark>…';

/** `--base A --head B --rounds 3 fanout chat-latency` → { base, head, rounds, benchmarks }. */
export function parseArgs(argv) {
  const options = { base: undefined, head: undefined, rounds: 3, benchmarks: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined || next.startsWith('--')) throw new Error(`${arg} needs a value\n${USAGE}`);
      return next;
    };
    if (arg === '--base') options.base = value();
    else if (arg === '--head') options.head = value();
    else if (arg === '--rounds') {
      const raw = value();
      options.rounds = Number(raw);
      if (!Number.isInteger(options.rounds) || options.rounds < 1) {
        throw new Error(`--rounds must be a positive integer, not ${raw}`);
      }
    } else if (arg.startsWith('--')) throw new Error(`unknown option ${arg}\n${USAGE}`);
    else options.benchmarks.push(arg.replace(/\.mjs$/, ''));
  }
  if (!options.base || !options.head) throw new Error(`--base and --head are required\n${USAGE}`);
  if (options.benchmarks.length === 0) throw new Error(`name at least one benchmark\n${USAGE}`);
  return options;
}

/**
 * Base and head alternate, round after round (ABAB…), so that a machine that gets busier or
 * quieter during the comparison weighs on both builds alike instead of on the one run last.
 */
export function runOrder(rounds) {
  return Array.from({ length: rounds }, (_, i) => [
    { round: i + 1, side: 'base' },
    { round: i + 1, side: 'head' },
  ]).flat();
}

const ms = (summary) => summary ?? {};

/** The figures worth comparing, per benchmark: name → number (lower or higher is better per name). */
const FIGURES = {
  'chat-latency': ({ run }) => ({
    'deliveries/s': run.deliveredPerSecond,
    'deliver p50 ms': ms(run.deliverLatencyMs).p50,
    'deliver p99 ms': ms(run.deliverLatencyMs).p99,
    'ack p50 ms': ms(run.ackLatencyMs).p50,
    'ack p99 ms': ms(run.ackLatencyMs).p99,
    'server CPU cores': run.cpuCores?.server,
    'PostgreSQL CPU cores': run.cpuCores?.postgres,
    'missing after drain': run.missing,
  }),
  fanout: ({ runs, peaks }) => {
    const out = {};
    for (const run of runs) {
      const at = `${run.target} ${run.clients} clients × ${run.rate}/s`;
      out[`${at}: deliveries/s`] = run.deliveredPerSecond;
      out[`${at}: p50 ms`] = ms(run.latencyMs).p50;
      out[`${at}: p99 ms`] = ms(run.latencyMs).p99;
    }
    for (const peak of peaks ?? []) {
      out[`peak veza ${peak.clients} clients: deliveries/s`] = peak.veza;
      out[`peak bare ${peak.clients} clients: deliveries/s`] = peak.bare;
    }
    return out;
  },
};

/** Fields that describe the run rather than measure it. */
const NOT_FIGURES = new Set(['date', 'machine', 'serverEnv', 'notes', 'durationSeconds', 'warmupSeconds']);

/** Every number in a results object, by its path (for a benchmark without its own list). */
function numericLeaves(value, prefix = '', out = {}) {
  if (typeof value === 'number') out[prefix] = value;
  else if (Array.isArray(value)) value.forEach((item, i) => numericLeaves(item, `${prefix}[${i}]`, out));
  else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (!prefix && NOT_FIGURES.has(key)) continue;
      numericLeaves(item, prefix ? `${prefix}.${key}` : key, out);
    }
  }
  return out;
}

/** name → number for one run's results; figures a run did not reach (null, missing) are left out. */
export function figuresOf(benchmark, results) {
  const all = (FIGURES[benchmark] ?? numericLeaves)(results);
  return Object.fromEntries(Object.entries(all).filter(([, value]) => typeof value === 'number'));
}

/**
 * One row per figure: medians of base and head over the rounds, head/base, and each side's range.
 * `overlap` says whether the two ranges meet: with a few rounds, a difference inside the spread
 * of either build's own runs is noise as far as this comparison can tell.
 */
export function compareFigures(baseRuns, headRuns) {
  const names = [];
  for (const run of [...baseRuns, ...headRuns])
    for (const name of Object.keys(run)) if (!names.includes(name)) names.push(name);
  return names.map((name) => {
    const base = baseRuns.map((run) => run[name]).filter((value) => value !== undefined);
    const head = headRuns.map((run) => run[name]).filter((value) => value !== undefined);
    const side = (values) =>
      values.length === 0
        ? undefined
        : { median: median(values), min: Math.min(...values), max: Math.max(...values), n: values.length };
    const b = side(base);
    const h = side(head);
    return {
      name,
      base: b,
      head: h,
      ratio: b && h && b.median !== 0 ? h.median / b.median : undefined,
      overlap: b && h ? b.min <= h.max && h.min <= b.max : undefined,
    };
  });
}

const figure = (value) =>
  value === undefined
    ? '–'
    : Math.abs(value) >= 100
      ? String(Math.round(value))
      : String(Math.round(value * 100) / 100);
const spread = (side) => (side ? `${figure(side.min)}–${figure(side.max)}${side.n > 1 ? '' : ' (1 run)'}` : '–');

/** The Markdown table compare-builds prints. */
export function comparisonTable(rows) {
  return table(
    ['figure', 'base median', 'head median', 'head / base', 'base range', 'head range', 'ranges overlap'],
    rows.map((row) => [
      row.name,
      figure(row.base?.median),
      figure(row.head?.median),
      row.ratio === undefined ? '–' : row.ratio.toFixed(2),
      spread(row.base),
      spread(row.head),
      row.overlap === undefined ? '–' : row.overlap ? 'yes' : '**no**',
    ]),
  );
}
