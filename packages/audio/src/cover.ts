import { rm } from 'node:fs/promises';
import { coverArgs } from './args/cover.js';
import { placeholderArgs } from './args/placeholder.js';
import { AudioProcessError, AudioTimeoutError } from './errors.js';
import { type RunOptions } from './options.js';
import { placeholderColors } from './placeholder-colors.js';
import { type AudioProbe } from './probe-result.js';
import { runProcess } from './runner.js';

const DEFAULT_COVER_SIZE = 512;
const COVER_TIMEOUT_MS = 30_000;

/**
 * Writes the embedded cover (attached picture) as a size×size JPEG, cropped to fill. Returns false when
 * there is none, or when the embedded image is broken: a cover is optional and the caller has a
 * placeholder for that case.
 */
export async function extractCoverArt(
  input: { file: string; probed: AudioProbe },
  outFile: string,
  options: RunOptions & { size?: number },
): Promise<boolean> {
  if (!input.probed.hasCoverArt) return false;
  try {
    await runProcess({
      command: options.tools.ffmpeg,
      args: coverArgs(input.file, input.probed.demuxer, outFile, options.size ?? DEFAULT_COVER_SIZE),
      timeoutMs: options.timeoutMs ?? COVER_TIMEOUT_MS,
      signal: options.signal,
    });
    return true;
  } catch (error) {
    if (!(error instanceof AudioProcessError) || error instanceof AudioTimeoutError) throw error;
    await rm(outFile, { force: true });
    return false;
  }
}

/** A two-colour gradient JPEG, from `seed` (e.g. the track id) or from an explicit '#rrggbb' colour. */
export async function renderPlaceholderCover(
  outFile: string,
  options: RunOptions & { seed: string; color?: string; size?: number },
): Promise<void> {
  await runProcess({
    command: options.tools.ffmpeg,
    args: placeholderArgs(outFile, placeholderColors(options.seed, options.color), options.size ?? DEFAULT_COVER_SIZE),
    timeoutMs: options.timeoutMs ?? COVER_TIMEOUT_MS,
    signal: options.signal,
  });
}
