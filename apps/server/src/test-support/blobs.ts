import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LocalBlobStore } from '../infra/blobs/local-blob-store.js';

/** A media store in a fresh temporary directory, for apps whose test does not look at media. */
export function scratchBlobStore(): Promise<LocalBlobStore> {
  return new LocalBlobStore(mkdtempSync(path.join(tmpdir(), 'veza-media-'))).open();
}
