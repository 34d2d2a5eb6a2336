import path from 'node:path';
import { fileUrl, ffmpegPreamble } from '../input.js';

/**
 * Remuxes one of our own HLS renditions into a progressive MP4 (moov first). The playlist is our output,
 * so the HLS demuxer is acceptable here, still confined to local files.
 */
export function packageArgs(variantDir: string, outFile: string): string[] {
  return [
    ...ffmpegPreamble(),
    '-protocol_whitelist',
    'file',
    '-f',
    'hls',
    '-i',
    fileUrl(path.join(variantDir, 'index.m3u8')),
    '-map',
    '0:a:0',
    '-c',
    'copy',
    '-map_metadata',
    '-1',
    '-movflags',
    '+faststart',
    '-f',
    'mp4',
    '-y',
    fileUrl(outFile),
  ];
}
