import { randomUUID } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { BlobNotFoundError, InvalidBlobKeyError, type BlobStore } from '../infra/blobs/blob-store.js';

/**
 * What every BlobStore must do, written against the interface alone so that an S3-compatible
 * store runs the same file (against s3rver, say) before any feature uses it:
 *
 *   describeBlobStoreContract('S3BlobStore', () => openS3Store(...));
 *
 * `openStore` gives a fresh, empty store per test; the caller cleans up after.
 */
export function describeBlobStoreContract(name: string, openStore: () => Promise<BlobStore>): void {
  const segmentKey = (): string => `tracks/${randomUUID()}/v1/hls/128k/seg_00001.m4s`;

  describe(`${name} (BlobStore contract)`, () => {
    describe('hostile keys are refused in every operation with a clear error, touching nothing', () => {
      it.each([
        ['a ".." segment', '../outside', /"\.\.\/outside": it has a "\." or "\.\." segment/],
        ['a ".." segment inside', 'tracks/../../etc/passwd', /it has a "\." or "\.\." segment/],
        ['an absolute path', '/etc/passwd', /"\/etc\/passwd": it is absolute/],
        ['a Windows absolute path', 'C:\\x', /it is absolute/],
        ['a NUL character', 'tracks/a\0.m4s', /"tracks\/a\\u0000\.m4s": it contains a NUL character/],
        ['an empty key', '', /"": it is empty/],
        ['upper case', 'Tracks/x', /lower-case segments/],
        ['a too long key', 'x'.repeat(513), /longer than 512 characters/],
      ])('%s', async (_what, key, message) => {
        const store = await openStore();
        const file = store.scratch.file(`hostile-${randomUUID()}`);
        await writeFile(file, 'payload');
        const dir = store.scratch.file(`hostile-${randomUUID()}`);
        await mkdir(dir);
        await writeFile(path.join(dir, 'a.txt'), 'x');
        const work = vi.fn(async () => 'called');

        const refusals: Array<Promise<unknown>> = [
          store.putFile(key, file),
          store.putDirectory(key, dir),
          store.put(key, 'data'),
          store.readAll(key),
          store.read(key),
          store.read(key, { start: 0, end: 1 }),
          store.stat(key),
          store.urlFor(key, { expiresAt: new Date(Date.now() + 60_000), contentType: 'audio/mp4' }),
          store.withLocalCopy(key, work),
          store.delete(key),
        ];
        for (const refusal of refusals) {
          const error = await refusal.then(
            () => undefined,
            (reason: unknown) => reason,
          );
          expect(error).toBeInstanceOf(InvalidBlobKeyError);
          expect(error).toBeInstanceOf(TypeError);
          expect((error as Error).message).toMatch(/^invalid blob key /);
          expect((error as Error).message).toMatch(message);
          expect((error as Error).message).not.toContain('\0');
        }
        expect(work).not.toHaveBeenCalled();
        expect(await readFile(file, 'utf8')).toBe('payload');
        expect(await readFile(path.join(dir, 'a.txt'), 'utf8')).toBe('x');
      });
    });

    it('put stores bytes or text under a key, replacing what was there', async () => {
      const store = await openStore();
      const key = segmentKey();
      await store.put(key, Buffer.from([0, 1, 2, 255]));
      expect(await store.readAll(key)).toEqual(Buffer.from([0, 1, 2, 255]));
      await store.put(key, 'second');
      expect((await store.readAll(key))?.toString()).toBe('second');
    });

    it('putFile takes a scratch file in under its key (the file is gone), replacing what was there', async () => {
      const store = await openStore();
      const key = segmentKey();
      for (const content of ['first version', 'second']) {
        const file = store.scratch.file(`put-file-${randomUUID()}.m4s`);
        await writeFile(file, content);
        await store.putFile(key, file);
        expect(await exists(file)).toBe(false);
        expect((await store.readAll(key))?.toString()).toBe(content);
      }
    });

    it('putDirectory publishes a scratch directory as a prefix, replacing all that was under it', async () => {
      const store = await openStore();
      const track = `tracks/${randomUUID()}`;
      const prefix = `${track}/v1`;
      await store.put(`${track}/source`, 'the upload');
      await store.putDirectory(
        prefix,
        await scratchDirectory(store, { 'peaks.json': 'old', 'old-only.m4s': 'old', 'hls/deep/x.m4s': 'old' }),
      );

      const fresh = await scratchDirectory(store, {
        'peaks.json': '[1,2]',
        'hls/master.m3u8': '#EXTM3U',
        'hls/128k/seg_00001.m4s': 'segment',
      });
      await store.putDirectory(prefix, fresh);
      expect(await exists(fresh)).toBe(false);
      expect((await store.readAll(`${prefix}/peaks.json`))?.toString()).toBe('[1,2]');
      expect((await store.readAll(`${prefix}/hls/master.m3u8`))?.toString()).toBe('#EXTM3U');
      expect((await store.readAll(`${prefix}/hls/128k/seg_00001.m4s`))?.toString()).toBe('segment');
      expect(await store.readAll(`${prefix}/old-only.m4s`)).toBeNull();
      expect(await store.readAll(`${prefix}/hls/deep/x.m4s`)).toBeNull();
      expect((await store.readAll(`${track}/source`))?.toString()).toBe('the upload');
    });

    it('what is not there, and a prefix, read as null', async () => {
      const store = await openStore();
      await store.put('tracks/a/file.bin', 'abc');
      for (const key of ['nothing', 'tracks/b/file.bin', 'tracks/a/other.bin', 'tracks/a/file.bin/below', 'tracks/a']) {
        expect(await store.readAll(key)).toBeNull();
        expect(await store.read(key)).toBeNull();
        expect(await store.read(key, { start: 0, end: 0 })).toBeNull();
        expect(await store.stat(key)).toBeNull();
      }
    });

    it('stat gives the size, the modification time and a quoted etag that is stable while the content is', async () => {
      const store = await openStore();
      const before = Date.now();
      await store.put('covers/x.jpg', Buffer.from('0123456789abcdef'));
      const first = await store.stat('covers/x.jpg');
      expect(first).toEqual({ size: 16, etag: expect.stringMatching(/^"[^"\s]+"$/), modifiedAt: expect.any(Date) });
      // Clocks of a filesystem or an object store round; a minute either way is still "now".
      expect(Math.abs(first!.modifiedAt.getTime() - before)).toBeLessThan(60_000);
      expect(await store.stat('covers/x.jpg')).toEqual(first);
      expect(await store.stat('covers/x.jpg')).toEqual(first);

      await store.put('covers/empty.jpg', '');
      expect((await store.stat('covers/empty.jpg'))?.size).toBe(0);
    });

    it('the etag changes when the content does, also at the same size', async () => {
      const store = await openStore();
      const key = 'covers/x.jpg';
      const etags = new Set<string>();
      for (const content of ['aaaa', 'bbbbbbbb', 'cccccccc', 'aaaa']) {
        await store.put(key, content);
        etags.add((await store.stat(key))!.etag);
      }
      expect(etags.size).toBe(4);
    });

    it('read streams the whole blob, or exactly the bytes of an inclusive range', async () => {
      const store = await openStore();
      const key = segmentKey();
      const data = Buffer.from(Array.from({ length: 100_000 }, (_, i) => i % 251));
      await store.put(key, data);

      expect((await collect((await store.read(key))!)).equals(data)).toBe(true);
      for (const [start, end] of [
        [0, 0],
        [0, 99_999],
        [10, 19],
        [99_999, 99_999],
        [50_000, 99_998],
        [65_530, 65_540],
      ] as const) {
        const bytes = await collect((await store.read(key, { start, end }))!);
        expect(bytes.length).toBe(end - start + 1);
        expect(bytes.equals(data.subarray(start, end + 1))).toBe(true);
      }
    });

    it('read refuses a range that is not one', async () => {
      const store = await openStore();
      const key = segmentKey();
      await store.put(key, 'abcdef');
      for (const range of [
        { start: 3, end: 2 },
        { start: -1, end: 2 },
        { start: 0.5, end: 2 },
      ]) {
        await expect(store.read(key, range)).rejects.toThrow(RangeError);
      }
    });

    it('urlFor is null (served through the app) or a URL that serves the blob, ranges included', async () => {
      const store = await openStore();
      const key = segmentKey();
      await store.put(key, 'direct bytes');
      const url = await store.urlFor(key, { expiresAt: new Date(Date.now() + 60_000), contentType: 'audio/mp4' });
      if (url === null) return;
      expect(new URL(url).protocol).toMatch(/^https?:$/);
      const whole = await fetch(url);
      expect(whole.status).toBe(200);
      expect(await whole.text()).toBe('direct bytes');
      const part = await fetch(url, { headers: { range: 'bytes=7-11' } });
      expect(part.status).toBe(206);
      expect(await part.text()).toBe('bytes');
    });

    it('withLocalCopy hands a readable file with the bytes and returns what the work returns', async () => {
      const store = await openStore();
      const key = `tracks/${randomUUID()}/source`;
      await store.put(key, 'the whole upload');
      const result = await store.withLocalCopy(key, async (file) => {
        expect(path.isAbsolute(file)).toBe(true);
        return readFile(file, 'utf8');
      });
      expect(result).toBe('the whole upload');
      // Reading through a local copy does not consume or change the blob.
      expect((await store.readAll(key))?.toString()).toBe('the whole upload');
    });

    it('withLocalCopy passes on what the work throws, and refuses a missing blob without calling it', async () => {
      const store = await openStore();
      const key = `tracks/${randomUUID()}/source`;
      await store.put(key, 'x');
      const failure = new Error('ffmpeg failed');
      await expect(store.withLocalCopy(key, () => Promise.reject(failure))).rejects.toBe(failure);

      const work = vi.fn(async () => 'called');
      const missing = `tracks/${randomUUID()}/source`;
      await expect(store.withLocalCopy(missing, work)).rejects.toThrow(BlobNotFoundError);
      await expect(store.withLocalCopy(missing, work)).rejects.toMatchObject({ key: missing });
      expect(work).not.toHaveBeenCalled();
    });

    it('delete removes a key or a prefix and everything under it, and nothing else; again is fine', async () => {
      const store = await openStore();
      const gone = ['tracks/a/v1/hls/master.m3u8', 'tracks/a/v1/hls/128k/seg.m4s', 'tracks/a/source'];
      const kept = ['tracks/ab/source', 'tracks/b/source', 'covers/a.jpg', 'covers/a.jpg2'];
      for (const key of [...gone, ...kept]) await store.put(key, key);

      await store.delete('tracks/a');
      for (const key of gone) expect(await store.stat(key)).toBeNull();
      // A prefix is whole segments: `tracks/a` is not a prefix of `tracks/ab`.
      for (const key of kept) expect((await store.readAll(key))?.toString()).toBe(key);

      await expect(store.delete('tracks/a')).resolves.toBeUndefined();
      await expect(store.delete('never/existed')).resolves.toBeUndefined();
      await store.delete('covers/a.jpg');
      expect(await store.readAll('covers/a.jpg')).toBeNull();
      expect((await store.readAll('covers/a.jpg2'))?.toString()).toBe('covers/a.jpg2');
    });

    it('scratch gives working files and directories; a directory is gone afterwards, also on failure', async () => {
      const store = await openStore();
      const file = store.scratch.file(`cover-${randomUUID()}.jpg`);
      expect(path.extname(file)).toBe('.jpg');
      expect(await exists(file)).toBe(false);
      await writeFile(file, 'working');

      let kept = '';
      const answer = await store.scratch.withDirectory(`job-${randomUUID()}`, async (dir) => {
        kept = dir;
        expect((await stat(dir)).isDirectory()).toBe(true);
        await writeFile(path.join(dir, 'peaks.json'), '[]');
        return 42;
      });
      expect(answer).toBe(42);
      expect(await exists(kept)).toBe(false);

      const failure = new Error('transcode failed');
      await expect(
        store.scratch.withDirectory(`job-${randomUUID()}`, async (dir) => {
          kept = dir;
          await writeFile(path.join(dir, 'half.m4s'), 'x');
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect(await exists(kept)).toBe(false);
    });

    it('scratch refuses names that are not one plain segment', async () => {
      const store = await openStore();
      for (const name of ['', '..', '../x', 'a/b', '/abs', 'a\0b', '.hidden']) {
        expect(() => store.scratch.file(name)).toThrow(/invalid scratch name/);
        await expect(store.scratch.withDirectory(name, async () => undefined)).rejects.toThrow(/invalid scratch name/);
      }
    });
  });
}

const exists = (file: string): Promise<boolean> =>
  stat(file).then(
    () => true,
    () => false,
  );

/** A directory made in scratch from `files` (relative path → content). */
async function scratchDirectory(store: BlobStore, files: Record<string, string>): Promise<string> {
  const dir = store.scratch.file(`dir-${randomUUID()}`);
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
  return dir;
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
