import { ffmpegPreamble, uploadInputArgs } from '../input.js';

/** Mono signed 16-bit PCM at `sampleRate` on stdout, to be reduced as it streams. */
export function peaksArgs(file: string, demuxer: string, sampleRate: number): string[] {
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) throw new RangeError(`Bad sample rate ${sampleRate}.`);
  return [
    ...ffmpegPreamble(),
    ...uploadInputArgs(file, demuxer),
    '-map',
    '0:a:0',
    '-af',
    `aformat=sample_fmts=s16:sample_rates=${sampleRate}:channel_layouts=mono`,
    '-c:a',
    'pcm_s16le',
    '-f',
    's16le',
    'pipe:1',
  ];
}
