import path from 'node:path';
import { ALLOWED_DEMUXERS, isAllowedDemuxer } from './formats.js';

/** Protocols an untrusted input may use: its own file, never http, concat, subfile, data… */
export const UPLOAD_PROTOCOLS = 'file,pipe';

/**
 * Largest embedded picture ffmpeg may decode (4096 × 4096). Every read of an upload opens its
 * cover stream; without a cap a 16k × 16k PNG that compresses to under 1 MB costs over 1 GB of
 * memory per process. A bigger picture is refused as art (the placeholder is used), not the audio.
 */
export const MAX_PICTURE_PIXELS = 4096 * 4096;

/**
 * `file:` plus an absolute path, so a name such as `concat:a|b` or `http://x` is only ever a file name.
 * (`-protocol_whitelist` would refuse those anyway; this keeps the intent visible in the arguments.)
 */
export function fileUrl(file: string): string {
  return `file:${path.resolve(file)}`;
}

/**
 * The input half of every ffmpeg command that reads an upload. Before probing the demuxer is unknown and
 * `-format_whitelist` is the guard; afterwards the probed demuxer is forced as well, so the file is never
 * re-detected as something else.
 */
export function uploadInputArgs(file: string, demuxer?: string): string[] {
  if (demuxer !== undefined && !isAllowedDemuxer(demuxer)) throw new Error(`Demuxer "${demuxer}" is not allowed.`);
  return [
    '-max_pixels',
    String(MAX_PICTURE_PIXELS),
    '-protocol_whitelist',
    UPLOAD_PROTOCOLS,
    '-format_whitelist',
    ALLOWED_DEMUXERS.join(','),
    ...(demuxer === undefined ? [] : ['-f', demuxer]),
    '-i',
    fileUrl(file),
  ];
}

/** Options every ffmpeg run starts with: no banner, never read the terminal, quiet unless asked. */
export function ffmpegPreamble(logLevel: 'error' | 'info' = 'error'): string[] {
  return ['-hide_banner', '-nostdin', '-loglevel', logLevel];
}
