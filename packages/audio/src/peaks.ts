import { peaksArgs } from './args/peaks.js';
import { timeoutFor, type RunOptions } from './options.js';
import { pcm16Reader } from './pcm.js';
import { PeakReducer } from './peaks-reducer.js';
import { type AudioProbe } from './probe-result.js';
import { runProcess } from './runner.js';

export interface WaveformPeaks {
  version: 1;
  samplesPerSecond: number;
  /** Number of points; `data` holds min,max for each. */
  length: number;
  durationMs: number;
  /** Interleaved min,max per point, normalised to [-1, 1] by the track's absolute maximum, 3 decimals. */
  data: number[];
}

/** Enough bandwidth (8 kHz) that the envelope of ordinary music survives, at 32 KB of PCM per second. */
const DECODE_RATE_TARGET = 16_000;

/** Waveform overview for the player: the track decoded to mono PCM and reduced while it streams. */
export async function computePeaks(
  input: { file: string; probed: AudioProbe },
  options: RunOptions & { samplesPerSecond?: number },
): Promise<WaveformPeaks> {
  const samplesPerSecond = options.samplesPerSecond ?? 8;
  if (!Number.isInteger(samplesPerSecond) || samplesPerSecond < 1 || samplesPerSecond > 100) {
    throw new RangeError(`samplesPerSecond must be an integer from 1 to 100, got ${samplesPerSecond}.`);
  }
  // A decode rate that is a whole multiple of the point rate keeps every point the same length.
  const samplesPerPoint = Math.ceil(DECODE_RATE_TARGET / samplesPerSecond);
  const decodeRate = samplesPerPoint * samplesPerSecond;
  const reducer = new PeakReducer(samplesPerPoint);
  const readPcm = pcm16Reader();
  await runProcess({
    command: options.tools.ffmpeg,
    args: peaksArgs(input.file, input.probed.demuxer, decodeRate),
    timeoutMs: options.timeoutMs ?? timeoutFor(input.probed.durationMs, 30_000, 10),
    signal: options.signal,
    onStdout: (chunk) => reducer.push(readPcm(chunk)),
  });
  const data = reducer.finish();
  return {
    version: 1,
    samplesPerSecond,
    length: data.length / 2,
    durationMs: Math.round((reducer.sampleCount / decodeRate) * 1000),
    data,
  };
}
