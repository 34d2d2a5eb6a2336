import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseByteRange } from './byte-range.js';

describe('parseByteRange', () => {
  it('gives no range when there is no header', () => {
    expect(parseByteRange(undefined, 100)).toBeNull();
  });

  it.each([
    ['bytes=0-99', 1000, { start: 0, end: 99 }],
    ['bytes=0-0', 1000, { start: 0, end: 0 }],
    ['bytes=10-19', 1000, { start: 10, end: 19 }],
    ['bytes=999-999', 1000, { start: 999, end: 999 }],
    ['bytes=0-999', 1000, { start: 0, end: 999 }],
    ['  bytes=5-6  ', 1000, { start: 5, end: 6 }],
    ['bytes=007-010', 1000, { start: 7, end: 10 }],
  ])('reads a closed range %j of %i bytes', (header, size, expected) => {
    expect(parseByteRange(header, size)).toEqual(expected);
  });

  it.each([
    ['bytes=0-', 1000, { start: 0, end: 999 }],
    ['bytes=500-', 1000, { start: 500, end: 999 }],
    ['bytes=999-', 1000, { start: 999, end: 999 }],
  ])('reads an open-ended range %j as up to the last byte', (header, size, expected) => {
    expect(parseByteRange(header, size)).toEqual(expected);
  });

  it.each([
    ['bytes=-1', 1000, { start: 999, end: 999 }],
    ['bytes=-100', 1000, { start: 900, end: 999 }],
    ['bytes=-1000', 1000, { start: 0, end: 999 }],
    ['bytes=-5000', 1000, { start: 0, end: 999 }],
    ['bytes=-99999999999999999999', 10, { start: 0, end: 9 }],
  ])('reads a suffix range %j as the last bytes, at most the whole file', (header, size, expected) => {
    expect(parseByteRange(header, size)).toEqual(expected);
  });

  it.each([
    ['bytes=0-5000', 1000, { start: 0, end: 999 }],
    ['bytes=998-1000', 1000, { start: 998, end: 999 }],
    ['bytes=0-99999999999999999999', 10, { start: 0, end: 9 }],
  ])('clamps a range ending past the end %j', (header, size, expected) => {
    expect(parseByteRange(header, size)).toEqual(expected);
  });

  it.each([
    ['bytes=1000-', 1000],
    ['bytes=1000-1000', 1000],
    ['bytes=5000-6000', 1000],
    ['bytes=99999999999999999999-', 1000],
    ['bytes=20-10', 1000],
    ['bytes=-0', 1000],
    ['bytes=-000', 1000],
  ])('%j of %i bytes is unsatisfiable', (header, size) => {
    expect(parseByteRange(header, size)).toBe('unsatisfiable');
  });

  it.each(['bytes=0-', 'bytes=0-0', 'bytes=-1', 'bytes=-0', 'bytes=5-10'])(
    'every range of an empty file is unsatisfiable: %j',
    (header) => {
      expect(parseByteRange(header, 0)).toBe('unsatisfiable');
    },
  );

  it.each([
    '',
    'bytes',
    'bytes=',
    'bytes=-',
    'bytes=a-b',
    'bytes=1-b',
    'bytes=0x10-0x20',
    'bytes=1.5-2',
    'bytes=+1-2',
    'bytes=-1-2',
    'bytes=1--2',
    'bytes=1-2-3',
    'bytes= 0-1',
    'bytes=0 -1',
    'items=0-1',
    'bits=0-1',
    '0-1',
    'bytes:0-1',
    'bytes=\u0661-\u0662',
  ])('ignores the malformed header %j', (header) => {
    expect(parseByteRange(header, 1000)).toBeNull();
  });

  it.each(['bytes=0-1,5-6', 'bytes=0-1, 5-6', 'bytes=-5,0-1', 'bytes=0-,0-'])(
    'serves the whole body for the multi-range %j',
    (header) => {
      expect(parseByteRange(header, 1000)).toBeNull();
    },
  );

  it('always gives bounds inside the file, or unsatisfiable, or nothing', () => {
    const digits = fc.oneof(fc.constant(''), fc.nat({ max: 3_000 }).map(String), fc.stringMatching(/^\d{1,25}$/));
    const header = fc.oneof(
      fc.tuple(digits, digits).map(([first, last]) => `bytes=${first}-${last}`),
      fc.string().map((text) => `bytes=${text}`),
      fc.string(),
    );
    fc.assert(
      fc.property(header, fc.nat({ max: 2_000 }), (text, size) => {
        const range = parseByteRange(text, size);
        if (range === null || range === 'unsatisfiable') return;
        expect(Number.isSafeInteger(range.start)).toBe(true);
        expect(Number.isSafeInteger(range.end)).toBe(true);
        expect(range.start).toBeGreaterThanOrEqual(0);
        expect(range.start).toBeLessThanOrEqual(range.end);
        expect(range.end).toBeLessThan(size);
      }),
      { numRuns: 3_000 },
    );
  });

  it('a satisfiable first-last range gives exactly what was asked, cut at the end of the file', () => {
    fc.assert(
      fc.property(fc.nat({ max: 5_000 }), fc.nat({ max: 5_000 }), fc.nat({ max: 5_000 }), (size, a, b) => {
        const [first, last] = a <= b ? [a, b] : [b, a];
        const range = parseByteRange(`bytes=${first}-${last}`, size);
        if (first >= size) expect(range).toBe('unsatisfiable');
        else expect(range).toEqual({ start: first, end: Math.min(last, size - 1) });
      }),
    );
  });
});
