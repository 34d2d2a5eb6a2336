import { ANALYTICS_LIMITS, ANALYTICS_METRICS, type ArtistStats, type History } from '@veza/shared';
import { describe, expect, it } from 'vitest';
import type { AnalyticsDashboardView, ArtistStatsView } from '../../../common/contract.js';
import { artistDaysCsv, artistTracksCsv, csvField, exportFileName, historyCsv, topCsv, toCsv } from './csv.js';
import {
  addDays,
  allowedBuckets,
  customRangeProblem,
  dayStartMs,
  daysIn,
  defaultBucket,
  presetRange,
  RANGE_LIMITS,
  selectedRange,
} from './ranges.js';
import {
  artistListeningChart,
  artistPlaysChart,
  DASHBOARD_METRICS,
  filledDays,
  formatFigure,
  formatHeadline,
  formatListening,
  headline,
  historyChart,
  metricTitle,
} from './series.js';

const TODAY = new Date('2026-12-07T22:30:00Z');
const T1 = '0190f5a2-7c1e-7000-8000-000000000001';
const T2 = '0190f5a2-7c1e-7000-8000-000000000002';

describe('ranges → queries', () => {
  it('mirrors the server limits and metric order', () => {
    expect(RANGE_LIMITS).toEqual({
      maxDays: ANALYTICS_LIMITS.maxDays,
      maxWeeks: ANALYTICS_LIMITS.maxWeeks,
      maxMonths: ANALYTICS_LIMITS.maxMonths,
    });
    expect(DASHBOARD_METRICS).toEqual(ANALYTICS_METRICS);
  });

  it('counts presets back from today in UTC, today included', () => {
    expect(presetRange('7d', TODAY)).toEqual({ from: '2026-12-01', to: '2026-12-07' });
    expect(presetRange('30d', TODAY)).toEqual({ from: '2026-11-08', to: '2026-12-07' });
    expect(daysIn(presetRange('90d', TODAY))).toBe(90);
    expect(daysIn(presetRange('1y', TODAY))).toBe(365);
    // Late evening west of Greenwich is already tomorrow in UTC: the rollups' day, not the clock's.
    expect(presetRange('7d', new Date('2026-12-31T23:30:00-05:00')).to).toBe('2027-01-01');
    const custom = { from: '2026-01-01', to: '2026-01-31' };
    expect(selectedRange({ preset: 'custom', custom }, TODAY)).toBe(custom);
    expect(selectedRange({ preset: '7d', custom }, TODAY).to).toBe('2026-12-07');
  });

  it('handles month ends, leap days and impossible dates', () => {
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2027-02-28', 1)).toBe('2027-03-01');
    expect(daysIn({ from: '2026-12-07', to: '2026-12-07' })).toBe(1);
    expect(dayStartMs('2026-02-31')).toBeNaN();
    expect(dayStartMs('2026-13-01')).toBeNaN();
    expect(dayStartMs('yesterday')).toBeNaN();
  });

  it('offers only the buckets the server accepts, and picks a readable one', () => {
    const week = presetRange('7d', TODAY);
    expect(allowedBuckets(week)).toEqual(['day', 'week', 'month']);
    expect(defaultBucket(week)).toBe('day');
    expect(defaultBucket(presetRange('1y', TODAY))).toBe('week');
    const twoYears = { from: '2024-12-08', to: '2026-12-07' };
    expect(allowedBuckets(twoYears)).toEqual(['week', 'month']);
    expect(defaultBucket(twoYears)).toBe('week');
    const sixYears = { from: '2020-12-08', to: '2026-12-07' };
    expect(allowedBuckets(sixYears)).toEqual(['month']);
    expect(defaultBucket(sixYears)).toBe('month');
    expect(allowedBuckets({ from: '2000-01-01', to: '2026-12-07' })).toEqual([]);
  });

  it('names what is wrong with a custom range before any request', () => {
    expect(customRangeProblem({ from: '2026-11-01', to: '2026-11-30' }, TODAY)).toBeNull();
    expect(customRangeProblem({ from: '', to: '2026-11-30' }, TODAY)).toBe('Pick a start and an end date.');
    expect(customRangeProblem({ from: '2026-02-30', to: '2026-03-01' }, TODAY)).toBe('Pick a start and an end date.');
    expect(customRangeProblem({ from: '2026-11-30', to: '2026-11-01' }, TODAY)).toBe(
      'The range ends before it starts.',
    );
    expect(customRangeProblem({ from: '2027-01-01', to: '2027-01-02' }, TODAY)).toBe('The range starts in the future.');
    expect(customRangeProblem({ from: '1990-01-01', to: '2026-12-07' }, TODAY)).toBe('Pick at most 120 months.');
    // An artist's figures are per day: no coarser bucket to fall back on.
    expect(customRangeProblem({ from: '2024-01-01', to: '2026-12-07' }, TODAY, 366)).toBe('Pick at most 366 days.');
  });
});

const history = (metric: History['metric'], values: number[]): History => ({
  metric,
  bucket: 'day',
  points: values.map((value, i) => ({ start: addDays('2026-12-01', i), value })),
});

