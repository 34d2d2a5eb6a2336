import { fileUrl, ffmpegPreamble } from '../input.js';
import { DEMO_RECIPES, type DemoPiece } from '../synth-pieces.js';
import { RECIPES } from '../synth-recipes.js';

/** Renders a demo piece to 16-bit FLAC with its tags; the recipe is chosen by slug. */
export function synthesizeArgs(piece: DemoPiece, outFile: string): string[] {
  const recipe = DEMO_RECIPES[piece.slug];
  if (!recipe) throw new RangeError(`No recipe for demo piece "${piece.slug}".`);
  if (!(piece.durationSec >= 20 && piece.durationSec <= 600)) {
    throw new RangeError(`Demo piece "${piece.slug}": ${piece.durationSec} s is outside 20–600 s.`);
  }
  return [
    ...ffmpegPreamble(),
    '-filter_complex',
    RECIPES[recipe](piece.durationSec),
    '-map',
    '[out]',
    '-c:a',
    'flac',
    '-sample_fmt',
    's16',
    '-metadata',
    `title=${piece.title}`,
    '-metadata',
    `artist=${piece.artist}`,
    '-metadata',
    `album=${piece.album}`,
    '-metadata',
    `genre=${piece.genre}`,
    '-f',
    'flac',
    '-y',
    fileUrl(outFile),
  ];
}
