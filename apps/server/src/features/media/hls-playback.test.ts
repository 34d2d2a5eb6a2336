import { createServer, type Server } from 'node:http';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamGrant } from '@veza/shared';
import { bearer, createTestApp, signUp, type TestApp } from '../../test-support/app.js';
import { makeTone } from '../../test-support/audio-files.js';
import { launchChromium } from '../../test-support/browser.js';
import { baseUrl, localize, uploadTrack, waitForState } from '../../test-support/media.js';

/*
 * A real browser plays a served ladder: Chromium loads the signed master playlist with hls.js
 * on an <audio> element, from a page on another origin (as the desktop renderer and the
 * browser host do), and playback advances.
 */

const require = createRequire(import.meta.url);

type PlaybackResult =
  | { supported: false }
  | { supported: true; levels: number; started: number; now: number; paused: boolean; fatal: string[] };

/** The page a player would be: hls.js on an <audio> element, as docs/DESIGN.md prescribes. */
const PAGE = `<!doctype html><html><body><audio id="player"></audio>
<script src="/hls.min.js"></script>
<script>
window.playWithHls = async (url) => {
  if (!Hls.isSupported()) return { supported: false };
  const audio = document.getElementById('player');
  const hls = new Hls();
  const fatal = [];
  hls.on(Hls.Events.ERROR, (_, data) => { if (data.fatal) fatal.push(data.details); });
  const levels = await new Promise((resolve) => {
    hls.on(Hls.Events.MANIFEST_PARSED, (_, data) => resolve(data.levels.length));
    hls.loadSource(url);
    hls.attachMedia(audio);
  });
  await audio.play();
  const started = audio.currentTime;
  await new Promise((resolve) => setTimeout(resolve, 2500));
  return { supported: true, levels, started, now: audio.currentTime, paused: audio.paused, fatal };
};
</script></body></html>`;
let t: TestApp;
let dir: string;
let page: Server;
let browser: Browser;
let grant: StreamGrant;

beforeAll(async () => {
  t = await createTestApp();
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  dir = await mkdtemp(path.join(tmpdir(), 'veza-hls-'));
  const artist = await signUp(t, 'artist');
  const track = await uploadTrack(t, artist.accessToken, await makeTone(dir, { seconds: 20, format: 'mp3' }));
  await waitForState(t, track.id, 'ready');
  const response = await fetch(`${baseUrl(t)}/api/v1/tracks/${track.id}/stream`, {
    headers: bearer(artist.accessToken),
  });
  grant = (await response.json()) as StreamGrant;
  grant = { ...grant, url: localize(t, grant.url) };

  const hlsJs = await readFile(require.resolve('hls.js/dist/hls.min.js'));
  page = createServer((request, reply) => {
    if (request.url === '/hls.min.js') {
      reply.writeHead(200, { 'content-type': 'text/javascript' }).end(hlsJs);
      return;
    }
    reply.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
  });
  await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => page?.close(resolve));
  await t?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('HLS playback in Chromium', () => {
  it('plays the master playlist with hls.js and the position advances', async () => {
    const tab = await browser.newPage();
    const errors: string[] = [];
    tab.on('pageerror', (error) => errors.push(error.message));
    await tab.goto(`http://127.0.0.1:${(page.address() as AddressInfo).port}/`);

    const result = await tab.evaluate(
      (url) => (globalThis as unknown as { playWithHls: (url: string) => Promise<PlaybackResult> }).playWithHls(url),
      grant.url,
    );

    expect(errors).toEqual([]);
    expect(result.supported).toBe(true);
    if (!result.supported) return;
    expect(result.fatal).toEqual([]);
    expect(result.levels).toBe(3);
    expect(result.paused).toBe(false);
    expect(result.now - result.started).toBeGreaterThan(1);
  }, 60_000);
});
