import type { Readable } from 'node:stream';
import type { Scratch } from './scratch.js';

export interface BlobStat {
  size: number;
  /** Changes whenever the content does; quoted, ready for an ETag header. */
  etag: string;
  modifiedAt: Date;
}

/** Inclusive byte offsets, as in an HTTP `Range` header. */
export interface ByteRange {
  start: number;
  end: number;
}

/** What a URL handed straight to a client must carry, since the app will not see the request. */
export interface BlobUrlOptions {
  /** The URL stops working then (a signed link of the app never outlives its own). */
  expiresAt: Date;
  contentType: string;
  /** Set for downloads: the response then asks the browser to save under this name. */
  attachmentName?: string;
}

/**
 * Where media lives: uploads, HLS ladders, downloads, covers, waveforms. Keys are chosen by the
 * server (`tracks/<uuid>/…`), never derived from what a client sent, and every method refuses a
 * key `assertBlobKey` does not accept, so a bug cannot turn one into a path outside the store.
 *
 * Features see keys, bytes and streams, never where a blob is kept: the local filesystem store is
 * the default, and an S3-compatible one implements the same interface and passes the same
 * contract test (test-support/blob-store-contract.ts). Tools that need a file (ffmpeg) work in
 * `scratch` and hand results in with `putFile`/`putDirectory`, and read a blob through
 * `withLocalCopy`.
 */
export interface BlobStore {
  /** Local working files, on a filesystem from which `putFile` and `putDirectory` take them in cheaply. */
  readonly scratch: Scratch;
  /** Takes a local file (made in `scratch`) in under `key`, replacing what was there; the file is gone after. */
  putFile(key: string, file: string): Promise<void>;
  /**
   * Publishes a local directory (made in `scratch`) as everything under `prefix`, replacing what
   * was there. Readers see either nothing or the whole directory, never part of it. The directory
   * is gone after.
   */
  putDirectory(prefix: string, dir: string): Promise<void>;
  /** Stores `data` under `key`, replacing what was there. */
  put(key: string, data: Uint8Array | string): Promise<void>;
  /** The whole blob in memory (for small ones: playlists, segments, covers), or null. */
  readAll(key: string): Promise<Buffer | null>;
  /** The blob, or only bytes `range.start`..`range.end`, as a stream; null when there is none. */
  read(key: string, range?: ByteRange): Promise<Readable | null>;
  stat(key: string): Promise<BlobStat | null>;
  /**
   * A URL from which a client can fetch the blob directly (signed, or behind a CDN), honouring
   * `Range` itself; null when the store is served through the app, as the local one is.
   */
  urlFor(key: string, options: BlobUrlOptions): Promise<string | null>;
  /**
   * Runs `work` with the path of a local file holding the blob, for tools that only take paths.
   * The file is read-only to `work` and valid only until it settles: a local store passes its
   * own file, a remote one a download in scratch that is removed afterwards. A missing blob
   * rejects with `BlobNotFoundError`, without calling `work`.
   */
  withLocalCopy<T>(key: string, work: (file: string) => Promise<T>): Promise<T>;
  /** Removes `key` and everything under it as a prefix; a missing key is not an error. */
  delete(prefix: string): Promise<void>;
}

export class BlobNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`no blob under "${key}"`);
    this.name = 'BlobNotFoundError';
  }
}

/** A key a store refuses before touching anything; a TypeError because only a bug makes one. */
export class InvalidBlobKeyError extends TypeError {
  constructor(
    readonly key: string,
    reason: string,
  ) {
    // JSON quoting shows NUL and control characters instead of printing them; a huge key is cut.
    const shown = JSON.stringify(key.length > 80 ? `${key.slice(0, 80)}…` : key);
    super(`invalid blob key ${shown}: ${reason}`);
    this.name = 'InvalidBlobKeyError';
  }
}

const MAX_KEY_LENGTH = 512;

// Lower-case tokens of letters, digits, `_`, `-` and inner dots, separated by slashes: no empty
// segment, no `.` or `..`, no leading slash, nothing a shell or a URL would read differently.
const KEY = /^(?:[a-z0-9][a-z0-9_-]*(?:\.[a-z0-9_-]+)*)(?:\/[a-z0-9][a-z0-9_-]*(?:\.[a-z0-9_-]+)*)*$/;

/** Why `key` is refused, or null when it is a valid key. */
export function blobKeyProblem(key: string): string | null {
  if (key.length > MAX_KEY_LENGTH) return `longer than ${MAX_KEY_LENGTH} characters`;
  if (KEY.test(key)) return null;
  if (key === '') return 'it is empty';
  if (key.includes('\0')) return 'it contains a NUL character';
  if (/^[/\\]|^[A-Za-z]:/.test(key)) return 'it is absolute; keys are relative to the store';
  if (key.split(/[/\\]/).some((segment) => segment === '..' || segment === '.')) {
    return 'it has a "." or ".." segment';
  }
  return 'keys are lower-case segments of a-z, 0-9, "_", "-" and inner dots, joined by single "/"';
}

export function isBlobKey(key: string): boolean {
  return blobKeyProblem(key) === null;
}

export function assertBlobKey(key: string): void {
  const problem = blobKeyProblem(key);
  if (problem !== null) throw new InvalidBlobKeyError(key, problem);
}
