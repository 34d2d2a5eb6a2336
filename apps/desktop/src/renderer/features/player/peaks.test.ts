import { describe, expect, it } from 'vitest';
import { barSlots, hlsLevelFor, linearGain, peaksDurationSeconds, resamplePeaks, toWavesurferPeaks } from './peaks.js';

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

  it('stretches too few peaks to the bar slots, keeping the shape', () => {
    const [max, min] = toWavesurferPeaks(
      { version: 1, samplesPerSecond: 1, length: 3, durationMs: 3000, data: [-0.5, 0.5, -1, 1, -0.5, 0.5] },
      200,
      5,
    );
    expect(Array.from(max)).toEqual([0.5, 0.75, 1, 0.75, 0.5]);
    expect(Array.from(min)).toEqual([-0.5, -0.75, -1, -0.75, -0.5]);
  });

  it('leaves enough peaks alone', () => {
    const peaks = {
      version: 1 as const,
      samplesPerSecond: 1,
      length: 3,
      durationMs: 3000,
      data: [-0.5, 0.5, -1, 1, -0.5, 0.5],
    };
    expect(toWavesurferPeaks(peaks, 200, 3)[0].length).toBe(3);
    expect(toWavesurferPeaks(peaks, 200, 2)[0].length).toBe(3);
  });

  it('gives a flat line without peaks', () => {
    const [max, min] = toWavesurferPeaks(null, 10);
    expect(max.length).toBe(10);
    expect(min.length).toBe(10);
  });
});

describe('resamplePeaks', () => {
  it('interpolates linearly between neighbours, ends kept', () => {
    const out = resamplePeaks(Float32Array.from([0, 1]), 5);
    expect(Array.from(out)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    const uneven = resamplePeaks(Float32Array.from([0, 0.5, 0.25]), 7);
    expect(uneven.length).toBe(7);
    expect(uneven[0]).toBe(0);
    expect(uneven[3]).toBeCloseTo(0.5);
    expect(uneven[6]).toBeCloseTo(0.25);
    expect(uneven[1]).toBeCloseTo(1 / 6);
    expect(uneven[5]).toBeCloseTo(1 / 3);
  });

  it('fills with the only point, and never shrinks or empties', () => {
    expect(Array.from(resamplePeaks(Float32Array.from([0.5]), 3))).toEqual([0.5, 0.5, 0.5]);
    const many = Float32Array.from([0.1, 0.2, 0.3]);
    expect(resamplePeaks(many, 2)).toBe(many);
    expect(resamplePeaks(many, 3)).toBe(many);
    expect(resamplePeaks(new Float32Array(0), 10).length).toBe(0);
  });
});

describe('barSlots', () => {
  it('counts the bars that fit, none for no width', () => {
    expect(barSlots(520, 2, 1)).toBe(174);
    expect(barSlots(0, 2, 1)).toBe(0);
    expect(barSlots(100, 0, 0)).toBe(0);
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
