import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseByteRange } from './byte-range.js';
import { createLocalFileResponse, localMediaUrl, resolveLocalMediaPath } from './local-media.js';

let dir: string;
let roots: Record<string, string>;
let audio: string;
const content = randomBytes(1000);

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'veza-local-media-'));
  roots = { downloads: path.join(dir, 'downloads'), covers: path.join(dir, 'covers') };
  await mkdir(roots.downloads!, { recursive: true });
  await mkdir(roots.covers!, { recursive: true });
  audio = path.join(roots.downloads!, 'track-128k.m4a');
  await writeFile(audio, content);
  await writeFile(path.join(roots.covers!, 'a.jpg'), 'jpeg');
  await writeFile(path.join(dir, 'secret.txt'), 'secret');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('localMediaUrl and resolveLocalMediaPath', () => {
  it('round-trips a file name through both shells’ bases', () => {
    for (const base of ['veza-media://local/', 'http://127.0.0.1:4321/local-media/']) {
      const url = localMediaUrl(base, 'downloads', 'track-128k.m4a');
      expect(url).toBe(`${base}downloads/track-128k.m4a`);
      const urlPath = new URL(url).pathname.replace(/^\/local-media/, '');
      expect(resolveLocalMediaPath(roots, urlPath)).toBe(audio);
    }
  });

  it('encodes names with spaces and non-ASCII characters and decodes them back', () => {
    const url = localMediaUrl('veza-media://local/', 'covers', 'déjà vu #1.jpg');
    expect(url).toBe('veza-media://local/covers/d%C3%A9j%C3%A0%20vu%20%231.jpg');
    expect(resolveLocalMediaPath(roots, new URL(url).pathname)).toBe(path.join(roots.covers!, 'déjà vu #1.jpg'));
  });

  it('accepts nested paths inside a root', () => {
    expect(resolveLocalMediaPath(roots, 'downloads/sub/x.m4a')).toBe(path.join(roots.downloads!, 'sub', 'x.m4a'));
  });

  const hostile = [
    '',
    '/',
    'downloads',
    'downloads/',
    '/downloads/',
    'downloads/../secret.txt',
    'downloads/..',
    'downloads/./track-128k.m4a',
    '../secret.txt',
    '..',
    'downloads/%2e%2e/secret.txt',
    'downloads/%2E%2E/secret.txt',
    'downloads/.%2e/secret.txt',
    'downloads/%2e./secret.txt',
    'downloads/..%2fsecret.txt',
    'downloads/%2fetc%2fpasswd',
    'downloads/%2Fetc/passwd',
    'downloads/..%5csecret.txt',
    'downloads/..\\secret.txt',
    'downloads\\..\\secret.txt',
    'downloads/%00.m4a',
    'downloads/a\0.m4a',
    'downloads//etc/passwd',
    '//etc/passwd',
    '/etc/passwd',
    'etc/passwd',
    'unknown/track-128k.m4a',
    '__proto__/x',
    'constructor/x',
    'toString/x',
    'downloads/C:/Windows/win.ini',
    'downloads/C:secret',
    'downloads/%E0%A4%A', // malformed escape
    'downloads/%',
    'downloads/%252e%252e/secret.txt'.replace('%252e%252e', '%25%32%65'), // double-encoded dot
    'downloads/%252e%252e/secret.txt',
  ];

  it.each(hostile)('refuses %j', (urlPath) => {
    expect(resolveLocalMediaPath(roots, urlPath)).toBeNull();
  });

  it('refuses a relative root directory', () => {
    expect(resolveLocalMediaPath({ downloads: 'relative' }, 'downloads/x.m4a')).toBeNull();
  });
});

