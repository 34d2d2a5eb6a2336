import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { assertBlobKey, type BlobStat, type BlobStore } from './blob-store.js';

/**
 * Blobs as files under `root` (VEZA_DATA_DIR/media). Writes happen in `root/.scratch` and move
 * in by rename, which is atomic on one filesystem: a crash leaves scratch litter (swept at
 * start), never a half-written blob.
 */
export class LocalBlobStore implements BlobStore {
  readonly scratchDir: string;

  constructor(readonly root: string) {
    this.scratchDir = path.join(root, '.scratch');
  }

  /** Creates the folders and sweeps scratch left by a process that died mid-work. */
  async open(): Promise<this> {
    await rm(this.scratchDir, { recursive: true, force: true });
    await mkdir(this.scratchDir, { recursive: true, mode: 0o700 });
    return this;
  }

  pathOf(key: string): string {
    assertBlobKey(key);
    return path.join(this.root, ...key.split('/'));
  }

  async putFile(key: string, file: string): Promise<void> {
    const target = this.pathOf(key);
    await mkdir(path.dirname(target), { recursive: true });
    await rename(file, target);
  }

  async putDirectory(prefix: string, dir: string): Promise<void> {
    const target = this.pathOf(prefix);
    await mkdir(path.dirname(target), { recursive: true });
    // A retry after a crash between publishing and recording it finds its own earlier copy: the
    // prefix was never handed out, so replacing it is safe.
    await rm(target, { recursive: true, force: true });
    await rename(dir, target);
  }

  async read(key: string): Promise<Buffer | null> {
    try {
      return await readFile(this.pathOf(key));
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async stat(key: string): Promise<BlobStat | null> {
    try {
      const info = await stat(this.pathOf(key), { bigint: true });
      if (!info.isFile()) return null;
      // Size and mtime alone repeat for a same-size rewrite within the clock's resolution, or a
      // file that kept its times. Every put makes a new file, whose ctime (which cannot be set
      // back) and inode tell it apart from the one it replaced.
      const parts = [info.size, info.mtimeNs, info.ctimeNs, info.ino].map((n) => n.toString(36));
      return { size: Number(info.size), etag: `"${parts.join('-')}"` };
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  createReadStream(key: string, range?: { start: number; end: number }): Readable {
    return createReadStream(this.pathOf(key), range);
  }

  async localPath(key: string): Promise<string> {
    return this.pathOf(key);
  }

  async delete(prefix: string): Promise<void> {
    await rm(this.pathOf(prefix), { recursive: true, force: true });
  }
}

const isMissing = (error: unknown): boolean => {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
};
