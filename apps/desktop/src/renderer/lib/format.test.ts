import { describe, expect, it } from 'vitest';
import { buildTimeline, formatBytes, formatClock, formatDayLabel, GROUP_WINDOW_MS } from './format.js';

describe('formatClock', () => {
  it('formats m:ss and h:mm:ss', () => {
    expect(formatClock(0)).toBe('0:00');
    expect(formatClock(5.9)).toBe('0:05');
    expect(formatClock(65)).toBe('1:05');
    expect(formatClock(3600 + 62)).toBe('1:01:02');
    expect(formatClock(Number.NaN)).toBe('0:00');
    expect(formatClock(Infinity)).toBe('0:00');
  });
});

describe('formatBytes', () => {
  it('uses binary units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(10 * 1024 ** 3)).toBe('10 GB');
  });
});

describe('formatDayLabel', () => {
  const now = new Date(2025, 5, 15, 12, 0, 0);
  it('says Today and Yesterday', () => {
    expect(formatDayLabel(new Date(2025, 5, 15, 8).toISOString(), now)).toBe('Today');
    expect(formatDayLabel(new Date(2025, 5, 14, 23).toISOString(), now)).toBe('Yesterday');
    expect(formatDayLabel(new Date(2025, 5, 10, 23).toISOString(), now)).not.toMatch(/Today|Yesterday/);
  });
});

describe('buildTimeline', () => {
  const base = new Date(2025, 5, 15, 10, 0, 0).getTime();
  const msg = (
    id: string,
    author: string,
    offsetMs: number,
    extra: Partial<{ deletedAt: string; replyTo: object }> = {},
  ) => ({
    clientId: id,
    authorId: author,
    createdAt: new Date(base + offsetMs).toISOString(),
    deletedAt: extra.deletedAt ?? null,
    replyTo: extra.replyTo ?? null,
  });

  it('inserts day separators and groups consecutive messages by author', () => {
    const rows = buildTimeline(
      [
        msg('1', 'ada', -86_400_000),
        msg('2', 'ada', 0),
        msg('3', 'ada', 60_000),
        msg('4', 'bob', 120_000),
        msg('5', 'bob', 120_000 + GROUP_WINDOW_MS + 1),
        msg('6', 'bob', 120_000 + GROUP_WINDOW_MS + 2, { replyTo: {} }),
      ],
      new Date(base),
    );
    expect(rows.map((r) => (r.kind === 'day' ? `day:${r.label}` : `${r.key}${r.showHeader ? '+' : ''}`))).toEqual([
      'day:Yesterday',
      '1+',
      'day:Today',
      '2+',
      '3',
      '4+',
      '5+',
      '6+',
    ]);
  });

  it('returns nothing for no messages', () => {
    expect(buildTimeline([])).toEqual([]);
  });
});