describe('parseByteRange', () => {
  const size = 1000;
  it.each([
    [undefined, null],
    ['bytes=0-', { start: 0, end: 999 }],
    ['bytes=0-0', { start: 0, end: 0 }],
    ['bytes=-500', { start: 500, end: 999 }],
    ['bytes=-5000', { start: 0, end: 999 }],
    ['bytes=-0', 'unsatisfiable'],
    ['bytes=100-199', { start: 100, end: 199 }],
    ['bytes=900-5000', { start: 900, end: 999 }],
    ['bytes=999-', { start: 999, end: 999 }],
    ['bytes=1000-', 'unsatisfiable'],
    ['bytes=5000-6000', 'unsatisfiable'],
    ['bytes=100-50', null],
    ['bytes=0-1,5-9', null],
    ['bytes=-', null],
    ['items=0-1', null],
    ['bytes=abc', null],
    ['bytes=99999999999999999999-', null],
  ] as const)('%j → %j', (header, expected) => {
    expect(parseByteRange(header, size)).toEqual(expected);
  });

  it('finds no satisfiable range in an empty file', () => {
    expect(parseByteRange('bytes=0-', 0)).toBe('unsatisfiable');
    expect(parseByteRange('bytes=-10', 0)).toBe('unsatisfiable');
  });
});

describe('createLocalFileResponse', () => {
  const bytes = async (response: Response) => Buffer.from(await response.arrayBuffer());

  it('serves the whole file with its type and length', async () => {
    const response = await createLocalFileResponse(audio, { method: 'GET' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('audio/mp4');
    expect(response.headers.get('content-length')).toBe('1000');
    expect(response.headers.get('accept-ranges')).toBe('bytes');
    expect((await bytes(response)).equals(content)).toBe(true);
  });

  it('types covers as JPEG', async () => {
    const response = await createLocalFileResponse(path.join(roots.covers!, 'a.jpg'), { method: 'GET' });
    expect(response.headers.get('content-type')).toBe('image/jpeg');
    expect(await response.text()).toBe('jpeg');
  });

  it('answers HEAD with headers and no body', async () => {
    const response = await createLocalFileResponse(audio, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe('1000');
    expect(response.body).toBeNull();
  });

  it.each([
    ['bytes=0-', 0, 999],
    ['bytes=-500', 500, 999],
    ['bytes=100-199', 100, 199],
    ['bytes=990-5000', 990, 999],
  ])('serves %s as 206', async (range, start, end) => {
    const response = await createLocalFileResponse(audio, { method: 'GET', range });
    expect(response.status).toBe(206);
    expect(response.headers.get('content-range')).toBe(`bytes ${start}-${end}/1000`);
    expect(response.headers.get('content-length')).toBe(String(end - start + 1));
    expect((await bytes(response)).equals(content.subarray(start, end + 1))).toBe(true);
  });

  it('answers 416 beyond the end', async () => {
    const response = await createLocalFileResponse(audio, { method: 'GET', range: 'bytes=1000-' });
    expect(response.status).toBe(416);
    expect(response.headers.get('content-range')).toBe('bytes */1000');
  });

  it.each(['bytes=100-50', 'bytes=0-1,5-9', 'bytes=x'])('ignores %s and serves the whole file', async (range) => {
    const response = await createLocalFileResponse(audio, { method: 'GET', range });
    expect(response.status).toBe(200);
    expect((await bytes(response)).length).toBe(1000);
  });

  it('refuses other methods', async () => {
    const response = await createLocalFileResponse(audio, { method: 'POST' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
  });

  it('answers 404 for a missing file or a directory', async () => {
    expect((await createLocalFileResponse(path.join(dir, 'nope.m4a'), { method: 'GET' })).status).toBe(404);
    expect((await createLocalFileResponse(roots.downloads!, { method: 'GET' })).status).toBe(404);
  });

  it('serves an empty file', async () => {
    const empty = path.join(roots.downloads!, 'empty.m4a');
    await writeFile(empty, '');
    const response = await createLocalFileResponse(empty, { method: 'GET' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe('0');
  });

  it('lets the consumer cancel mid-stream', async () => {
    const response = await createLocalFileResponse(audio, { method: 'GET' });
    const reader = response.body!.getReader();
    await reader.read();
    await reader.cancel();
  });
});
