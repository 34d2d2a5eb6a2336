/**
 * From the server's figures to what the charts draw: x in seconds (uPlot's time scale), one
 * array per line, every day of the range present (a day without plays is a zero, not a gap).
 * Pure: no DOM.
 */
import type { AnalyticsBucket, AnalyticsMetric, ArtistStats, DayRange, History } from '../../../common/contract.js';
import { addDays, dayStartMs, daysIn } from './ranges.js';

export interface ChartLine {
  label: string;
  values: number[];
}

export interface ChartData {
  /** Bucket starts, seconds since the epoch (00:00 UTC). */
  x: number[];
  lines: ChartLine[];
}

/** Every metric the dashboard draws, in its order (ANALYTICS_METRICS; series.test.ts checks it). */
export const DASHBOARD_METRICS: readonly AnalyticsMetric[] = [
  'active_users',
  'messages',
  'plays',
  'listening_hours',
  'new_accounts',
  'moderation_actions',
];

const ACTIVE_TITLE: Record<AnalyticsBucket, string> = {
  day: 'Daily active users',
  week: 'Weekly active users',
  month: 'Monthly active users',
};

/** A chart's title; active users are counted per bucket, so the title says which. */
export function metricTitle(metric: AnalyticsMetric, bucket: AnalyticsBucket): string {
  switch (metric) {
    case 'active_users':
      return ACTIVE_TITLE[bucket];
    case 'messages':
      return 'Messages';
    case 'plays':
      return 'Plays';
    case 'listening_hours':
      return 'Listening hours';
    case 'new_accounts':
      return 'New accounts';
    case 'moderation_actions':
      return 'Moderation actions';
  }
}

export const daySeconds = (day: string): number => dayStartMs(day) / 1000;

export function historyChart(history: History): ChartData {
  return {
    x: history.points.map((p) => daySeconds(p.start)),
    lines: [{ label: metricTitle(history.metric, history.bucket), values: history.points.map((p) => p.value) }],
  };
}

/**
 * The figure a chart's heading shows. Sums for counts; active users are not additive (the same
 * person is active on many days), so their heading shows the latest bucket instead.
 */
export function headline(history: History): { value: number; caption: string } {
  if (history.metric === 'active_users') {
    return { value: history.points.at(-1)?.value ?? 0, caption: 'latest' };
  }
  return { value: history.points.reduce((sum, p) => sum + p.value, 0), caption: 'total' };
}

type ArtistDay = ArtistStats['perDay'][number];

/** One row per day of the range, zeros where the server listed nothing, in day order. */
export function filledDays(stats: ArtistStats, range: DayRange): ArtistDay[] {
  const byDay = new Map(stats.perDay.map((d) => [d.day, d]));
  const days = Math.max(0, daysIn(range));
  const out: ArtistDay[] = [];
  for (let i = 0; i < days; i += 1) {
    const day = addDays(range.from, i);
    out.push(byDay.get(day) ?? { day, plays: 0, listeners: 0, listeningSeconds: 0 });
  }
  return out;
}

export function artistPlaysChart(days: readonly ArtistDay[]): ChartData {
  return {
    x: days.map((d) => daySeconds(d.day)),
    lines: [
      { label: 'Plays', values: days.map((d) => d.plays) },
      { label: 'Listeners', values: days.map((d) => d.listeners) },
    ],
  };
}

export function artistListeningChart(days: readonly ArtistDay[]): ChartData {
  return {
    x: days.map((d) => daySeconds(d.day)),
    // Minutes: a new artist's hours per day are fractions too small to read on an axis.
    lines: [{ label: 'Listening minutes', values: days.map((d) => roundTo(d.listeningSeconds / 60, 2)) }],
  };
}

export function roundTo(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** 5400 → "1 h 30 min"; 42 → "42 s". */
export function formatListening(seconds: number): string {
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

const whole = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
const small = new Intl.NumberFormat(undefined, { maximumSignificantDigits: 2 });
/** 1234 → "1,234"; small fractions keep two significant digits (0.0033 → "0.0033", not "0"). */
export function formatFigure(value: number): string {
  return Number.isInteger(value) || Math.abs(value) >= 10 ? whole.format(value) : small.format(value);
}

/** A chart heading's figure: listening hours read better as a duration ("12 s", "3 h 20 min"). */
export function formatHeadline(metric: AnalyticsMetric, value: number): string {
  return metric === 'listening_hours' ? formatListening(value * 3600) : formatFigure(value);
}
