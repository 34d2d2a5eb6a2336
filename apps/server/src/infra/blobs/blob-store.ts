import type { Readable } from 'node:stream';

export interface BlobStat {
  size: number;
  /** Changes whenever the content does; quoted, ready for an ETag header. */
  etag: string;
}

/**
 * Where media lives: uploads, HLS ladders, downloads, covers, waveforms. Keys are chosen by the
 * server (`tracks/<uuid>/…`), never derived from what a client sent, and are checked by
 * `assertBlobKey` so a bug cannot turn one into a path outside the store.
 *
 * The local filesystem implementation is the default; an S3-compatible one can implement the
 * same interface (publishing a directory becomes uploading under a fresh prefix).
 */
export interface BlobStore {
  /** Moves a local file (made in `scratchDir`) in under `key`, replacing what was there. */
  putFile(key: string, file: string): Promise<void>;
  /**
   * Publishes a local directory (made in `scratchDir`) as everything under `prefix`. Readers see
   * either nothing or the whole directory, never part of it.
   */
  putDirectory(prefix: string, dir: string): Promise<void>;
  read(key: string): Promise<Buffer | null>;
  stat(key: string): Promise<BlobStat | null>;
  /** Bytes `start`..`end` inclusive, or the whole blob. */
  createReadStream(key: string, range?: { start: number; end: number }): Readable;
  /**
   * A path ffmpeg can read. Local files are read in place; a remote store would download to
   * scratch and return that.
   */
  localPath(key: string): Promise<string>;
  /** Removes `key` and everything under it as a prefix; a missing key is not an error. */
  delete(prefix: string): Promise<void>;
  /** A directory on the same filesystem as the blobs, so finished work moves in by rename. */
  readonly scratchDir: string;
}

// Lower-case tokens of letters, digits, `_`, `-` and inner dots, separated by slashes: no empty
// segment, no `.` or `..`, no leading slash, nothing a shell or a URL would read differently.
const KEY = /^(?:[a-z0-9][a-z0-9_-]*(?:\.[a-z0-9_-]+)*)(?:\/[a-z0-9][a-z0-9_-]*(?:\.[a-z0-9_-]+)*)*$/;

export function isBlobKey(key: string): boolean {
  return key.length <= 512 && KEY.test(key);
}

export function assertBlobKey(key: string): void {
  if (!isBlobKey(key)) throw new TypeError(`invalid blob key "${key}"`);
}
