import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureLoudness } from './loudness.js';
import { probe } from './probe.js';
import { ffmpeg, tempDir, toneInput, tools } from './test-support/fixtures.js';

let dir: string;
let remove: () => Promise<void>;
beforeAll(async () => ({ dir, remove } = await tempDir('loudness')));
afterAll(() => remove());

async function loudnessOf(name: string, input: string[]) {
  const file = path.join(dir, name);
  await ffmpeg([...input, file]);
  return measureLoudness({ file, probed: await probe(file, { tools }) }, { tools });
}

describe('measureLoudness', () => {
  it('turns a quiet track up and a loud one down', async () => {
    const quiet = await loudnessOf('quiet.flac', toneInput({ seconds: 5, amplitude: 0.03 }));
    const loud = await loudnessOf('loud.flac', toneInput({ seconds: 5, amplitude: 0.9, frequency: 1000 }));
    expect(quiet.integratedLufs).toBeLessThan(-25);
    expect(quiet.gainDb).toBeGreaterThan(0);
    expect(quiet.gainDb).toBeLessThanOrEqual(12);
    expect(loud.integratedLufs).toBeGreaterThan(-14);
    expect(loud.gainDb).toBeLessThan(0);
    expect(loud.truePeakDbtp + loud.gainDb).toBeLessThanOrEqual(-1);
  });

  it('reports silence as -70 LUFS with no gain and no infinities', async () => {
    const silence = await loudnessOf('silence.wav', ['-f', 'lavfi', '-i', 'anullsrc=r=48000:cl=stereo', '-t', '3']);
    expect(silence).toEqual({ integratedLufs: -70, truePeakDbtp: -144, gainDb: 0 });
  });
});
