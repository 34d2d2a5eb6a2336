import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { packageArgs } from './args/package.js';
import { type RunOptions } from './options.js';
import { parseMediaPlaylist, renditionProblem } from './playlist.js';
import { runProcess } from './runner.js';

/**
 * One ladder rendition (`outDir/<rungId>`) as a progressive .m4a for download: the AAC is copied, not
 * re-encoded, and the index is moved to the front so it plays while downloading.
 */
export async function packageRendition(
  variantDir: string,
  outFile: string,
  options: RunOptions,
): Promise<{ sizeBytes: number }> {
  // Our own output, but the HLS demuxer follows whatever URIs it finds: confirm they stay in this folder.
  const playlist = parseMediaPlaylist(await readFile(path.join(variantDir, 'index.m3u8'), 'utf8'));
  const problem = renditionProblem(playlist);
  if (problem)
    throw new Error(`${variantDir}/index.m3u8 is not a complete rendition written by transcodeLadder: it ${problem}.`);
  await runProcess({
    command: options.tools.ffmpeg,
    args: packageArgs(variantDir, outFile),
    timeoutMs: options.timeoutMs ?? 120_000,
    signal: options.signal,
  });
  return { sizeBytes: (await stat(outFile)).size };
}
