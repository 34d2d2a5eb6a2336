/** Streaming: an artist's track plays over HLS from the server, and the waveform follows it. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test-support/test-server.js';
import {
  collectPageErrors,
  isSeriousPageError,
  ensureBuilt,
  launchChromium,
  makeTone,
  parseClock,
  screenshotter,
  signInThroughUi,
  startTestHost,
  uploadReadyTrack,
  type AudioLike,
  type TestHost,
} from './support.js';

let server: TestServer;
let host: TestHost;
let browser: Browser;
let page: Page;
let toneDir: string;
let errors: string[] = [];
const shot = screenshotter('playback');
const TRACK = 'Streamed Tone';

beforeAll(async () => {
  await ensureBuilt();
  server = await startTestServer();
  toneDir = await mkdtemp(path.join(tmpdir(), 'veza-e2e-tone-'));
  const [listener, artist] = await Promise.all([server.signUp(), server.signUp('artist')]);
  await uploadReadyTrack(
    server,
    artist.accessToken,
    await makeTone(toneDir, { seconds: 12, format: 'mp3', frequency: 330 }),
    TRACK,
  );
  host = await startTestHost(server);
  browser = await launchChromium();
  page = await browser.newPage();
  errors = collectPageErrors(page);
  await signInThroughUi(page, host, server, listener.user.username, listener.password);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await host?.close();
  await server?.close();
  if (toneDir) await rm(toneDir, { recursive: true, force: true });
});

const progressWidth = (p: Page) =>
  p
    .getByTestId('waveform')
    .locator('[part="progress"]')
    .first()
    .evaluate((element) => element.getBoundingClientRect().width);

describe('streamed playback', () => {
  it('plays a track from the server and moves the waveform', async () => {
    await page.getByRole('button', { name: 'Library' }).click();
    await page.getByTestId('track-row').first().waitFor();
    // The icon cells hold icons only: no stray text next to them.
    const iconCells = page.getByTestId('track-row').first().locator('td.col-like, td.col-download, td.col-more');
    expect((await iconCells.allTextContents()).map((text) => text.trim())).toEqual(['', '', '']);
    await shot(page, 'library');
    await page.getByRole('button', { name: `Play ${TRACK}` }).click();
    const player = page.getByRole('region', { name: 'Player' });
    await player.getByRole('button', { name: 'Pause' }).waitFor({ timeout: 15_000 });
    const audio = page.getByTestId('audio');
    await expect
      .poll(() => audio.evaluate((element) => (element as unknown as AudioLike).currentTime), { timeout: 15_000 })
      .toBeGreaterThan(0.3);
    // Not a local file: the stream came from the server.
    expect(await audio.evaluate((element) => (element as unknown as AudioLike).currentSrc)).not.toContain(
      '/local-media/',
    );
    await page
      .getByTestId('waveform')
      .locator('[part="progress"]')
      .first()
      .waitFor({ state: 'attached', timeout: 10_000 });
    const firstWidth = await progressWidth(page);
    const firstClock = parseClock(await page.getByTestId('current-time').textContent());
    await shot(page, 'playing-start');
    await expect
      .poll(() => page.getByTestId('current-time').textContent().then(parseClock), { timeout: 10_000 })
      .toBeGreaterThanOrEqual(firstClock + 2);
    await expect.poll(() => progressWidth(page), { timeout: 5000 }).toBeGreaterThan(firstWidth);
    await shot(page, 'playing-later');
    await player.getByRole('button', { name: 'Pause' }).click();
    await player.getByRole('button', { name: 'Play', exact: true }).waitFor();
    expect(errors.filter(isSeriousPageError)).toEqual([]);
  });
});
