export { findAudioTools, checkAudioTools, type AudioTools, type AudioToolVersions } from './tools.js';
export {
  AudioInputError,
  AudioToolsMissingError,
  AudioProcessError,
  AudioTimeoutError,
  AudioCancelledError,
  type AudioInputProblem,
} from './errors.js';
export { type RunOptions } from './options.js';
export { ALLOWED_DEMUXERS, classifyFormat, type AudioFormat, type ContainerMatch } from './formats.js';
export { probe, verifyDecodes, DEFAULT_MAX_DURATION_MS } from './probe.js';
export { type AudioProbe, type AudioTags } from './probe-result.js';
export { DEFAULT_LADDER, type LadderRung } from './ladder-rungs.js';
export {
  transcodeLadder,
  MASTER_PLAYLIST,
  type LadderOptions,
  type LadderResult,
  type LadderVariant,
} from './ladder.js';
export {
  buildMasterPlaylist,
  measureVariant,
  parseMediaPlaylist,
  type MasterVariant,
  type MediaPlaylist,
  type MediaSegment,
  type VariantMeasurement,
} from './playlist.js';
export { measureLoudness } from './loudness.js';
export { type Loudness, TARGET_LUFS, PEAK_CEILING_DBTP } from './loudness-summary.js';
export { computePeaks, type WaveformPeaks } from './peaks.js';
export { reducePeaks, PeakReducer } from './peaks-reducer.js';
export { extractCoverArt, renderPlaceholderCover } from './cover.js';
export { placeholderColors } from './placeholder-colors.js';
export { packageRendition } from './download.js';
export { DEMO_PIECES, type DemoPiece } from './synth-pieces.js';
export { synthesizeDemoPiece } from './synth.js';
export { synthesizeArgs } from './args/synthesize.js';
export { probeArgs, durationScanArgs } from './args/probe.js';
export { decodeCheckArgs } from './args/decode-check.js';
export { ladderArgs } from './args/ladder.js';
export { loudnessArgs } from './args/loudness.js';
export { peaksArgs } from './args/peaks.js';
export { coverArgs } from './args/cover.js';
export { placeholderArgs } from './args/placeholder.js';
export { packageArgs } from './args/package.js';
