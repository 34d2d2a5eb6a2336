import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMediaProtocolHandler } from './media-protocol.js';

let base: string;
let handler: ReturnType<typeof createMediaProtocolHandler>;
const audio = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 256));

beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'veza-media-'));
  await mkdir(path.join(base, 'downloads', 'album'), { recursive: true });
  await mkdir(path.join(base, 'covers'), { recursive: true });
  await writeFile(path.join(base, 'downloads', 'album', 'track one.m4a'), audio);
  await writeFile(path.join(base, 'covers', 'c.jpg'), 'jpeg');
  await writeFile(path.join(base, 'secret.m4a'), 'outside');
  handler = createMediaProtocolHandler({
    getRoots: async () => ({ downloads: path.join(base, 'downloads'), covers: path.join(base, 'covers') }),
  });
});
afterAll(async () => rm(base, { recursive: true, force: true }));

const TRACK = 'veza-media://local/downloads/album/track%20one.m4a';
const request = (url: string, method = 'GET', range?: string) => ({
  url,
  method,
  headers: new Headers(range ? { Range: range } : {}),
});

describe('veza-media://local protocol', () => {
  it('serves a whole file with its type and Accept-Ranges', async () => {
    const response = await handler(request(TRACK));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('audio/mp4');
    expect(response.headers.get('accept-ranges')).toBe('bytes');
    expect(response.headers.get('content-length')).toBe('1000');
    expect(response.headers.get('access-control-allow-origin')).toBe('veza://app');
    expect(Buffer.from(await response.arrayBuffer()).equals(audio)).toBe(true);
  });

  it('answers a Range request with 206 and exactly those bytes (Range logic: core/media/byte-range.ts)', async () => {
    const response = await handler(request(TRACK, 'GET', 'bytes=100-199'));
    expect(response.status).toBe(206);
    expect(response.headers.get('content-range')).toBe('bytes 100-199/1000');
    expect(response.headers.get('content-length')).toBe('100');
    expect(Buffer.from(await response.arrayBuffer()).equals(audio.subarray(100, 200))).toBe(true);
    const tail = await handler(request(TRACK, 'GET', 'bytes=-10'));
    expect(tail.headers.get('content-range')).toBe('bytes 990-999/1000');
    expect(Buffer.from(await tail.arrayBuffer()).equals(audio.subarray(990))).toBe(true);
  });

  it('answers an unsatisfiable range with 416 and the size', async () => {
    const response = await handler(request(TRACK, 'GET', 'bytes=5000-'));
    expect(response.status).toBe(416);
    expect(response.headers.get('content-range')).toBe('bytes */1000');
  });

  it('answers HEAD with headers and no body', async () => {
    const whole = await handler(request(TRACK, 'HEAD'));
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-length')).toBe('1000');
    expect(whole.body).toBeNull();
    const part = await handler(request(TRACK, 'HEAD', 'bytes=0-9'));
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 0-9/1000');
    expect(part.body).toBeNull();
  });

  it('refuses other methods with 405', async () => {
    for (const method of ['POST', 'PUT', 'DELETE']) expect((await handler(request(TRACK, method))).status).toBe(405);
  });

  it('answers 404 for traversal, unknown roots, foreign hosts and missing files', async () => {
    const refused = [
      'veza-media://local/downloads/../secret.m4a',
      'veza-media://local/downloads/%2e%2e/secret.m4a',
      'veza-media://local/downloads/..%2fsecret.m4a',
      'veza-media://local/downloads%2f..%2fsecret.m4a',
      'veza-media://local/downloads/album/..%5c..%5csecret.m4a',
      'veza-media://local/%2e%2e/secret.m4a',
      'veza-media://local/elsewhere/track.m4a',
      'veza-media://local/__proto__/x.m4a',
      'veza-media://local/downloads/missing.m4a',
      'veza-media://local/downloads/album',
      'veza-media://remote/downloads/album/track%20one.m4a',
      'veza://local/downloads/album/track%20one.m4a',
    ];
    for (const url of refused) {
      const response = await handler(request(url));
      expect({ url, status: response.status }).toEqual({ url, status: 404 });
    }
    expect((await handler(request('veza-media://local/covers/c.jpg'))).headers.get('content-type')).toBe('image/jpeg');
  });
});
