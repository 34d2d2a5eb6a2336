import { describe, expect, it } from 'vitest';
import { loudnessFromMeasurement, parseLoudnessSummary } from './loudness-summary.js';

const summary = (integrated: string, peak: string) => `[Parsed_ebur128_2 @ 0x55e75a938480] Summary:

  Integrated loudness:
    I:         ${integrated} LUFS
    Threshold: -37.8 LUFS

  Loudness range:
    LRA:         0.0 LU
    Threshold: -47.8 LUFS
    LRA low:   -27.9 LUFS
    LRA high:  -27.9 LUFS

  True peak:
    Peak:      ${peak} dBFS
[aac @ 0x55e75a90e080] Qavg: 482.827
`;

describe('parseLoudnessSummary', () => {
  it('reads integrated loudness and true peak', () => {
    expect(parseLoudnessSummary(`noise before\n${summary('-27.9', '-1.3')}`)).toEqual({
      integratedLufs: -27.9,
      truePeakDbtp: -1.3,
    });
  });

  it('floors silence (-inf) to finite numbers', () => {
    expect(parseLoudnessSummary(summary('-70.0', '-inf'))).toEqual({ integratedLufs: -70, truePeakDbtp: -144 });
  });

  it('uses the last summary and fails without one', () => {
    expect(parseLoudnessSummary(summary('-30.0', '-9.0') + summary('-20.0', '-3.0')).integratedLufs).toBe(-20);
    expect(() => parseLoudnessSummary('no summary here')).toThrow(/No EBU R128 summary/);
  });
});

describe('loudnessFromMeasurement', () => {
  it('raises quiet tracks toward -14 LUFS', () => {
    expect(loudnessFromMeasurement({ integratedLufs: -20, truePeakDbtp: -12 }).gainDb).toBe(6);
  });

  it('lowers loud tracks', () => {
    expect(loudnessFromMeasurement({ integratedLufs: -8.5, truePeakDbtp: 0.4 }).gainDb).toBe(-5.5);
  });

  it('stops the gain where the true peak would pass -1 dBTP', () => {
    expect(loudnessFromMeasurement({ integratedLufs: -20, truePeakDbtp: -3 }).gainDb).toBe(2);
    // Quiet but peaky: the peak wins and the gain goes negative.
    expect(loudnessFromMeasurement({ integratedLufs: -24, truePeakDbtp: 0.5 }).gainDb).toBe(-1.5);
  });

  it('clamps to ±12 dB and gives silence no gain', () => {
    expect(loudnessFromMeasurement({ integratedLufs: -40, truePeakDbtp: -30 }).gainDb).toBe(12);
    expect(loudnessFromMeasurement({ integratedLufs: 5, truePeakDbtp: 3 }).gainDb).toBe(-12);
    expect(loudnessFromMeasurement({ integratedLufs: -70, truePeakDbtp: -144 })).toEqual({
      integratedLufs: -70,
      truePeakDbtp: -144,
      gainDb: 0,
    });
  });
});
