/**
 * Turns ffmpeg's `-progress pipe:1` key=value stream into whole percents of `durationMs`.
 * Reports only increases and stops at 99: 100 is the caller's to report once outputs are complete.
 */
export function progressReader(durationMs: number, onPercent: (percent: number) => void): (chunk: Buffer) => void {
  let pending = '';
  let reported = -1;
  return (chunk) => {
    pending += chunk.toString('latin1');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const match = /^out_time_us=(\d+)\s*$/.exec(line);
      if (!match || durationMs <= 0) continue;
      const percent = Math.min(99, Math.floor(Number(match[1]) / 10 / durationMs));
      if (percent > reported) {
        reported = percent;
        onPercent(percent);
      }
    }
  };
}

/** The last `out_time_us` in a complete `-progress` transcript, in milliseconds. */
export function lastOutTimeMs(progress: string): number | null {
  const all = [...progress.matchAll(/^out_time_us=(\d+)\s*$/gm)];
  const last = all.at(-1)?.[1];
  return last === undefined ? null : Number(last) / 1000;
}
