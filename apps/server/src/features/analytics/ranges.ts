import { ANALYTICS_LIMITS, type AnalyticsBucket } from '@veza/shared';
import { AppError } from '../../infra/errors.js';
import { bucketStart, bucketStarts, daysBetween, nextBucket, parseDay } from './days.js';

/** A validated range: whole buckets covering the days asked for. */
export interface BucketedRange {
  bucket: AnalyticsBucket;
  /** First day of the first bucket. */
  from: Date;
  /** Last day of the last bucket (inclusive). */
  to: Date;
  starts: Date[];
}

const MAX_BUCKETS: Record<AnalyticsBucket, number> = {
  day: ANALYTICS_LIMITS.maxDays,
  week: ANALYTICS_LIMITS.maxWeeks,
  month: ANALYTICS_LIMITS.maxMonths,
};

function day(value: string, name: string): Date {
  const at = parseDay(value);
  if (!at) throw new AppError(400, 'VALIDATION_FAILED', `"${name}" is not a calendar day: ${value}.`);
  return at;
}

/**
 * The range of a query, widened to whole buckets (a week starts on a Monday, a month on its 1st:
 * points of different ranges are comparable, and weekly actives are those of the whole week).
 * A range longer than the bucket's limit is refused before anything is read.
 */
export function bucketedRange(fromDay: string, toDay: string, bucket: AnalyticsBucket): BucketedRange {
  const from = day(fromDay, 'from');
  const to = day(toDay, 'to');
  if (from > to) throw new AppError(400, 'VALIDATION_FAILED', '"from" must not be after "to".');
  const first = bucketStart(from, bucket);
  const count = bucketCount(first, bucketStart(to, bucket), bucket);
  if (count > MAX_BUCKETS[bucket]) {
    throw new AppError(
      400,
      'RANGE_TOO_LARGE',
      `At most ${MAX_BUCKETS[bucket]} ${bucket}s per request; this range has ${count}. Ask for a shorter range or a larger bucket.`,
    );
  }
  const starts = bucketStarts(first, to, bucket);
  const last = starts[starts.length - 1]!;
  return { bucket, from: first, to: new Date(nextBucket(last, bucket).getTime() - 24 * 60 * 60 * 1000), starts };
}

/** A range of days as asked (top lists, artist figures), at most ANALYTICS_LIMITS.maxDays long. */
export function dayRange(fromDay: string, toDay: string): { from: Date; to: Date; days: number } {
  const range = bucketedRange(fromDay, toDay, 'day');
  return { from: range.from, to: range.to, days: range.starts.length };
}

function bucketCount(firstStart: Date, lastStart: Date, bucket: AnalyticsBucket): number {
  if (bucket === 'month') {
    return (
      (lastStart.getUTCFullYear() - firstStart.getUTCFullYear()) * 12 +
      lastStart.getUTCMonth() -
      firstStart.getUTCMonth() +
      1
    );
  }
  const days = daysBetween(firstStart, lastStart);
  return bucket === 'week' ? (days - 1) / 7 + 1 : days;
}
