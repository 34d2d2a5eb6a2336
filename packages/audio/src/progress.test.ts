import { describe, expect, it } from 'vitest';
import { lastOutTimeMs, progressReader } from './progress.js';

describe('progressReader', () => {
  it('reports whole percents that only go up, stopping at 99, across chunk boundaries', () => {
    const seen: number[] = [];
    const read = progressReader(10_000, (percent) => seen.push(percent));
    read(Buffer.from('out_time_us=N/A\nprogress=continue\nout_time_us=-9223372036854775807\nout_ti'));
    read(Buffer.from('me_us=2500000\nout_time_us=2500000\nout_time_us=1000000\n'));
    read(Buffer.from('out_time_us=7512000\nout_time_us=10010000\nout_time_us=12000000\nprogress=end\n'));
    expect(seen).toEqual([25, 75, 99]);
  });

  it('ignores progress when the duration is unknown', () => {
    const seen: number[] = [];
    progressReader(0, (percent) => seen.push(percent))(Buffer.from('out_time_us=5\n'));
    expect(seen).toEqual([]);
  });
});

describe('lastOutTimeMs', () => {
  it('takes the final out_time_us', () => {
    expect(lastOutTimeMs('out_time_us=100000\nprogress=continue\nout_time_us=9926531\nprogress=end\n')).toBe(9926.531);
    expect(lastOutTimeMs('progress=end\n')).toBeNull();
  });
});
