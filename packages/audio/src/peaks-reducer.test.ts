import { describe, expect, it } from 'vitest';
import { PeakReducer, reducePeaks } from './peaks-reducer.js';

describe('reducePeaks', () => {
  it('takes min and max per point and normalises by the absolute maximum', () => {
    const reduced = reducePeaks(
      [
        [0, 1000, -500, 250],
        [-2000, 100],
      ],
      2,
    );
    expect(reduced).toEqual({ length: 3, sampleCount: 6, data: [0, 0.5, -0.25, 0.125, -1, 0.05] });
  });

  it('gives the same answer however the stream is chunked', () => {
    const samples = Array.from({ length: 1000 }, (_, i) => Math.round(Math.sin(i / 7) * 3000 + Math.cos(i / 3) * 900));
    const whole = reducePeaks([samples], 64);
    const pieces = [samples.slice(0, 1), samples.slice(1, 100), samples.slice(100, 101), samples.slice(101)];
    expect(reducePeaks(pieces, 64)).toEqual(whole);
    expect(whole.length).toBe(Math.ceil(1000 / 64));
  });

  it('keeps a partial last point', () => {
    expect(reducePeaks([[1, 2, 3, 4, 5]], 2).length).toBe(3);
  });

  it('maps silence to zeros, never NaN or -0', () => {
    const reduced = reducePeaks([new Int16Array(10)], 4);
    expect(reduced.data).toEqual([0, 0, 0, 0, 0, 0]);
    expect(reduced.data.every((value) => Object.is(value, 0))).toBe(true);
  });

  it('rounds to three decimals and stays within [-1, 1]', () => {
    const reduced = reducePeaks([[-32768, 32767, 12345, -1]], 1);
    expect(reduced.data).toEqual([-1, -1, 1, 1, 0.377, 0.377, -0, -0].map((value) => value + 0));
    expect(reduced.data.every((value) => value >= -1 && value <= 1)).toBe(true);
  });

  it('handles an empty stream', () => {
    expect(reducePeaks([], 10)).toEqual({ length: 0, sampleCount: 0, data: [] });
  });

  it('rejects a non-integer point size', () => {
    expect(() => new PeakReducer(0)).toThrow(RangeError);
    expect(() => new PeakReducer(1.5)).toThrow(RangeError);
  });
});
