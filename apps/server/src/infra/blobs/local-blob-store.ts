import { randomBytes, randomUUID } from 'node:crypto';
import { close, createReadStream, fstat, open, type Stats } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import {
  assertBlobKey,
  BlobNotFoundError,
  type BlobStat,
  type BlobStore,
  type BlobUrlOptions,
  type ByteRange,
} from './blob-store.js';
import { DirectoryScratch } from './scratch.js';

const STALE_SCRATCH_MS = 24 * 60 * 60 * 1000;

// The callback forms: a stream on a numeric descriptor reads with fs.read, which is cheaper than
// the promise-based reads a FileHandle stream makes.
const openFd = promisify(open);
const fstatFd = promisify(fstat) as (fd: number) => Promise<Stats>;
const closeFd = promisify(close);

/**
 * Blobs as files under `root` (VEZA_DATA_DIR/media). Writes happen in scratch and move in by
 * rename, which is atomic on one filesystem: a crash leaves scratch litter, never a half-written
 * blob. Each process has its own scratch directory (`.scratch/<random id>`), because instances
 * that share the media directory must not sweep each other's work in progress.
 *
 * The app serves these files itself (`urlFor` is null): from its memory cache, or straight from
 * disk; `withLocalCopy` hands out the blob's own file.
 */
export class LocalBlobStore implements BlobStore {
  /** This process's scratch directory; tests look into it, features use `scratch`. */
  readonly scratchDir: string;
  readonly scratch: DirectoryScratch;
  private readonly scratchRoot: string;

  constructor(readonly root: string) {
    this.scratchRoot = path.join(root, '.scratch');
    this.scratchDir = path.join(this.scratchRoot, randomBytes(6).toString('hex'));
    this.scratch = new DirectoryScratch(this.scratchDir);
  }

  /**
   * Creates the folders and sweeps what dead processes left in scratch: everything when this
   * process owns the data dir alone (`all`), else only entries untouched for a day (`stale`;
   * longer than any job may run), which no live instance can still be using.
   */
  async open(options: { sweep?: 'all' | 'stale' } = {}): Promise<this> {
    await mkdir(this.scratchRoot, { recursive: true, mode: 0o700 });
    const cutoff = options.sweep === 'stale' ? Date.now() - STALE_SCRATCH_MS : Infinity;
    for (const entry of await readdir(this.scratchRoot)) {
      const full = path.join(this.scratchRoot, entry);
      const info = await stat(full).catch(() => undefined);
      if (info && info.mtimeMs < cutoff) await rm(full, { recursive: true, force: true });
    }
    await mkdir(this.scratchDir, { recursive: true, mode: 0o700 });
    return this;
  }

  private pathOf(key: string): string {
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

  async put(key: string, data: Uint8Array | string): Promise<void> {
    assertBlobKey(key);
    const file = this.scratch.file(`put-${randomUUID()}`);
    try {
      await writeFile(file, data, { flag: 'wx' });
      await this.putFile(key, file);
    } catch (error) {
      await rm(file, { force: true });
      throw error;
    }
  }

  async readAll(key: string): Promise<Buffer | null> {
    try {
      return await readFile(this.pathOf(key));
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable | null> {
    const file = this.pathOf(key);
    if (range) assertRange(range);
    let fd: number;
    try {
      fd = await openFd(file, 'r');
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
    try {
      // Opening a directory succeeds; a prefix is not a blob.
      if (!(await fstatFd(fd)).isFile()) {
        await closeFd(fd);
        return null;
      }
    } catch (error) {
      await closeFd(fd).catch(() => undefined);
      throw error;
    }
    return createReadStream(file, { fd, ...range });
  }

  async stat(key: string): Promise<BlobStat | null> {
    try {
      const info = await stat(this.pathOf(key), { bigint: true });
      if (!info.isFile()) return null;
      // Size and mtime alone repeat for a same-size rewrite within the clock's resolution, or a
      // file that kept its times. Every put makes a new file, whose ctime (which cannot be set
      // back) and inode tell it apart from the one it replaced.
      const parts = [info.size, info.mtimeNs, info.ctimeNs, info.ino].map((n) => n.toString(36));
      return { size: Number(info.size), etag: `"${parts.join('-')}"`, modifiedAt: info.mtime };
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async urlFor(key: string, _options: BlobUrlOptions): Promise<string | null> {
    assertBlobKey(key);
    return null;
  }

  async withLocalCopy<T>(key: string, work: (file: string) => Promise<T>): Promise<T> {
    if (!(await this.stat(key))) throw new BlobNotFoundError(key);
    return work(this.pathOf(key));
  }

  async delete(prefix: string): Promise<void> {
    await rm(this.pathOf(prefix), { recursive: true, force: true });
  }
}

function assertRange({ start, end }: ByteRange): void {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new RangeError(`invalid byte range ${start}-${end}`);
  }
}

const isMissing = (error: unknown): boolean => {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
};
