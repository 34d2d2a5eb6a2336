import { describe, expect, it } from 'vitest';
import { addDays, formatDay, parseDay } from './days.js';
import { segmentsOf } from './segments.js';

const day = (value: string) => parseDay(value)!;
const format = (segments: ReturnType<typeof segmentsOf>) => ({
  months: segments.months.map(formatDay),
  weeks: segments.weeks.map(formatDay),
  days: segments.days.map(formatDay),
});

/** Every day the segments cover, once each. */
function coveredDays(segments: ReturnType<typeof segmentsOf>): string[] {
  const days: string[] = [];
  for (const month of segments.months) {
    for (let d = month; d.getUTCMonth() === month.getUTCMonth(); d = addDays(d, 1)) days.push(formatDay(d));
  }
  for (const week of segments.weeks) for (let i = 0; i < 7; i += 1) days.push(formatDay(addDays(week, i)));
  days.push(...segments.days.map(formatDay));
  return days.sort();
}

describe('range segments', () => {
  it('use whole months, then whole weeks inside partial months, then days', () => {
    // 2026-03-04 is a Wednesday; March 9 and 16 are Mondays; April is whole.
    expect(format(segmentsOf(day('2026-03-04'), day('2026-05-02')))).toEqual({
      months: ['2026-04-01'],
      weeks: ['2026-03-09', '2026-03-16', '2026-03-23'],
      days: [
        '2026-03-04',
        '2026-03-05',
        '2026-03-06',
        '2026-03-07',
        '2026-03-08',
        '2026-03-30',
        '2026-03-31',
        '2026-05-01',
        '2026-05-02',
      ],
    });
  });

  it('cover every day of any range exactly once', () => {
    const start = day('2024-12-20');
    for (let offset = 0; offset < 60; offset += 7) {
      for (const length of [1, 6, 7, 31, 45, 200, 366]) {
        const from = addDays(start, offset);
        const to = addDays(from, length - 1);
        const expected = Array.from({ length }, (_, i) => formatDay(addDays(from, i)));
        expect(coveredDays(segmentsOf(from, to))).toEqual(expected);
      }
    }
  });
});
