/**
 * CSV of what the analytics views show, built in the renderer (it has the figures on screen)
 * and written to disk by core. RFC 4180: CRLF, fields quoted when they hold a comma, a quote or
 * a line break. Text from users (track titles, room names) that starts like a formula is
 * prefixed with an apostrophe, so a spreadsheet shows it instead of running it.
 */
import type { AnalyticsDashboardView, ArtistStatsView, DayRange, TopList } from '../../../common/contract.js';
import { filledDays, metricTitle, roundTo } from './series.js';

export type CsvCell = string | number;

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvField(value: CsvCell): string {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  return [header, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** The history charts as one table: a row per bucket, a column per chart. */
export function historyCsv(view: AnalyticsDashboardView): string {
  const header = ['period_start', ...view.history.map((h) => metricTitle(h.metric, h.bucket))];
  const starts = view.history[0]?.points.map((p) => p.start) ?? [];
  const rows = starts.map((start, i) => [start, ...view.history.map((h) => h.points[i]?.value ?? 0)]);
  return toCsv(header, rows);
}

export function topCsv(list: TopList): string {
  const what = list.kind === 'tracks' ? 'plays' : 'messages';
  return toCsv(
    ['rank', list.kind === 'tracks' ? 'track' : 'room', what, 'id'],
    list.items.map((item, i) => [i + 1, item.name, item.value, item.id]),
  );
}

export function artistDaysCsv(view: ArtistStatsView): string {
  return toCsv(
    ['day', 'plays', 'listeners', 'listening_hours'],
    filledDays(view.stats, view.range).map((d) => [d.day, d.plays, d.listeners, roundTo(d.listeningSeconds / 3600, 3)]),
  );
}

export function artistTracksCsv(view: ArtistStatsView): string {
  return toCsv(
    ['track', 'plays', 'listeners', 'listening_hours', 'track_id'],
    view.stats.perTrack.map((t) => [t.title, t.plays, t.listeners, roundTo(t.listeningSeconds / 3600, 3), t.trackId]),
  );
}

/** "veza-plays-per-day-2026-11-08-to-2026-12-07.csv": what, and over which days. */
export function exportFileName(what: string, range: DayRange): string {
  const slug = what
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  return `veza-${slug || 'export'}-${range.from}-to-${range.to}.csv`;
}
