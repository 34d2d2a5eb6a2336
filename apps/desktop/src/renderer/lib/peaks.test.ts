import { describe, expect, it } from 'vitest';
import { hlsLevelFor, linearGain, peaksDurationSeconds, toWavesurferPeaks } from './peaks.js';

describe('toWavesurferPeaks', () => {
  it('splits interleaved min,max pairs into [max, min] channels', () => {
    const [max, min] = toWavesurferPeaks({
      version: 1,
      samplesPerSecond: 10,
      length: 3,
      durationMs: 300,
      data: [-0.5, 0.5, -0.25, 0.75, -1, 1],
    });
    expect(Array.from(max)).toEqual([0.5, 0.75, 1]);
    expect(Array.from(min)).toEqual([-0.5, -0.25, -1]);
  });

  it('ignores a trailing half pair and a length beyond the data', () => {
    const [max] = toWavesurferPeaks({
      version: 1,
      samplesPerSecond: 1,
      length: 9,
      durationMs: 1,
      data: [-0.5, 0.5, 0.1],
    });
    expect(max.length).toBe(1);
  });

  it('gives a flat line without peaks', () => {
    const [max, min] = toWavesurferPeaks(null, 10);
    expect(max.length).toBe(10);
    expect(min.length).toBe(10);
  });
});

describe('peaksDurationSeconds', () => {
  it('prefers the peaks duration, then the track, never zero', () => {
    expect(peaksDurationSeconds({ version: 1, samplesPerSecond: 1, length: 0, durationMs: 2000, data: [] }, 5000)).toBe(
      2,
    );
    expect(peaksDurationSeconds(null, 5000)).toBe(5);
    expect(peaksDurationSeconds(null, 0)).toBeGreaterThan(0);
  });
});

describe('linearGain', () => {
  it('converts dB and scales by volume', () => {
    expect(linearGain(0, 1)).toBe(1);
    expect(linearGain(-6, 1)).toBeCloseTo(0.501, 3);
    expect(linearGain(6, 0.5)).toBeCloseTo(0.998, 3);
    expect(linearGain(Number.NaN, 2)).toBe(1);
  });
});

describe('hlsLevelFor', () => {
  const levels = [64_000, 128_000, 256_000];
  it('maps qualities to the nearest rendition, auto to -1', () => {
    expect(hlsLevelFor('auto', levels)).toBe(-1);
    expect(hlsLevelFor('64k', levels)).toBe(0);
    expect(hlsLevelFor('128k', levels)).toBe(1);
    expect(hlsLevelFor('256k', [256_000, 64_000])).toBe(0);
    expect(hlsLevelFor('256k', [])).toBe(-1);
    expect(hlsLevelFor('128k', [70_000, 135_000, 270_000])).toBe(1);
  });
});
