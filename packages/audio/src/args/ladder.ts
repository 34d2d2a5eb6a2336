import { ffmpegPreamble, uploadInputArgs } from '../input.js';
import { assertValidLadder, type LadderRung } from '../ladder-rungs.js';
import { LOUDNESS_FILTER, OUTPUT_FORMAT_FILTER } from './stream-format.js';

export interface LadderArgsOptions {
  segmentSeconds: number;
  /** Adds an EBU R128 branch whose summary ends up in the log. */
  measureLoudness: boolean;
}

/**
 * Encoder tuning per rung, for the 20× realtime target of a 3-rung ladder on one core (ffmpeg
 * 5.1 encodes the rungs on one thread):
 * - the 'fast' coder on every rung. The default 'twoloop' sounds better at 64 kbit/s, but on
 *   sparse, tonal music it costs 4–5× the CPU of 'fast' (3.7 s against 0.8 s for a 128 s pad
 *   piece here) and alone pulled the ladder under 15× realtime. 64k is the fallback rung for poor
 *   networks; 128k and 256k, what listeners normally get, are unaffected;
 * - from 192 kbit/s no mid/side search: there are bits to spare for plain L/R, and on near-mono
 *   material that search alone doubles the encode time.
 */
export function aacEncoderArgs(bitrate: number): string[] {
  return ['-aac_coder', 'fast', ...(bitrate >= 192_000 ? ['-aac_ms', '0'] : [])];
}

/**
 * One decode feeding one HLS output per rung (run with the output directory as cwd, so every path and
 * playlist URI is relative). Separate outputs rather than `-var_stream_map` because ffmpeg 5.1 cannot
 * name a variant's init segment plain `init.mp4` inside its own folder.
 */
export function ladderArgs(
  input: { file: string; demuxer: string },
  ladder: readonly LadderRung[],
  options: LadderArgsOptions,
): string[] {
  assertValidLadder(ladder);
  const { segmentSeconds } = options;
  if (!(segmentSeconds >= 1 && segmentSeconds <= 30)) throw new RangeError(`Bad segment length ${segmentSeconds}.`);
  const labels = ladder.map((_, index) => `[r${index}]`);
  const split = ladder.length + (options.measureLoudness ? 1 : 0);
  const graph = [
    `[0:a:0]${OUTPUT_FORMAT_FILTER},asplit=${split}${labels.join('')}${options.measureLoudness ? '[loud]' : ''}`,
    // anullsink ends the measuring branch inside the graph, so it needs no output file of its own.
    ...(options.measureLoudness ? [`[loud]${LOUDNESS_FILTER},anullsink`] : []),
  ].join(';');
  return [
    ...ffmpegPreamble(options.measureLoudness ? 'info' : 'error'),
    '-nostats',
    '-progress',
    'pipe:1',
    ...uploadInputArgs(input.file, input.demuxer),
    '-filter_complex',
    graph,
    ...ladder.flatMap((rung, index) => [
      '-map',
      `[r${index}]`,
      '-map_metadata',
      '-1',
      '-map_chapters',
      '-1',
      '-c:a',
      'aac',
      '-profile:a',
      'aac_low',
      ...aacEncoderArgs(rung.bitrate),
      '-b:a',
      String(rung.bitrate),
      '-f',
      'hls',
      '-hls_time',
      String(segmentSeconds),
      '-hls_playlist_type',
      'vod',
      '-hls_segment_type',
      'fmp4',
      '-hls_fmp4_init_filename',
      'init.mp4',
      '-hls_segment_filename',
      `${rung.id}/seg_%05d.m4s`,
      `${rung.id}/index.m3u8`,
    ]),
  ];
}
