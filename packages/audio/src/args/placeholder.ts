import { fileUrl, ffmpegPreamble } from '../input.js';
import { squareJpegOutputArgs } from './image.js';

const HEX_COLOR = /^#[0-9a-f]{6}$/i;

/** A diagonal two-colour gradient. Colours are validated because they are spliced into a filter graph. */
export function placeholderArgs(outFile: string, colors: readonly [string, string], size: number): string[] {
  for (const color of colors) if (!HEX_COLOR.test(color)) throw new RangeError(`Bad colour "${color}".`);
  const [from, to] = colors.map((color) => `0x${color.slice(1)}`);
  return [
    ...ffmpegPreamble(),
    '-f',
    'lavfi',
    '-i',
    `gradients=s=${size}x${size}:c0=${from}:c1=${to}:x0=0:y0=0:x1=${size}:y1=${size}:nb_colors=2:d=1`,
    ...squareJpegOutputArgs(fileUrl(outFile), size),
  ];
}
