import type { AnalyticsBucket } from '@veza/shared';

/*
 * Calendar arithmetic on UTC days (`YYYY-MM-DD`), the unit of every rollup. Weeks are ISO weeks
 * (Monday first), as PostgreSQL's date_trunc('week') makes them; months are calendar months.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

/** A `YYYY-MM-DD` as a UTC midnight; null when it is not a real date (2026-02-30). */
export function parseDay(day: string): Date | null {
  const at = new Date(`${day}T00:00:00Z`);
  return Number.isNaN(at.getTime()) || formatDay(at) !== day ? null : at;
}

export const formatDay = (at: Date): string => at.toISOString().slice(0, 10);

export const addDays = (at: Date, days: number): Date => new Date(at.getTime() + days * DAY_MS);

/** Days from `from` to `to`, both included. */
export const daysBetween = (from: Date, to: Date): number => Math.round((to.getTime() - from.getTime()) / DAY_MS) + 1;

/** The first day of the bucket holding `at`. */
export function bucketStart(at: Date, bucket: AnalyticsBucket): Date {
  if (bucket === 'day') return at;
  if (bucket === 'week') return addDays(at, -((at.getUTCDay() + 6) % 7));
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
}

/** The first day of the bucket after the one starting at `start`. */
export function nextBucket(start: Date, bucket: AnalyticsBucket): Date {
  if (bucket === 'day') return addDays(start, 1);
  if (bucket === 'week') return addDays(start, 7);
  return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
}

/** The first day of every bucket touching [from, to], in order. */
export function bucketStarts(from: Date, to: Date, bucket: AnalyticsBucket): Date[] {
  const starts: Date[] = [];
  for (let start = bucketStart(from, bucket); start <= to; start = nextBucket(start, bucket)) starts.push(start);
  return starts;
}
