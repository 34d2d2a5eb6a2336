import { fileUrl, ffmpegPreamble, uploadInputArgs } from '../input.js';
import { squareJpegOutputArgs } from './image.js';

/** The first video stream, which probing guaranteed is an attached picture. */
export function coverArgs(file: string, demuxer: string, outFile: string, size: number): string[] {
  return [
    ...ffmpegPreamble(),
    ...uploadInputArgs(file, demuxer),
    '-map',
    '0:v:0',
    ...squareJpegOutputArgs(fileUrl(outFile), size),
  ];
}
