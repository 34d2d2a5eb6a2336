import type { TrackQuality } from '@veza/shared';

/*
 * Where a track's blobs live. Everything is under `tracks/<id>/`, so deleting a track is one
 * prefix; each publish of the ladder gets its own `v<n>/`, so a retry never rewrites files a
 * player may be reading and segments are immutable for their whole life.
 */
export const trackPrefix = (trackId: string): string => `tracks/${trackId}`;
export const sourceKey = (trackId: string): string => `tracks/${trackId}/source`;
export const coverKey = (trackId: string): string => `tracks/${trackId}/cover.jpg`;
export const versionPrefix = (trackId: string, version: number): string => `tracks/${trackId}/v${version}`;
export const peaksKey = (trackId: string, version: number): string => `${versionPrefix(trackId, version)}/peaks.json`;
export const hlsKey = (trackId: string, version: number, file: string): string =>
  `${versionPrefix(trackId, version)}/hls/${file}`;
export const downloadKey = (trackId: string, version: number, quality: TrackQuality): string =>
  `${versionPrefix(trackId, version)}/download/${quality}.m4a`;
