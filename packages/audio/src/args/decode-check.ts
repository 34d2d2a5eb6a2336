import { ffmpegPreamble, uploadInputArgs } from '../input.js';

/** Decodes the whole first audio stream to nowhere; errors land on stderr, the decoded length on stdout. */
export function decodeCheckArgs(file: string, demuxer: string): string[] {
  return [
    ...ffmpegPreamble(),
    '-nostats',
    '-progress',
    'pipe:1',
    ...uploadInputArgs(file, demuxer),
    '-map',
    '0:a:0',
    '-f',
    'null',
    '-',
  ];
}
