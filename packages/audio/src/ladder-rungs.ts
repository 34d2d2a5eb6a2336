export interface LadderRung {
  /** Folder name and playlist name of the rendition, e.g. '128k'. */
  id: string;
  /** Target AAC bit rate in bits per second. */
  bitrate: number;
}

export const DEFAULT_LADDER: readonly LadderRung[] = Object.freeze([
  { id: '64k', bitrate: 64_000 },
  { id: '128k', bitrate: 128_000 },
  { id: '256k', bitrate: 256_000 },
]);

/** Rung ids become directory names and ffmpeg output paths, so they are held to a safe alphabet. */
export function assertValidLadder(ladder: readonly LadderRung[]): void {
  if (ladder.length === 0) throw new RangeError('The ladder needs at least one rung.');
  const ids = new Set<string>();
  for (const rung of ladder) {
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(rung.id)) throw new RangeError(`Bad rung id "${rung.id}".`);
    if (ids.has(rung.id)) throw new RangeError(`Duplicate rung id "${rung.id}".`);
    ids.add(rung.id);
    if (!Number.isInteger(rung.bitrate) || rung.bitrate < 16_000 || rung.bitrate > 512_000) {
      throw new RangeError(`Rung ${rung.id}: bit rate ${rung.bitrate} is outside 16–512 kbit/s.`);
    }
  }
}
