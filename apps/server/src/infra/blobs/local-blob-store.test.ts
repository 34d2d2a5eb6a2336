import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { assertBlobKey, isBlobKey } from './blob-store.js';
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
    expect(() => assertBlobKey(key)).toThrow(TypeError);
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

describe('LocalBlobStore', () => {
  it('open() creates the root and a private scratch directory', async () => {
    const root = path.join(tempDir(), 'not', 'yet');
    const store = await openStore(root);
    expect(path.dirname(store.scratchDir)).toBe(path.join(root, '.scratch'));
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
    expect((await second.read('covers/a.jpg'))?.toString()).toBe('kept');
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

  it('refuses invalid keys in every operation, touching nothing', async () => {
    const store = await openStore();
    const source = await scratchFile(store, 'payload');
    const dir = await scratchDirectory(store, { 'a.txt': 'x' });
    for (const key of ['../outside', '/abs', 'a//b', 'A', 'a\\..\\b']) {
      expect(() => store.pathOf(key)).toThrow(TypeError);
      await expect(store.putFile(key, source)).rejects.toThrow(TypeError);
      await expect(store.putDirectory(key, dir)).rejects.toThrow(TypeError);
      await expect(store.read(key)).rejects.toThrow(TypeError);
      await expect(store.stat(key)).rejects.toThrow(TypeError);
      await expect(store.localPath(key)).rejects.toThrow(TypeError);
      await expect(store.delete(key)).rejects.toThrow(TypeError);
      expect(() => store.createReadStream(key)).toThrow(TypeError);
    }
    expect(await readFile(source, 'utf8')).toBe('payload');
    expect(await listFiles(dir)).toEqual(['a.txt']);
    expect(await exists(path.join(path.dirname(store.root), 'outside'))).toBe(false);
  });

  it('putFile moves the file in under its key, replacing what was there', async () => {
    const store = await openStore();
    const first = await scratchFile(store, 'first version');
    await store.putFile(SEGMENT_KEY, first);
    expect(await exists(first)).toBe(false);
    expect((await store.read(SEGMENT_KEY))?.toString()).toBe('first version');
    expect(await store.localPath(SEGMENT_KEY)).toBe(path.join(store.root, ...SEGMENT_KEY.split('/')));

    const second = await scratchFile(store, 'second');
    await store.putFile(SEGMENT_KEY, second);
    expect(await exists(second)).toBe(false);
    expect((await store.read(SEGMENT_KEY))?.toString()).toBe('second');
    expect(await readdir(store.scratchDir)).toEqual([]);
  });

  it('putDirectory publishes a directory under a new prefix', async () => {
    const store = await openStore();
    const prefix = `tracks/${randomUUID()}/v1/hls`;
    const dir = await scratchDirectory(store, {
      'master.m3u8': 'm',
      '128k/index.m3u8': 'i',
      '128k/seg_00001.m4s': 's',
    });
    await store.putDirectory(prefix, dir);
    expect(await exists(dir)).toBe(false);
    expect(await listFiles(await store.localPath(prefix))).toEqual([
      '128k/index.m3u8',
      '128k/seg_00001.m4s',
      'master.m3u8',
    ]);
    expect((await store.read(`${prefix}/128k/seg_00001.m4s`))?.toString()).toBe('s');
  });

  it('putDirectory replaces an existing prefix: the old content is gone, the new one complete', async () => {
    const store = await openStore();
    const prefix = `tracks/${randomUUID()}/v1/hls`;
    await store.putDirectory(
      prefix,
      await scratchDirectory(store, { 'master.m3u8': 'old', 'old-only.m4s': 'old', 'sub/deep.m4s': 'old' }),
    );
    const sibling = `tracks/${randomUUID()}/v1/hls/master.m3u8`;
    await store.putFile(sibling, await scratchFile(store, 'other track'));

    const fresh: Record<string, string> = { 'master.m3u8': 'new' };
    for (let n = 0; n < 50; n++) fresh[`128k/seg_${String(n).padStart(5, '0')}.m4s`] = `segment ${n}`;
    const dir = await scratchDirectory(store, fresh);

    // A reader looking while it is published must never see part of the new directory.
    const expected = Object.keys(fresh).sort();
    let publishing = true;
    const partial: string[][] = [];
    const reader = (async () => {
      while (publishing) {
        const files = await listFiles(await store.localPath(prefix)).catch(() => []);
        if (files.some((file) => file.startsWith('128k/')) && JSON.stringify(files) !== JSON.stringify(expected))
          partial.push(files);
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    await store.putDirectory(prefix, dir);
    publishing = false;
    await reader;

    expect(partial).toEqual([]);
    expect(await listFiles(await store.localPath(prefix))).toEqual(expected);
    expect(await store.read(`${prefix}/old-only.m4s`)).toBeNull();
    expect(await store.read(`${prefix}/sub/deep.m4s`)).toBeNull();
    expect((await store.read(`${prefix}/master.m3u8`))?.toString()).toBe('new');
    expect((await store.read(`${prefix}/128k/seg_00049.m4s`))?.toString()).toBe('segment 49');
    expect((await store.read(sibling))?.toString()).toBe('other track');
    expect(await readdir(store.scratchDir)).toEqual([]);
  });

  it('read and stat of what is not there give null', async () => {
    const store = await openStore();
    await store.putFile('tracks/a/file.bin', await scratchFile(store, 'abc'));
    for (const key of ['nothing', 'tracks/b/file.bin', 'tracks/a/other.bin', 'tracks/a/file.bin/below']) {
      expect(await store.read(key)).toBeNull();
      expect(await store.stat(key)).toBeNull();
    }
    // A prefix is not a blob.
    expect(await store.stat('tracks/a')).toBeNull();
  });

  it('stat gives the size and a quoted etag that is stable while the content is', async () => {
    const store = await openStore();
    const content = Buffer.from('0123456789abcdef');
    await store.putFile('covers/x.jpg', await scratchFile(store, content));
    const first = await store.stat('covers/x.jpg');
    expect(first).toEqual({ size: 16, etag: expect.stringMatching(/^"[^"\s]+"$/) });
    expect(await store.stat('covers/x.jpg')).toEqual(first);
  });

  it('the etag changes when the content does, even at the same size and modification time', async () => {
    const store = await openStore();
    const key = 'covers/x.jpg';
    await store.putFile(key, await scratchFile(store, 'aaaa'));
    const before = (await store.stat(key))!;
    const mtime = (await stat(await store.localPath(key))).mtime;

    await store.putFile(key, await scratchFile(store, 'bbbbbbbb'));
    const longer = (await store.stat(key))!;
    expect(longer.size).toBe(8);
    expect(longer.etag).not.toBe(before.etag);

    // Same size, written at once: within the resolution of any clock.
    await store.putFile(key, await scratchFile(store, 'dddddddd'));
    expect((await store.stat(key))!.etag).not.toBe(longer.etag);

    // Same size, and the same mtime (a coarse-grained filesystem, a copy that kept its times).
    const replacement = await scratchFile(store, 'cccc');
    await utimes(replacement, mtime, mtime);
    await store.putFile(key, replacement);
    const same = (await store.stat(key))!;
    expect((await store.read(key))?.toString()).toBe('cccc');
    expect(same.size).toBe(before.size);
    expect(same.etag).not.toBe(before.etag);
  });

  it('createReadStream gives the whole blob, or exactly the bytes of a range', async () => {
    const store = await openStore();
    const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
    await store.putFile(SEGMENT_KEY, await scratchFile(store, data));

    expect((await collect(store.createReadStream(SEGMENT_KEY))).equals(data)).toBe(true);
    for (const [start, end] of [
      [0, 0],
      [0, 999],
      [10, 19],
      [999, 999],
      [500, 998],
    ] as const) {
      const bytes = await collect(store.createReadStream(SEGMENT_KEY, { start, end }));
      expect(bytes.length).toBe(end - start + 1);
      expect(bytes.equals(data.subarray(start, end + 1))).toBe(true);
    }
  });

  it('createReadStream of a missing blob fails as a stream error', async () => {
    const store = await openStore();
    await expect(collect(store.createReadStream('tracks/missing.m4s'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('delete removes a prefix and everything under it, and nothing else; deleting again is fine', async () => {
    const store = await openStore();
    const files = ['tracks/a/v1/hls/master.m3u8', 'tracks/a/v1/hls/128k/seg.m4s', 'tracks/a/source.flac'];
    for (const key of [...files, 'tracks/ab/source.flac', 'tracks/b/source.flac', 'covers/a.jpg'])
      await store.putFile(key, await scratchFile(store, key));

    await store.delete('tracks/a');
    for (const key of files) expect(await store.read(key)).toBeNull();
    expect(await exists(path.join(store.root, 'tracks', 'a'))).toBe(false);
    // A prefix is whole segments: `tracks/a` is not a prefix of `tracks/ab`.
    expect((await store.read('tracks/ab/source.flac'))?.toString()).toBe('tracks/ab/source.flac');
    expect((await store.read('tracks/b/source.flac'))?.toString()).toBe('tracks/b/source.flac');
    expect((await store.read('covers/a.jpg'))?.toString()).toBe('covers/a.jpg');

    await expect(store.delete('tracks/a')).resolves.toBeUndefined();
    await expect(store.delete('never/existed')).resolves.toBeUndefined();

    await store.delete('covers/a.jpg');
    expect(await store.read('covers/a.jpg')).toBeNull();
    expect(await exists(store.scratchDir)).toBe(true);
  });
});