describe('series building', () => {
  it('turns a history into seconds at 00:00 UTC and one line', () => {
    const chart = historyChart(history('plays', [3, 0, 5]));
    expect(chart.x).toEqual([Date.UTC(2026, 11, 1) / 1000, Date.UTC(2026, 11, 2) / 1000, Date.UTC(2026, 11, 3) / 1000]);
    expect(chart.lines).toEqual([{ label: 'Plays', values: [3, 0, 5] }]);
    expect(metricTitle('active_users', 'week')).toBe('Weekly active users');
    expect(metricTitle('active_users', 'month')).toBe('Monthly active users');
  });

  it('sums counts but never active users, which are not additive', () => {
    expect(headline(history('messages', [3, 4, 5]))).toEqual({ value: 12, caption: 'total' });
    expect(headline(history('active_users', [3, 4, 2]))).toEqual({ value: 2, caption: 'latest' });
    expect(headline(history('active_users', []))).toEqual({ value: 0, caption: 'latest' });
  });

  it("fills an artist's missing days with zeros, in day order", () => {
    const stats: ArtistStats = {
      totals: { plays: 3, listeners: 2, listeningSeconds: 5400 },
      perTrack: [],
      perDay: [
        { day: '2026-12-04', plays: 1, listeners: 1, listeningSeconds: 1800 },
        { day: '2026-12-02', plays: 2, listeners: 2, listeningSeconds: 3600 },
      ],
    };
    const days = filledDays(stats, { from: '2026-12-01', to: '2026-12-05' });
    expect(days.map((d) => [d.day, d.plays])).toEqual([
      ['2026-12-01', 0],
      ['2026-12-02', 2],
      ['2026-12-03', 0],
      ['2026-12-04', 1],
      ['2026-12-05', 0],
    ]);
    expect(artistPlaysChart(days).lines.map((l) => l.label)).toEqual(['Plays', 'Listeners']);
    expect(artistListeningChart(days).lines[0]!.values).toEqual([0, 60, 0, 30, 0]);
    expect(formatListening(42)).toBe('42 s');
    expect(formatListening(5400)).toBe('1 h 30 min');
    expect(formatListening(7200)).toBe('2 h');
    expect(formatFigure(0.00333)).toBe('0.0033');
    expect(formatFigure(1234)).toBe((1234).toLocaleString());
    expect(formatHeadline('listening_hours', 12 / 3600)).toBe('12 s');
    expect(formatHeadline('plays', 3)).toBe('3');
  });
});

describe('CSV', () => {
  it('quotes what needs quoting and defuses formulas', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('=HYPERLINK("http://evil")')).toBe('"\'=HYPERLINK(""http://evil"")"');
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField(-3)).toBe('-3');
    expect(csvField(Number.NaN)).toBe('');
    expect(toCsv(['a', 'b'], [[1, 'x']])).toBe('a,b\r\n1,x\r\n');
  });

  it('exports the dashboard as shown: a row per bucket, a column per chart, and the top lists', () => {
    const view: AnalyticsDashboardView = {
      asOf: '2026-12-07T22:00:00.000Z',
      fromCache: false,
      range: { from: '2026-12-01', to: '2026-12-02' },
      bucket: 'day',
      history: DASHBOARD_METRICS.map((metric, m) => history(metric, [m, m * 10])),
      topTracks: { kind: 'tracks', items: [{ id: T1, name: 'Halo, live', value: 9 }] },
      topRooms: { kind: 'rooms', items: [{ id: T2, name: '-lobby', value: 4 }] },
    };
    expect(historyCsv(view).split('\r\n')).toEqual([
      'period_start,Daily active users,Messages,Plays,Listening hours,New accounts,Moderation actions',
      '2026-12-01,0,1,2,3,4,5',
      '2026-12-02,0,10,20,30,40,50',
      '',
    ]);
    expect(topCsv(view.topTracks)).toBe(`rank,track,plays,id\r\n1,"Halo, live",9,${T1}\r\n`);
    expect(topCsv(view.topRooms)).toBe(`rank,room,messages,id\r\n1,'-lobby,4,${T2}\r\n`);
  });

  it("exports an artist's days (zeros included) and tracks", () => {
    const view: ArtistStatsView = {
      asOf: '2026-12-07T22:00:00.000Z',
      fromCache: true,
      range: { from: '2026-12-01', to: '2026-12-02' },
      stats: {
        totals: { plays: 2, listeners: 1, listeningSeconds: 90 },
        perTrack: [{ trackId: T1, title: 'Tone', plays: 2, listeners: 1, listeningSeconds: 90 }],
        perDay: [{ day: '2026-12-02', plays: 2, listeners: 1, listeningSeconds: 90 }],
      },
    };
    expect(artistDaysCsv(view)).toBe(
      'day,plays,listeners,listening_hours\r\n2026-12-01,0,0,0\r\n2026-12-02,2,1,0.025\r\n',
    );
    expect(artistTracksCsv(view)).toBe(`track,plays,listeners,listening_hours,track_id\r\nTone,2,1,0.025,${T1}\r\n`);
  });

  it('names files after what and when, with nothing a file system would mind', () => {
    const range = { from: '2026-11-08', to: '2026-12-07' };
    expect(exportFileName('Plays per day', range)).toBe('veza-plays-per-day-2026-11-08-to-2026-12-07.csv');
    expect(exportFileName('../../etc/passwd', range)).toBe('veza-etc-passwd-2026-11-08-to-2026-12-07.csv');
    expect(exportFileName('', range)).toBe('veza-export-2026-11-08-to-2026-12-07.csv');
    // What the contract accepts (a bare name, .csv).
    expect(exportFileName('Top tracks', range)).toMatch(/^[A-Za-z0-9][A-Za-z0-9._ -]{0,99}\.csv$/);
  });
});
