import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { describeBlobStoreContract } from '../../test-support/blob-store-contract.js';
import { assertBlobKey, InvalidBlobKeyError, isBlobKey } from './blob-store.js';
import { LocalBlobStore } from './local-blob-store.js';

const roots: string[] = [];

afterEach(async () => {
  for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'veza-blob-test-'));
  roots.push(dir);
  return dir;
}

const openStore = (root = tempDir()): Promise<LocalBlobStore> => new LocalBlobStore(root).open();

const exists = (file: string): Promise<boolean> =>
  stat(file).then(
    () => true,
    () => false,
  );

/** A file made in scratch, as the real writers make theirs. */
async function scratchFile(store: LocalBlobStore, content: string | Buffer): Promise<string> {
  const file = path.join(store.scratchDir, randomUUID());
  await writeFile(file, content);
  return file;
}

/** A directory made in scratch from `files` (relative path → content). */
async function scratchDirectory(store: LocalBlobStore, files: Record<string, string>): Promise<string> {
  const dir = path.join(store.scratchDir, randomUUID());
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
  return dir;
}

/** Every file under `dir`, relative and with forward slashes, sorted. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const SEGMENT_KEY = `tracks/${randomUUID()}/v1/hls/128k/seg_00001.m4s`;

describe('blob keys', () => {
  it.each([
    SEGMENT_KEY,
    'a',
    '0',
    'covers/abc.jpg',
    'tracks/x/v12/download-256k.m4a',
    'a_b-c/d.e.f',
    'a1/b2/c3/d4/e5/f6/g7',
    'x'.repeat(512),
  ])('accepts %s', (key) => {
    expect(isBlobKey(key)).toBe(true);
    expect(() => assertBlobKey(key)).not.toThrow();
  });

  it.each([
    ['empty', ''],
    ['dot-dot', '..'],
    ['dot', '.'],
    ['dot-dot segment', 'tracks/../etc/passwd'],
    ['dot segment', 'tracks/./x'],
    ['trailing dot-dot', 'tracks/..'],
    ['leading slash', '/etc/passwd'],
    ['empty segment', 'a//b'],
    ['trailing slash', 'a/b/'],
    ['backslash', 'a\\b'],
    ['backslash traversal', '..\\..\\windows'],
    ['upper case', 'Tracks/x'],
    ['upper case extension', 'covers/a.JPG'],
    ['NUL', 'a\0b'],
    ['trailing NUL', 'a.m4s\0'],
    ['percent-encoded dots', '%2e%2e'],
    ['percent-encoded traversal', 'tracks/%2e%2e/x'],
    ['percent-encoded slash', 'a%2fb'],
    ['hidden file', '.hidden'],
    ['hidden segment', 'tracks/.scratch/x'],
    ['double dot inside', 'a..b'],
    ['trailing dot', 'a.'],
    ['leading dash', '-rf'],
    ['leading underscore segment', 'a/_b'],
    ['space', 'a b'],
    ['newline', 'a\n'],
    ['drive letter', 'c:/x'],
    ['query', 'a?b'],
    ['fragment', 'a#b'],
    ['tilde', '~/x'],
    ['non-ASCII', 'caf\u00e9'],
    ['full-width dot', '\uff0e\uff0e'],
    ['too long', 'x'.repeat(513)],
    ['too long in segments', Array.from({ length: 200 }, () => 'ab').join('/')],
  ])('rejects %s', (_name, key) => {
    expect(isBlobKey(key)).toBe(false);
    expect(() => assertBlobKey(key)).toThrow(InvalidBlobKeyError);
  });

  it('a key that passes always names a path inside the root, unchanged by normalisation', () => {
    const root = path.resolve('/srv/media');
    const segment = fc.stringMatching(/^[a-z0-9._/-]{1,12}$/);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          segment,
          fc.array(segment).map((parts) => parts.join('/')),
        ),
        (key) => {
          if (!isBlobKey(key)) return;
          const full = path.join(root, ...key.split('/'));
          expect(full.startsWith(root + path.sep)).toBe(true);
          expect(path.relative(root, full).split(path.sep).join('/')).toBe(key);
          expect(path.posix.normalize(key)).toBe(key);
        },
      ),
      { numRuns: 2_000 },
    );
  });
});

describeBlobStoreContract('LocalBlobStore', () => openStore());

describe('LocalBlobStore', () => {
  it('open() creates the root and a private scratch directory', async () => {
    const root = path.join(tempDir(), 'not', 'yet');
    const store = await openStore(root);
    expect(path.dirname(store.scratchDir)).toBe(path.join(root, '.scratch'));
    expect(path.dirname(store.scratch.file('x.flac'))).toBe(store.scratchDir);
    const info = await stat(store.scratchDir);
    expect(info.isDirectory()).toBe(true);
    if (process.platform !== 'win32') expect(info.mode & 0o777).toBe(0o700);
  });

  it('open() sweeps what a dead process left in scratch and keeps the blobs', async () => {
    const root = tempDir();
    const first = await openStore(root);
    await first.putFile('covers/a.jpg', await scratchFile(first, 'kept'));
    await writeFile(path.join(first.scratchDir, 'half-written.m4a'), 'litter');
    await mkdir(path.join(first.scratchDir, 'ladder', 'hls'), { recursive: true });
    await writeFile(path.join(first.scratchDir, 'ladder', 'hls', 'seg.m4s'), 'litter');

    const second = await openStore(root);
    expect(await readdir(second.scratchDir)).toEqual([]);
    // The dead process's own scratch directory is gone, not just emptied of what it held.
    expect(await readdir(path.join(root, '.scratch'))).toEqual([path.basename(second.scratchDir)]);
    expect((await second.readAll('covers/a.jpg'))?.toString()).toBe('kept');
  });

  it('open({ sweep: "stale" }) keeps the fresh scratch of instances that share the directory', async () => {
    const root = tempDir();
    const live = await new LocalBlobStore(root).open({ sweep: 'stale' });
    await writeFile(path.join(live.scratchDir, 'upload-in-progress'), 'busy');
    const dead = await new LocalBlobStore(root).open({ sweep: 'stale' });
    await writeFile(path.join(dead.scratchDir, 'left-behind'), 'litter');
    const dayAndAMinuteAgo = new Date(Date.now() - 24 * 60 * 60 * 1000 - 60_000);
    await utimes(dead.scratchDir, dayAndAMinuteAgo, dayAndAMinuteAgo);

    const another = await new LocalBlobStore(root).open({ sweep: 'stale' });
    expect(await readdir(live.scratchDir)).toEqual(['upload-in-progress']);
    expect((await readdir(path.join(root, '.scratch'))).sort()).toEqual(
      [path.basename(live.scratchDir), path.basename(another.scratchDir)].sort(),
    );
  });

  it('a refused key touches nothing outside the root', async () => {
    const store = await openStore();
    await expect(store.put('../outside', 'escaped')).rejects.toThrow(InvalidBlobKeyError);
    await expect(store.delete('..')).rejects.toThrow(InvalidBlobKeyError);
    expect(await exists(path.join(path.dirname(store.root), 'outside'))).toBe(false);
    expect(await exists(store.root)).toBe(true);
    expect(await readdir(store.scratchDir)).toEqual([]);
  });

  it('keeps blobs as files under the root, named by their key, and leaves nothing in scratch', async () => {
    const store = await openStore();
    await store.putFile(SEGMENT_KEY, await scratchFile(store, 'segment'));
    await store.put('covers/a.jpg', 'cover');
    expect(await readFile(path.join(store.root, ...SEGMENT_KEY.split('/')), 'utf8')).toBe('segment');
    expect(await readFile(path.join(store.root, 'covers', 'a.jpg'), 'utf8')).toBe('cover');
    expect(await readdir(store.scratchDir)).toEqual([]);
  });

  it('withLocalCopy hands out the blob file itself: nothing is copied', async () => {
    const store = await openStore();
    await store.put('tracks/a/source', 'audio');
    const file = await store.withLocalCopy('tracks/a/source', async (local) => local);
    expect(file).toBe(path.join(store.root, 'tracks', 'a', 'source'));
    expect(await readdir(store.scratchDir)).toEqual([]);
  });

  it('serves through the app: urlFor is null', async () => {
    const store = await openStore();
    await store.put(SEGMENT_KEY, 'segment');
    expect(
      await store.urlFor(SEGMENT_KEY, { expiresAt: new Date(Date.now() + 60_000), contentType: 'video/iso.segment' }),
    ).toBeNull();
  });

  it('putDirectory swaps a prefix in one rename: a reader on the disk never sees part of it', async () => {
    const store = await openStore();
    const prefix = `tracks/${randomUUID()}/v1/hls`;
    const onDisk = path.join(store.root, ...prefix.split('/'));
    await store.putDirectory(
      prefix,
      await scratchDirectory(store, { 'master.m3u8': 'old', 'old-only.m4s': 'old', 'sub/deep.m4s': 'old' }),
    );
    const fresh: Record<string, string> = { 'master.m3u8': 'new' };
    for (let n = 0; n < 50; n++) fresh[`128k/seg_${String(n).padStart(5, '0')}.m4s`] = `segment ${n}`;
    const dir = await scratchDirectory(store, fresh);

    const expected = Object.keys(fresh).sort();
    let publishing = true;
    const partial: string[][] = [];
    const reader = (async () => {
      while (publishing) {
        const files = await listFiles(onDisk).catch(() => []);
        if (files.some((file) => file.startsWith('128k/')) && JSON.stringify(files) !== JSON.stringify(expected))
          partial.push(files);
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    await store.putDirectory(prefix, dir);
    publishing = false;
    await reader;

    expect(partial).toEqual([]);
    expect(await listFiles(onDisk)).toEqual(expected);
    expect(await readdir(store.scratchDir)).toEqual([]);
  });

  it('the etag changes for a same-size replacement that kept the old modification time', async () => {
    const store = await openStore();
    const key = 'covers/x.jpg';
    await store.put(key, 'aaaa');
    const before = (await store.stat(key))!;
    const mtime = (await stat(path.join(store.root, 'covers', 'x.jpg'))).mtime;

    // A coarse-grained filesystem, or a copy that kept its times.
    const replacement = await scratchFile(store, 'cccc');
    await utimes(replacement, mtime, mtime);
    await store.putFile(key, replacement);
    const same = (await store.stat(key))!;
    expect((await store.readAll(key))?.toString()).toBe('cccc');
    expect(same.size).toBe(before.size);
    expect(same.etag).not.toBe(before.etag);
  });

  it('a stream read from a blob still gives its bytes after the blob is replaced or deleted', async () => {
    const store = await openStore();
    const data = Buffer.alloc(200_000, 7);
    await store.put(SEGMENT_KEY, data);
    const stream = (await store.read(SEGMENT_KEY))!;
    await store.put(SEGMENT_KEY, 'replaced');
    await store.delete('tracks');
    expect((await collect(stream)).equals(data)).toBe(true);
  });
});
