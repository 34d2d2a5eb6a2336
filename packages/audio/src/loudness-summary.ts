export interface Loudness {
  integratedLufs: number;
  truePeakDbtp: number;
  /** Playback gain toward TARGET_LUFS, limited so the true peak stays at or below PEAK_CEILING_DBTP. */
  gainDb: number;
}

export const TARGET_LUFS = -14;
export const PEAK_CEILING_DBTP = -1;
export const MAX_GAIN_DB = 12;
/** EBU R128's absolute gate: a track at or below it (silence) reports this and gets no gain. */
export const SILENCE_LUFS = -70;
/** Digital silence has a true peak of -inf; JSON cannot carry that, so it is floored here. */
export const PEAK_FLOOR_DBTP = -144;

/** Reads the integrated loudness and true peak from the summary ffmpeg's ebur128 filter logs at exit. */
export function parseLoudnessSummary(log: string): { integratedLufs: number; truePeakDbtp: number } {
  const summary = log.slice(log.lastIndexOf('Summary:'));
  const integrated = /\bI:\s+(-?inf|-?\d+(?:\.\d+)?) LUFS/.exec(summary)?.[1];
  const peak = /True peak:\s+Peak:\s+(-?inf|-?\d+(?:\.\d+)?) dBFS/.exec(summary)?.[1];
  if (!log.includes('Summary:') || integrated === undefined || peak === undefined) {
    throw new Error('No EBU R128 summary in the ffmpeg log.');
  }
  return {
    integratedLufs: Math.max(SILENCE_LUFS, toNumber(integrated)),
    truePeakDbtp: Math.max(PEAK_FLOOR_DBTP, toNumber(peak)),
  };
}

function toNumber(text: string): number {
  if (text === 'inf') return Infinity;
  if (text === '-inf') return -Infinity;
  return Number(text);
}

export function loudnessFromMeasurement(measured: { integratedLufs: number; truePeakDbtp: number }): Loudness {
  const { integratedLufs, truePeakDbtp } = measured;
  if (integratedLufs <= SILENCE_LUFS) return { integratedLufs, truePeakDbtp, gainDb: 0 };
  const wanted = Math.min(TARGET_LUFS - integratedLufs, PEAK_CEILING_DBTP - truePeakDbtp);
  const gainDb = Math.round(Math.min(MAX_GAIN_DB, Math.max(-MAX_GAIN_DB, wanted)) * 100) / 100;
  return { integratedLufs, truePeakDbtp, gainDb: gainDb === 0 ? 0 : gainDb };
}
