import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rm, stat } from 'node:fs/promises';
import { DesktopError } from '../../../common/errors.js';

export interface ExpectedFile {
  sizeBytes: number;
  /** Lowercase hex. */
  sha256: string;
}

export const checksumMismatch = (): DesktopError =>
  new DesktopError('CHECKSUM_MISMATCH', 'The downloaded file was damaged on the way (its checksum does not match).');

/** SHA-256 of what a partial file already holds, so a resumed download keeps hashing from there. */
export async function hashExisting(file: string): Promise<{ hash: Hash; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { hash, size };
}

/**
 * Checks a file against the size and SHA-256 the server gave; a file that does not match is
 * deleted before this throws CHECKSUM_MISMATCH, so nothing damaged is ever played.
 */
export async function verifyDownload(file: string, expected: ExpectedFile): Promise<void> {
  let ok = false;
  try {
    const info = await stat(file);
    if (info.size === expected.sizeBytes) {
      const { hash } = await hashExisting(file);
      ok = hash.digest('hex') === expected.sha256.toLowerCase();
    }
  } catch {
    ok = false;
  }
  if (!ok) {
    await rm(file, { force: true });
    throw checksumMismatch();
  }
}

export interface WriteBodyOptions {
  /** Bytes already in the file (a resumed download): the body is appended after them. */
  offset: number;
  /** The hash of those bytes, continued with the body. */
  hash: Hash;
  expected: ExpectedFile;
  onProgress(receivedBytes: number): void;
}

/**
 * Streams a response body into `file` while hashing it: one chunk written at a time (the disk
 * is the backpressure), flushed to disk before returning, and stopped as soon as the body is
 * longer than announced. Returns the total size; the caller verifies the digest.
 */
export async function writeBody(
  body: ReadableStream<Uint8Array>,
  file: string,
  options: WriteBodyOptions,
): Promise<{ size: number; sha256: string }> {
  const handle = await open(file, options.offset > 0 ? 'a' : 'w', 0o600);
  let size = options.offset;
  try {
    const reader = body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > options.expected.sizeBytes) {
        await reader.cancel();
        throw checksumMismatch();
      }
      options.hash.update(value);
      await handle.write(value);
      options.onProgress(size);
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { size, sha256: options.hash.digest('hex') };
}
