import { ffmpegPreamble, uploadInputArgs } from '../input.js';
import { LOUDNESS_FILTER, OUTPUT_FORMAT_FILTER } from './stream-format.js';

/** Standalone loudness scan; the summary is read from the `info`-level log. */
export function loudnessArgs(file: string, demuxer: string): string[] {
  return [
    ...ffmpegPreamble('info'),
    '-nostats',
    ...uploadInputArgs(file, demuxer),
    '-map',
    '0:a:0',
    '-af',
    `${OUTPUT_FORMAT_FILTER},${LOUDNESS_FILTER}`,
    '-f',
    'null',
    '-',
  ];
}
