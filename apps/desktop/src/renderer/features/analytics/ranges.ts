/**
 * Ranges as the analytics views ask for them: presets counted back from today (UTC days, as the
 * server's rollups are), a custom range checked before any request, and the buckets a range
 * allows. Pure: no DOM, no bridge.
 */
import type { AnalyticsBucket, DayRange } from '../../../common/contract.js';

/**
 * The server's limits (ANALYTICS_LIMITS in @veza/shared), mirrored so the renderer does not
 * bundle the shared schemas; ranges.test.ts fails if the two drift apart.
 */
export const RANGE_LIMITS = { maxDays: 366, maxWeeks: 260, maxMonths: 120 } as const;

export type RangePreset = '7d' | '30d' | '90d' | '1y' | 'custom';

export const RANGE_PRESETS: readonly { id: Exclude<RangePreset, 'custom'>; label: string; days: number }[] = [
  { id: '7d', label: '7 days', days: 7 },
  { id: '30d', label: '30 days', days: 30 },
  { id: '90d', label: '90 days', days: 90 },
  { id: '1y', label: '1 year', days: 365 },
];

export interface RangeSelection {
  preset: RangePreset;
  /** Used when `preset` is 'custom'. */
  custom: DayRange;
}

const DAY_MS = 86_400_000;
const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The UTC day of a time, `YYYY-MM-DD`. */
export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Milliseconds at 00:00 UTC of a day, or NaN for anything that is not a real calendar day. */
export function dayStartMs(day: string): number {
  const match = DAY_RE.exec(day);
  if (!match) return Number.NaN;
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  // Date.UTC rolls 2026-02-31 over to March: a day that does not round-trip does not exist.
  return utcDay(new Date(ms)) === day ? ms : Number.NaN;
}

export function addDays(day: string, days: number): string {
  return utcDay(new Date(dayStartMs(day) + days * DAY_MS));
}

/** Days in an inclusive range (1 for from === to). */
export function daysIn(range: DayRange): number {
  return Math.round((dayStartMs(range.to) - dayStartMs(range.from)) / DAY_MS) + 1;
}

/** The last `days` days, today included. */
export function presetRange(preset: Exclude<RangePreset, 'custom'>, today: Date): DayRange {
  const days = RANGE_PRESETS.find((p) => p.id === preset)?.days ?? 30;
  const to = utcDay(today);
  return { from: addDays(to, -(days - 1)), to };
}

export function selectedRange(selection: RangeSelection, today: Date): DayRange {
  return selection.preset === 'custom' ? selection.custom : presetRange(selection.preset, today);
}

/** How many buckets of each size a range spans, counted as the server counts them. */
function bucketCount(range: DayRange, bucket: AnalyticsBucket): number {
  const days = daysIn(range);
  if (bucket === 'day') return days;
  if (bucket === 'week') return Math.ceil(days / 7) + 1;
  const [fy, fm] = range.from.split('-').map(Number) as [number, number];
  const [ty, tm] = range.to.split('-').map(Number) as [number, number];
  return (ty - fy) * 12 + (tm - fm) + 1;
}

const BUCKET_LIMIT: Record<AnalyticsBucket, number> = {
  day: RANGE_LIMITS.maxDays,
  week: RANGE_LIMITS.maxWeeks,
  month: RANGE_LIMITS.maxMonths,
};

/** The buckets the server accepts for this range, finest first. */
export function allowedBuckets(range: DayRange): AnalyticsBucket[] {
  return (['day', 'week', 'month'] as const).filter((bucket) => bucketCount(range, bucket) <= BUCKET_LIMIT[bucket]);
}

/** The bucket that draws a readable chart: days up to three months, then weeks, then months. */
export function defaultBucket(range: DayRange): AnalyticsBucket {
  const days = daysIn(range);
  const wanted: AnalyticsBucket = days <= 92 ? 'day' : days <= 731 ? 'week' : 'month';
  const allowed = allowedBuckets(range);
  return allowed.includes(wanted) ? wanted : (allowed.at(-1) ?? 'month');
}

/**
 * What is wrong with a custom range, in a sentence, or null. `maxDays` bounds ranges with no
 * bucket choice (an artist's per-day figures).
 */
export function customRangeProblem(range: DayRange, today: Date, maxDays?: number): string | null {
  if (Number.isNaN(dayStartMs(range.from)) || Number.isNaN(dayStartMs(range.to)))
    return 'Pick a start and an end date.';
  if (range.from > range.to) return 'The range ends before it starts.';
  if (range.from > utcDay(today)) return 'The range starts in the future.';
  if (maxDays !== undefined && daysIn(range) > maxDays) return `Pick at most ${maxDays} days.`;
  if (allowedBuckets(range).length === 0) return `Pick at most ${RANGE_LIMITS.maxMonths} months.`;
  return null;
}

/** "8 Nov – 7 Dec 2026": short, for headings and file names' readers. */
export function formatRange(range: DayRange): string {
  const fmt = (day: string, year: boolean) =>
    new Date(dayStartMs(day)).toLocaleDateString(undefined, {
      day: 'numeric',
      month: 'short',
      ...(year ? { year: 'numeric' } : {}),
      timeZone: 'UTC',
    });
  if (range.from === range.to) return fmt(range.to, true);
  return `${fmt(range.from, range.from.slice(0, 4) !== range.to.slice(0, 4))} – ${fmt(range.to, true)}`;
}
