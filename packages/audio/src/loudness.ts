import { loudnessArgs } from './args/loudness.js';
import { loudnessFromMeasurement, parseLoudnessSummary, type Loudness } from './loudness-summary.js';
import { timeoutFor, type RunOptions } from './options.js';
import { type AudioProbe } from './probe-result.js';
import { runProcess } from './runner.js';

/**
 * Integrated loudness and true peak of the signal the ladder encodes (48 kHz stereo), and the playback
 * gain that follows. transcodeLadder measures the same thing in its own pass; this is for files that
 * are not transcoded again.
 */
export async function measureLoudness(
  input: { file: string; probed: AudioProbe },
  options: RunOptions,
): Promise<Loudness> {
  const { stderrTail } = await runProcess({
    command: options.tools.ffmpeg,
    args: loudnessArgs(input.file, input.probed.demuxer),
    timeoutMs: options.timeoutMs ?? timeoutFor(input.probed.durationMs, 30_000, 5),
    signal: options.signal,
  });
  return loudnessFromMeasurement(parseLoudnessSummary(stderrTail));
}
