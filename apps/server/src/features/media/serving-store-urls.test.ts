import { randomBytes, randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { BlobUrlOptions } from '../../infra/blobs/blob-store.js';
import type { LocalBlobStore } from '../../infra/blobs/local-blob-store.js';
import { ManualClock } from '../../infra/clock.js';
import { createLogger } from '../../infra/logger.js';
import { Tally } from '../../infra/tally.js';
import { scratchBlobStore } from '../../test-support/blobs.js';
import { downloadKey, hlsKey } from './blob-keys.js';
import { HotCache } from './hot-cache.js';
import { downloadPath, hlsBasePath, MediaFileServer } from './serving.js';
import { UrlSigner, type MediaGrant } from './url-signer.js';

/*
 * A store that serves clients itself (an object store with signed URLs, a CDN) gets the checked
 * request redirected to its URL; playlists stay with the app, whose relative URIs must resolve
 * under the signed path so that every segment request is checked here too.
 */

const clock = new ManualClock(new Date('2026-03-01T12:00:00Z'));
const signer = new UrlSigner(randomBytes(32), { ttlSeconds: 3600, bucketSeconds: 60 });
const urlRequests: Array<{ key: string; options: BlobUrlOptions }> = [];
const mediaRequests = new Tally<number>([]);
let blobs: LocalBlobStore;
let server: Server;
let base: string;

beforeAll(async () => {
  blobs = await scratchBlobStore();
  // The local store with an object store's answer to urlFor.
  blobs.urlFor = async (key, options) => {
    urlRequests.push({ key, options });
    return `https://store.example/${key}?signed=1`;
  };
  const files = new MediaFileServer({
    blobs,
    signer,
    cache: new HotCache(1024 * 1024, 64 * 1024),
    clock,
    logger: createLogger('silent'),
    corsOrigins: new Set(),
    metrics: { mediaRequests, mediaCacheLookups: new Tally<'hit' | 'miss'>([]) },
  });
  server = createServer((request, response) => files.handle(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  if (blobs) await rm(blobs.root, { recursive: true, force: true });
});

beforeEach(() => {
  urlRequests.length = 0;
});

function grantFor(trackId: string, scope: MediaGrant['scope']): MediaGrant {
  return { scope, trackId, mediaVersion: 1, userId: randomUUID(), expiresAt: signer.expiryFor(clock.now().getTime()) };
}

async function publishedTrack(): Promise<{ hls: string; grant: MediaGrant }> {
  const trackId = randomUUID();
  await blobs.put(hlsKey(trackId, 1, 'master.m3u8'), '#EXTM3U\n');
  await blobs.put(hlsKey(trackId, 1, '128k/index.m3u8'), '#EXTM3U\n#EXTINF:4,\nseg_00001.m4s\n');
  await blobs.put(hlsKey(trackId, 1, '128k/seg_00001.m4s'), 'segment bytes');
  await blobs.put(downloadKey(trackId, 1, '128k'), 'download bytes');
  const grant = grantFor(trackId, 'hls');
  return { hls: `${base}${hlsBasePath(grant, signer.sign(grant))}`, grant };
}

describe('media serving from a store with its own URLs', () => {
  it('redirects a checked segment request to the store, with the link expiry and the content type', async () => {
    const { hls, grant } = await publishedTrack();
    const before = mediaRequests.get(307);
    const response = await fetch(`${hls}/128k/seg_00001.m4s`, { redirect: 'manual' });
    expect(response.status).toBe(307);
    expect(response.headers.get('location')).toBe(
      `https://store.example/${hlsKey(grant.trackId, 1, '128k/seg_00001.m4s')}?signed=1`,
    );
    expect(response.headers.get('cache-control')).toBe('no-store');
    // A player on another origin follows the redirect only if it may read it.
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(urlRequests).toEqual([
      {
        key: hlsKey(grant.trackId, 1, '128k/seg_00001.m4s'),
        options: { expiresAt: new Date(grant.expiresAt * 1000), contentType: 'video/iso.segment' },
      },
    ]);
    expect(mediaRequests.get(307)).toBe(before + 1);
  });

  it('serves playlists itself, so the segments they name are requested (and checked) here', async () => {
    const { hls } = await publishedTrack();
    const master = await fetch(`${hls}/master.m3u8`, { redirect: 'manual' });
    expect(master.status).toBe(200);
    expect(await master.text()).toBe('#EXTM3U\n');
    const index = await fetch(`${hls}/128k/index.m3u8`, { redirect: 'manual' });
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('seg_00001.m4s');
    expect(urlRequests).toEqual([]);
  });

  it('redirects a download with its file name, for the store to send as an attachment', async () => {
    const { grant: hlsGrant } = await publishedTrack();
    const grant = { ...hlsGrant, scope: 'download-128k' as const };
    const url = `${base}${downloadPath(grant, '128k', signer.sign(grant), 'Artist_-_Title.m4a')}`;
    const response = await fetch(url, { redirect: 'manual' });
    expect(response.status).toBe(307);
    expect(urlRequests).toEqual([
      {
        key: downloadKey(grant.trackId, 1, '128k'),
        options: {
          expiresAt: new Date(grant.expiresAt * 1000),
          contentType: 'audio/mp4',
          attachmentName: 'Artist_-_Title.m4a',
        },
      },
    ]);
  });

  it('never hands out the store URL for a link that does not check out', async () => {
    const { hls } = await publishedTrack();
    const forged = hls.replace(/\/[A-Za-z0-9_-]+$/, `/${'A'.repeat(32)}`);
    expect((await fetch(`${forged}/128k/seg_00001.m4s`, { redirect: 'manual' })).status).toBe(403);
    clock.advance(2 * 3600 * 1000);
    try {
      expect((await fetch(`${hls}/128k/seg_00001.m4s`, { redirect: 'manual' })).status).toBe(403);
    } finally {
      clock.advance(-2 * 3600 * 1000);
    }
    expect(urlRequests).toEqual([]);
  });
});
