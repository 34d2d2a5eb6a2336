import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ladderArgs } from './args/ladder.js';
import { AudioProcessError } from './errors.js';
import { DEFAULT_LADDER, assertValidLadder, type LadderRung } from './ladder-rungs.js';
import { loudnessFromMeasurement, parseLoudnessSummary, type Loudness } from './loudness-summary.js';
import { timeoutFor, type RunOptions } from './options.js';
import { buildMasterPlaylist, measureVariant, parseMediaPlaylist, renditionProblem } from './playlist.js';
import { type AudioProbe } from './probe-result.js';
import { progressReader } from './progress.js';
import { runProcess } from './runner.js';
import { findAudioTools } from './tools.js';

export interface LadderVariant {
  id: string;
  bitrate: number;
  /** Relative to outDir, e.g. '128k/index.m3u8'. */
  playlist: string;
  bandwidth: number;
  averageBandwidth: number;
  durationMs: number;
  segmentCount: number;
}

export interface LadderResult {
  masterPlaylist: 'master.m3u8';
  variants: LadderVariant[];
  durationMs: number;
  /** Measured on the encoded signal in the same ffmpeg pass. */
  loudness: Loudness;
}

export interface LadderOptions extends RunOptions {
  /** Target segment length; ffmpeg cuts at the next AAC frame after it. */
  segmentSeconds?: number;
  /** Whole percents, increasing, ending with 100 once every playlist is written. */
  onProgress?: (percent: number) => void;
}

export const MASTER_PLAYLIST = 'master.m3u8';

/**
 * Encodes an HLS VOD ladder (AAC-LC, 48 kHz stereo, fMP4 segments) into `outDir/<rungId>/` in one ffmpeg
 * pass, measuring loudness on the way, then writes `outDir/master.m3u8` from the real segment sizes.
 * `outDir` should be a fresh temporary folder that the caller moves into place once this resolves.
 */
export async function transcodeLadder(
  input: { file: string; probed: AudioProbe },
  outDir: string,
  ladder: readonly LadderRung[] = DEFAULT_LADDER,
  options: LadderOptions = { tools: findAudioTools() },
): Promise<LadderResult> {
  assertValidLadder(ladder);
  await Promise.all(ladder.map((rung) => mkdir(path.join(outDir, rung.id), { recursive: true })));
  const { onProgress } = options;
  const { stderrTail } = await runProcess({
    command: options.tools.ffmpeg,
    args: ladderArgs({ file: input.file, demuxer: input.probed.demuxer }, ladder, {
      segmentSeconds: options.segmentSeconds ?? 6,
      measureLoudness: true,
    }),
    cwd: outDir,
    timeoutMs: options.timeoutMs ?? timeoutFor(input.probed.durationMs, 60_000, 3),
    signal: options.signal,
    onStdout: onProgress ? progressReader(input.probed.durationMs, onProgress) : () => {},
  });

  const variants = await Promise.all(ladder.map((rung) => readVariant(outDir, rung)));
  await writeFile(path.join(outDir, MASTER_PLAYLIST), buildMasterPlaylist(variants));
  let loudness: Loudness;
  try {
    loudness = loudnessFromMeasurement(parseLoudnessSummary(stderrTail));
  } catch (error) {
    throw new AudioProcessError('ffmpeg finished without a loudness summary.', 0, stderrTail, { cause: error });
  }
  onProgress?.(100);
  return {
    masterPlaylist: MASTER_PLAYLIST,
    variants,
    durationMs: Math.max(...variants.map((variant) => variant.durationMs)),
    loudness,
  };
}

/** Checks one rendition as written by ffmpeg and measures its real bit rates. */
async function readVariant(outDir: string, rung: LadderRung): Promise<LadderVariant> {
  const playlistPath = `${rung.id}/index.m3u8`;
  const playlist = parseMediaPlaylist(await readFile(path.join(outDir, playlistPath), 'utf8'));
  const problem = renditionProblem(playlist);
  if (problem) throw new AudioProcessError(`ffmpeg's ${playlistPath} ${problem}.`, 0, '');
  const uris = playlist.segments.map((segment) => segment.uri);
  const sizes = await Promise.all(uris.map(async (uri) => (await stat(path.join(outDir, rung.id, uri))).size));
  return { id: rung.id, bitrate: rung.bitrate, playlist: playlistPath, ...measureVariant(playlist, sizes) };
}
