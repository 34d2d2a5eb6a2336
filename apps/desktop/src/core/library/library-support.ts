import { TRACK_QUALITIES, type TrackQuality } from '@veza/shared';
import type { downloadCommands, HandlersOf, libraryCommands } from '../../common/contract.js';
import { DesktopError } from '../../common/errors.js';

/** Small pieces the library's parts share. */

/** NUL and unpaired surrogates: PostgreSQL cannot store them, so the server refuses them in a query. */
export const UNSENDABLE = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The server could not be reached: read from the cache instead. */
export const isUnreachable = (error: unknown): boolean =>
  error instanceof DesktopError && (error.code === 'OFFLINE' || error.code === 'SERVER_UNREACHABLE');

/** Every library, playback and download command of the contract, as LibraryService answers it. */
export type LibraryCommands = HandlersOf<typeof libraryCommands & typeof downloadCommands>;

/** The best rendition the track has at or below `wanted`, else its smallest one. */
export function pickQuality(available: readonly TrackQuality[], wanted: TrackQuality): TrackQuality {
  const rank = (quality: TrackQuality) => TRACK_QUALITIES.indexOf(quality);
  const atMost = available.filter((quality) => rank(quality) <= rank(wanted)).sort((a, b) => rank(b) - rank(a));
  const smallest = [...available].sort((a, b) => rank(a) - rank(b));
  return atMost[0] ?? smallest[0] ?? wanted;
}
