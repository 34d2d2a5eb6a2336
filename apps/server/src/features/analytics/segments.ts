import { addDays, bucketStart, nextBucket } from './days.js';

/**
 * A range of days cut into the coarsest rollup rows that cover it exactly: whole calendar months,
 * then whole ISO weeks inside the partial months at the edges, then the days left over. A top
 * list over a year then adds up about 12 + 8 + 12 rows per track instead of 365.
 */
export interface Segments {
  months: Date[];
  weeks: Date[];
  days: Date[];
}

export function segmentsOf(from: Date, to: Date): Segments {
  const segments: Segments = { months: [], weeks: [], days: [] };
  for (let month = bucketStart(from, 'month'); month <= to; month = nextBucket(month, 'month')) {
    const monthEnd = addDays(nextBucket(month, 'month'), -1);
    const first = month < from ? from : month;
    const last = monthEnd > to ? to : monthEnd;
    if (first.getTime() === month.getTime() && last.getTime() === monthEnd.getTime()) {
      segments.months.push(month);
      continue;
    }
    // A partial month: weeks that lie wholly inside [first, last], days for the rest.
    let day = first;
    while (day <= last) {
      const week = bucketStart(day, 'week');
      const weekEnd = addDays(week, 6);
      if (week.getTime() === day.getTime() && weekEnd <= last) {
        segments.weeks.push(week);
        day = addDays(week, 7);
      } else {
        segments.days.push(day);
        day = addDays(day, 1);
      }
    }
  }
  return segments;
}
