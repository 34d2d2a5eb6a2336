import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computePeaks } from './peaks.js';
import { probe } from './probe.js';
import { ffmpeg, tempDir, toneInput, tools } from './test-support/fixtures.js';

let dir: string;
let remove: () => Promise<void>;
beforeAll(async () => ({ dir, remove } = await tempDir('peaks')));
afterAll(() => remove());

async function peaksOf(name: string, input: string[], samplesPerSecond?: number) {
  const file = path.join(dir, name);
  await ffmpeg([...input, file]);
  return computePeaks({ file, probed: await probe(file, { tools }) }, { tools, samplesPerSecond });
}

describe('computePeaks', () => {
  it('gives about duration × rate points, normalising a steady sine to ±1', async () => {
    const peaks = await peaksOf('tone.wav', toneInput({ seconds: 10, amplitude: 0.25 }));
    expect(peaks).toMatchObject({ version: 1, samplesPerSecond: 8 });
    expect(Math.abs(peaks.length - 80)).toBeLessThanOrEqual(1);
    expect(peaks.data).toHaveLength(2 * peaks.length);
    expect(Math.abs(peaks.durationMs - 10_000)).toBeLessThanOrEqual(50);
    expect(peaks.data.every((value) => value >= -1 && value <= 1)).toBe(true);
    const maxima = peaks.data.filter((_, i) => i % 2 === 1);
    const minima = peaks.data.filter((_, i) => i % 2 === 0);
    // Every full point of a steady tone reaches (nearly) the same extremes.
    for (const value of maxima.slice(0, -1)) expect(value).toBeGreaterThan(0.97);
    for (const value of minima.slice(0, -1)) expect(value).toBeLessThan(-0.97);
  });

  it('honours samplesPerSecond and shows where the sound is', async () => {
    const halfSilent = ['-f', 'lavfi', '-i', 'sine=f=300:sample_rate=44100:d=4,volume=4,adelay=2000', '-ac', '2'];
    const peaks = await peaksOf('late.flac', halfSilent, 20);
    expect(Math.abs(peaks.length - 120)).toBeLessThanOrEqual(1);
    const amplitude = (point: number) => Math.max(Math.abs(peaks.data[2 * point] ?? 0), peaks.data[2 * point + 1] ?? 0);
    expect(amplitude(10)).toBe(0);
    expect(amplitude(60)).toBeGreaterThan(0.9);
  });

  it('returns zeros for silence, not NaN', async () => {
    const peaks = await peaksOf('silence.wav', ['-f', 'lavfi', '-i', 'anullsrc=r=44100:cl=stereo', '-t', '3']);
    expect(Math.abs(peaks.length - 24)).toBeLessThanOrEqual(1);
    expect(peaks.data.every((value) => value === 0)).toBe(true);
    expect(JSON.parse(JSON.stringify(peaks))).toEqual(peaks);
  });

  it('rejects an unusable rate before spawning anything', async () => {
    const file = path.join(dir, 'tone.wav');
    const probed = await probe(file, { tools });
    await expect(computePeaks({ file, probed }, { tools, samplesPerSecond: 0.5 })).rejects.toThrow(RangeError);
  });
});
