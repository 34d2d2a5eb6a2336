import { synthesizeArgs } from './args/synthesize.js';
import { type RunOptions } from './options.js';
import { runProcess } from './runner.js';
import { type DemoPiece } from './synth-pieces.js';

/** Writes one demo piece as a tagged FLAC file, e.g. to seed a fresh install with playable content. */
export async function synthesizeDemoPiece(piece: DemoPiece, outFile: string, options: RunOptions): Promise<void> {
  await runProcess({
    command: options.tools.ffmpeg,
    args: synthesizeArgs(piece, outFile),
    timeoutMs: options.timeoutMs ?? 60_000,
    signal: options.signal,
  });
}
