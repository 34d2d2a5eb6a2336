/**
 * Min/max per point over a stream of samples, fed chunk by chunk so a two-hour decode never sits in memory.
 * Values are normalised at the end by the track's largest absolute sample, so quiet tracks still draw.
 */
export class PeakReducer {
  private readonly mins: number[] = [];
  private readonly maxs: number[] = [];
  private pointMin = Infinity;
  private pointMax = -Infinity;
  private inPoint = 0;
  private absMax = 0;
  private total = 0;

  constructor(readonly samplesPerPoint: number) {
    if (!Number.isInteger(samplesPerPoint) || samplesPerPoint < 1) {
      throw new RangeError(`samplesPerPoint must be a positive integer, got ${samplesPerPoint}.`);
    }
  }

  push(samples: ArrayLike<number>): void {
    for (let i = 0; i < samples.length; i++) {
      const sample = samples[i] ?? 0;
      if (sample < this.pointMin) this.pointMin = sample;
      if (sample > this.pointMax) this.pointMax = sample;
      if (++this.inPoint === this.samplesPerPoint) this.closePoint();
    }
    this.total += samples.length;
  }

  get sampleCount(): number {
    return this.total;
  }

  /** Interleaved min,max per point in [-1, 1], rounded to 3 decimals; all zeros for silence. */
  finish(): number[] {
    if (this.inPoint > 0) this.closePoint();
    const scale = this.absMax > 0 ? 1 / this.absMax : 0;
    const data: number[] = [];
    for (let i = 0; i < this.mins.length; i++) {
      data.push(round3((this.mins[i] ?? 0) * scale), round3((this.maxs[i] ?? 0) * scale));
    }
    return data;
  }

  private closePoint(): void {
    this.mins.push(this.pointMin);
    this.maxs.push(this.pointMax);
    this.absMax = Math.max(this.absMax, Math.abs(this.pointMin), Math.abs(this.pointMax));
    this.pointMin = Infinity;
    this.pointMax = -Infinity;
    this.inPoint = 0;
  }
}

function round3(value: number): number {
  // `+ 0` turns -0 into 0 so the JSON reads cleanly.
  return Math.round(value * 1000) / 1000 + 0;
}

export interface ReducedPeaks {
  /** Number of points; `data` holds twice as many numbers. */
  length: number;
  data: number[];
  sampleCount: number;
}

export function reducePeaks(chunks: Iterable<ArrayLike<number>>, samplesPerPoint: number): ReducedPeaks {
  const reducer = new PeakReducer(samplesPerPoint);
  for (const chunk of chunks) reducer.push(chunk);
  const data = reducer.finish();
  return { length: data.length / 2, data, sampleCount: reducer.sampleCount };
}
