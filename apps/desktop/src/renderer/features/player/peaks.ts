import type { WaveformPeaksDto } from '../../../common/contract.js';

/**
 * wavesurfer.js draws `peaks[0]` above the centre line and `peaks[1]` below it (by magnitude).
 * The server stores `length` points as interleaved min,max pairs: split them into [max[], min[]].
 * Returns a flat line of `fallbackPoints` when there are no peaks, so wavesurfer never fetches and
 * decodes the audio itself (which would also replace the element's src).
 */
export function toWavesurferPeaks(
  peaks: WaveformPeaksDto | null,
  fallbackPoints = 200,
  minPoints = 0,
): [Float32Array, Float32Array] {
  const points = peaks ? Math.min(peaks.length, Math.floor(peaks.data.length / 2)) : 0;
  if (points === 0) {
    const flat = new Float32Array(Math.max(fallbackPoints, minPoints, 1)).fill(0.02);
    return [flat, Float32Array.from(flat, (v) => -v)];
  }
  const data = (peaks as WaveformPeaksDto).data;
  const max = new Float32Array(points);
  const min = new Float32Array(points);
  for (let i = 0; i < points; i++) {
    min[i] = clamp(data[2 * i] ?? 0);
    max[i] = clamp(data[2 * i + 1] ?? 0);
  }
  // wavesurfer draws one bar per point at most: fewer points than bar slots leaves gaps (short tracks).
  if (points < minPoints) return [resamplePeaks(max, minPoints), resamplePeaks(min, minPoints)];
  return [max, min];
}

/**
 * Stretches `values` to `length` points by linear interpolation, first and last points kept, so
 * a short track's few peaks fill every bar slot of the waveform. Returns `values` itself when it
 * already has `length` points or more, or when there is nothing to interpolate.
 */
export function resamplePeaks(values: Float32Array, length: number): Float32Array {
  const target = Math.floor(length);
  if (values.length === 0 || target <= values.length) return values;
  const out = new Float32Array(target);
  if (values.length === 1) return out.fill(values[0] ?? 0);
  const step = (values.length - 1) / (target - 1);
  for (let i = 0; i < target; i++) {
    const position = i * step;
    const left = Math.min(Math.floor(position), values.length - 2);
    const fraction = position - left;
    const a = values[left] ?? 0;
    const b = values[left + 1] ?? 0;
    out[i] = a + (b - a) * fraction;
  }
  return out;
}

/** How many bars of `barWidth` + `barGap` CSS pixels fit in a container `width` pixels wide. */
export function barSlots(width: number, barWidth: number, barGap: number): number {
  const spacing = barWidth + barGap;
  return width > 0 && spacing > 0 ? Math.ceil(width / spacing) : 0;
}

function clamp(v: number): number {
  return Number.isFinite(v) ? Math.max(-1, Math.min(1, v)) : 0;
}

/** Duration in seconds wavesurfer should assume: the peaks' own, else the track's, never 0. */
export function peaksDurationSeconds(peaks: WaveformPeaksDto | null, trackDurationMs: number): number {
  const ms = peaks && peaks.durationMs > 0 ? peaks.durationMs : trackDurationMs;
  return Math.max(ms, 1) / 1000;
}

/** Linear gain for a track: 10^(dB/20) times the user's volume, clamped to something safe. */
export function linearGain(gainDb: number, volume: number): number {
  const db = Number.isFinite(gainDb) ? Math.max(-30, Math.min(12, gainDb)) : 0;
  const v = Number.isFinite(volume) ? Math.max(0, Math.min(1, volume)) : 1;
  return 10 ** (db / 20) * v;
}

const QUALITY_BITRATES = { '64k': 64_000, '128k': 128_000, '256k': 256_000 } as const;

/** hls.js level for a quality: the rendition whose bitrate is closest; −1 (automatic) for 'auto' or no levels. */
export function hlsLevelFor(quality: 'auto' | '64k' | '128k' | '256k', levelBitrates: readonly number[]): number {
  if (quality === 'auto' || levelBitrates.length === 0) return -1;
  const target = QUALITY_BITRATES[quality];
  let best = -1;
  let bestDistance = Infinity;
  levelBitrates.forEach((bitrate, i) => {
    const distance = Math.abs(Math.log(Math.max(bitrate, 1) / target));
    if (distance < bestDistance) {
      bestDistance = distance;
      best = i;
    }
  });
  return best;
}
