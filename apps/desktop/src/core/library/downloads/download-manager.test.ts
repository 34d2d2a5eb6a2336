import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DownloadsView } from '../../../common/contract.js';
import { ApiClient } from '../../api/api-client.js';
import { openCacheDatabase, type CacheDb } from '../../cache/database.js';
import { DownloadManager } from './download-manager.js';
import { DownloadStore } from './download-store.js';

const TRACK = '00000000-0000-4000-8000-000000000001';
const content = Buffer.alloc(50_000, 3);
const sha256 = createHash('sha256').update(content).digest('hex');

/**
 * A server whose file body sends its first half, then either stalls until the request is
 * aborted or drops the connection: what a quit or a lost network does mid-download.
 */
function fakeServer(mode: { after: 'stall' | 'drop' | 'finish' }) {
  const ranges: (string | null)[] = [];
  const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    if (url.includes('/download')) {
      return Response.json({
        url: 'http://media.test/file.m4a',
        expiresAt: new Date().toISOString(),
        quality: '128k',
        sizeBytes: content.length,
        contentType: 'audio/mp4',
        sha256,
      });
    }
    const range = new Headers(init?.headers).get('range');
    ranges.push(range);
    const start = range ? Number(/bytes=(\d+)-/.exec(range)![1]) : 0;
    const half = Math.floor(content.length / 2);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        if (mode.after === 'finish' || start >= half) {
          controller.enqueue(content.subarray(start));
          controller.close();
          return;
        }
        controller.enqueue(content.subarray(start, half));
        if (mode.after === 'drop') setTimeout(() => controller.error(new TypeError('terminated')), 20);
        init?.signal?.addEventListener('abort', () => controller.error(init.signal!.reason));
      },
    });
    return new Response(body, {
      status: range ? 206 : 200,
      headers: range ? { 'content-range': `bytes ${start}-${content.length - 1}/${content.length}` } : {},
    });
  }) as typeof fetch;
  return { fetchImpl, ranges };
}

let dir: string;
let db: CacheDb;
let views: DownloadsView[];

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'veza-download-manager-'));
  db = openCacheDatabase(':memory:');
  views = [];
});
afterEach(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

function manager(fetchImpl: typeof fetch): DownloadManager {
  return new DownloadManager({
    store: new DownloadStore(db),
    api: new ApiClient('http://server.test', null, { fetch: fetchImpl }),
    dir: () => dir,
    quotaBytes: () => 10 ** 9,
    isOnline: () => true,
    emit: (view) => views.push(view),
  });
}

const until = async (check: () => boolean | Promise<boolean>) => {
  const deadline = Date.now() + 5000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};
const stateOf = () => new DownloadStore(db).get(TRACK)?.state;

describe('DownloadManager', () => {
  it('keeps the partial file when the app stops, then resumes it with a Range request', async () => {
    const server = fakeServer({ after: 'stall' });
    const first = manager(server.fetchImpl);
    await first.start();
    first.enqueue([{ trackId: TRACK, quality: '128k' }]);
    await until(() => views.some((view) => view.entries[0]!.receivedBytes === content.length / 2));
    await first.stop();
    expect(stateOf()).toBe('queued');
    expect(await readdir(dir)).toEqual([`${TRACK}-128k.m4a.part`]);

    server.ranges.length = 0;
    const finishing = fakeServer({ after: 'finish' });
    const second = manager(finishing.fetchImpl);
    await second.start();
    await until(() => stateOf() === 'done');
    await second.stop();
    expect(finishing.ranges).toEqual([`bytes=${content.length / 2}-`]);
    expect((await readFile(path.join(dir, `${TRACK}-128k.m4a`))).equals(content)).toBe(true);
  });

  it('puts a download whose connection dropped back in the queue with its partial file', async () => {
    const mgr = manager(fakeServer({ after: 'drop' }).fetchImpl);
    await mgr.start();
    mgr.enqueue([{ trackId: TRACK, quality: '128k' }]);
    await mgr.idle();
    expect(stateOf()).toBe('queued');
    expect(await readdir(dir)).toEqual([`${TRACK}-128k.m4a.part`]);
    // Paused for a while rather than retrying in a tight loop.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(stateOf()).toBe('queued');
    mgr.resume();
    await mgr.idle();
    await mgr.stop();
  });

  it('announces progress at most about four times a second', async () => {
    let chunks = 0;
    const slow = (async (input: string | URL | Request) => {
      if (String(input).includes('/download')) return fakeServer({ after: 'finish' }).fetchImpl(input);
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (chunks * 1000 >= content.length) return controller.close();
          await new Promise((resolve) => setTimeout(resolve, 10));
          controller.enqueue(content.subarray(chunks * 1000, (chunks + 1) * 1000));
          chunks += 1;
        },
      });
      return new Response(body);
    }) as typeof fetch;
    const mgr = manager(slow);
    await mgr.start();
    const started = Date.now();
    mgr.enqueue([{ trackId: TRACK, quality: '128k' }]);
    await until(() => stateOf() === 'done');
    const elapsed = Date.now() - started;
    await mgr.stop();
    expect(chunks).toBe(50);
    // 50 chunks over ≥ 500 ms: a few progress views plus the state changes, not one per chunk.
    expect(views.length).toBeLessThanOrEqual(Math.ceil(elapsed / 250) + 6);
    expect(views.at(-1)!.entries[0]).toMatchObject({ state: 'done', receivedBytes: content.length });
  });
});
