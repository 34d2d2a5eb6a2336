// Types for compare.mjs (plain JavaScript, like every benchmark file).

export const USAGE: string;

export interface CompareOptions {
  base: string;
  head: string;
  rounds: number;
  /** File names in scripts/bench without .mjs (fanout, chat-latency). */
  benchmarks: string[];
}

export type Side = 'base' | 'head';
/** One benchmark run's figures: name → value. */
export type Figures = Record<string, number>;

export interface SideSummary {
  median: number;
  min: number;
  max: number;
  n: number;
}

export interface ComparedFigure {
  name: string;
  base: SideSummary | undefined;
  head: SideSummary | undefined;
  /** head median / base median. */
  ratio: number | undefined;
  /** Whether the base and head ranges meet. */
  overlap: boolean | undefined;
}

export function parseArgs(argv: readonly string[]): CompareOptions;
export function runOrder(rounds: number): { round: number; side: Side }[];
export function figuresOf(benchmark: string, results: unknown): Figures;
export function compareFigures(baseRuns: readonly Figures[], headRuns: readonly Figures[]): ComparedFigure[];
export function comparisonTable(rows: readonly ComparedFigure[]): string;
