import { ffmpegPreamble, uploadInputArgs } from '../input.js';

/**
 * ffprobe of an upload whose demuxer is not known yet. `-loglevel warning` so "Estimating duration from
 * bitrate" reaches us: it is the sign that the reported duration is a guess worth measuring.
 */
export function probeArgs(file: string): string[] {
  return [
    '-hide_banner',
    '-loglevel',
    'warning',
    ...uploadInputArgs(file),
    '-print_format',
    'json',
    '-show_format',
    '-show_streams',
  ];
}

/** Demuxes (no decoding) the first audio stream to measure its real length when the header has none. */
export function durationScanArgs(file: string, demuxer: string): string[] {
  return [
    ...ffmpegPreamble(),
    '-nostats',
    '-progress',
    'pipe:1',
    ...uploadInputArgs(file, demuxer),
    '-map',
    '0:a:0',
    '-c',
    'copy',
    '-f',
    'null',
    '-',
  ];
}
