export interface MediaSegment {
  uri: string;
  durationSec: number;
}

export interface MediaPlaylist {
  targetDurationSec: number;
  /** URI of the fMP4 initialisation segment (EXT-X-MAP), if any. */
  mapUri: string | null;
  segments: MediaSegment[];
  /** EXT-X-ENDLIST seen: the playlist is complete. */
  ended: boolean;
}

export interface VariantMeasurement {
  /** Peak segment bit rate, bits per second, as HLS defines it for BANDWIDTH. */
  bandwidth: number;
  averageBandwidth: number;
  durationMs: number;
  segmentCount: number;
}

export interface MasterVariant {
  playlist: string;
  bandwidth: number;
  averageBandwidth: number;
}

/** AAC-LC, the only codec the ladder produces. */
export const LADDER_CODECS = 'mp4a.40.2';

/** Parses the subset of a media playlist ffmpeg writes; anything unexpected is an error, not a guess. */
export function parseMediaPlaylist(text: string): MediaPlaylist {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
  if (lines[0] !== '#EXTM3U') throw new Error('Not an M3U8 playlist: missing #EXTM3U.');
  const playlist: MediaPlaylist = { targetDurationSec: 0, mapUri: null, segments: [], ended: false };
  let pendingDuration: number | null = null;
  for (const line of lines.slice(1)) {
    if (line.startsWith('#EXT-X-TARGETDURATION:')) {
      playlist.targetDurationSec = parseDecimal(line.slice('#EXT-X-TARGETDURATION:'.length), line);
    } else if (line.startsWith('#EXT-X-MAP:')) {
      const uri = /(?:^|,)URI="([^"]*)"/.exec(line.slice('#EXT-X-MAP:'.length))?.[1];
      if (uri === undefined) throw new Error(`EXT-X-MAP without a URI: ${line}`);
      playlist.mapUri = uri;
    } else if (line.startsWith('#EXTINF:')) {
      pendingDuration = parseDecimal(line.slice('#EXTINF:'.length).split(',')[0] ?? '', line);
    } else if (line === '#EXT-X-ENDLIST') {
      playlist.ended = true;
    } else if (!line.startsWith('#')) {
      if (pendingDuration === null) throw new Error(`Segment URI without #EXTINF: ${line}`);
      playlist.segments.push({ uri: line, durationSec: pendingDuration });
      pendingDuration = null;
    }
  }
  return playlist;
}

function parseDecimal(text: string, line: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0) throw new Error(`Bad number in "${line}".`);
  return value;
}

/**
 * A plain relative path (no scheme, no leading slash, no `..`): playlists are served under a signed
 * prefix, and a URI that escaped it would either break playback or point somewhere it should not.
 */
export function isSafeRelativeUri(uri: string): boolean {
  return /^[A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)*$/.test(uri) && !uri.split('/').some((part) => /^\.+$/.test(part));
}

/**
 * Why a media playlist is not a complete rendition as transcodeLadder writes it (ended, `init.mp4`, only
 * plain file names in its own folder), or null when it is.
 */
export function renditionProblem(playlist: MediaPlaylist): string | null {
  const inFolder = (uri: string) => isSafeRelativeUri(uri) && !uri.includes('/');
  if (!playlist.ended) return 'has no EXT-X-ENDLIST';
  if (playlist.mapUri !== 'init.mp4') return 'does not use init.mp4';
  if (playlist.segments.length === 0) return 'has no segments';
  if (!playlist.segments.every((segment) => inFolder(segment.uri))) return 'names a file outside its folder';
  return null;
}

/**
 * BANDWIDTH is the peak segment bit rate as RFC 8216bis defines it: the highest bit rate of any run of
 * consecutive segments lasting 0.5–1.5 × the target duration, which keeps a tiny final segment with a
 * fixed per-fragment overhead from posing as the peak. AVERAGE-BANDWIDTH is total bits over total time.
 */
export function measureVariant(playlist: MediaPlaylist, segmentBytes: readonly number[]): VariantMeasurement {
  const { segments, targetDurationSec } = playlist;
  if (segments.length === 0) throw new Error('The playlist has no segments.');
  if (segmentBytes.length !== segments.length) throw new Error('Need one byte size per segment.');
  const totalSec = segments.reduce((sum, segment) => sum + segment.durationSec, 0);
  const totalBytes = segmentBytes.reduce((sum, bytes) => sum + bytes, 0);
  if (totalSec <= 0 || targetDurationSec <= 0) throw new Error('The playlist has no duration.');
  const average = (totalBytes * 8) / totalSec;
  let peak = 0;
  for (let start = 0; start < segments.length; start++) {
    let seconds = 0;
    let bytes = 0;
    for (let end = start; end < segments.length; end++) {
      seconds += segments[end]?.durationSec ?? 0;
      bytes += segmentBytes[end] ?? 0;
      if (seconds > 1.5 * targetDurationSec) break;
      if (seconds >= 0.5 * targetDurationSec) peak = Math.max(peak, (bytes * 8) / seconds);
    }
  }
  return {
    bandwidth: Math.ceil(Math.max(peak, average)),
    averageBandwidth: Math.ceil(average),
    durationMs: Math.round(totalSec * 1000),
    segmentCount: segments.length,
  };
}

/** The master playlist, written by us from measured numbers rather than taken from ffmpeg. */
export function buildMasterPlaylist(variants: readonly MasterVariant[]): string {
  if (variants.length === 0) throw new Error('A master playlist needs at least one variant.');
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const variant of variants) {
    if (!isSafeRelativeUri(variant.playlist)) throw new Error(`Variant URI "${variant.playlist}" is not relative.`);
    const bandwidth = Math.ceil(variant.bandwidth);
    const average = Math.min(Math.ceil(variant.averageBandwidth), bandwidth);
    lines.push(`#EXT-X-STREAM-INF:BANDWIDTH=${bandwidth},AVERAGE-BANDWIDTH=${average},CODECS="${LADDER_CODECS}"`);
    lines.push(variant.playlist);
  }
  return `${lines.join('\n')}\n`;
}
