export type AudioFormat = 'mp3' | 'aac' | 'm4a' | 'flac' | 'wav' | 'ogg' | 'aiff';

interface ContainerRule {
  /** ffprobe's `format_name` for the demuxer. */
  formatName: string;
  /** The name that selects the same demuxer with `-f` and in `-format_whitelist`. */
  demuxer: string;
  format: AudioFormat;
  accepts: (codec: string) => boolean;
}

const isPcm = (codec: string) => /^pcm_[suf](8|16|24|32|64)(le|be)?$/.test(codec);
const oneOf =
  (...codecs: string[]) =>
  (codec: string) =>
    codecs.includes(codec);

/** The allow-list. Anything ffprobe detects that is not here (HLS, concat, images, video, MIDI…) is rejected. */
const CONTAINERS: readonly ContainerRule[] = [
  { formatName: 'mp3', demuxer: 'mp3', format: 'mp3', accepts: oneOf('mp3') },
  { formatName: 'aac', demuxer: 'aac', format: 'aac', accepts: oneOf('aac') },
  { formatName: 'mov,mp4,m4a,3gp,3g2,mj2', demuxer: 'mov', format: 'm4a', accepts: oneOf('aac', 'alac') },
  { formatName: 'flac', demuxer: 'flac', format: 'flac', accepts: oneOf('flac') },
  { formatName: 'wav', demuxer: 'wav', format: 'wav', accepts: isPcm },
  { formatName: 'ogg', demuxer: 'ogg', format: 'ogg', accepts: oneOf('vorbis', 'opus', 'flac') },
  { formatName: 'aiff', demuxer: 'aiff', format: 'aiff', accepts: isPcm },
];

/** Passed as `-format_whitelist` so ffmpeg refuses to open any other demuxer, whatever the file claims. */
export const ALLOWED_DEMUXERS: readonly string[] = CONTAINERS.map((rule) => rule.demuxer);

export interface ContainerMatch {
  format: AudioFormat;
  demuxer: string;
}

export function isAllowedContainer(formatName: string): boolean {
  return CONTAINERS.some((rule) => rule.formatName === formatName);
}

/** The format and the demuxer later reads must force, or null when the pair is not on the allow-list. */
export function classifyFormat(formatName: string, codecName: string): ContainerMatch | null {
  const rule = CONTAINERS.find((candidate) => candidate.formatName === formatName);
  if (!rule || !rule.accepts(codecName)) return null;
  return { format: rule.format, demuxer: rule.demuxer };
}

/** True for a demuxer name this package could itself have produced by probing. */
export function isAllowedDemuxer(demuxer: string): boolean {
  return ALLOWED_DEMUXERS.includes(demuxer);
}
