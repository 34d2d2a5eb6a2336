/**
 * Analytics in the app: an artist reads their stats (after a listener played their track), a
 * moderator sees the dashboard's charts, and both keep their figures offline, marked as such.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AuthSession, PlayEvent, Track } from '@veza/shared';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test-support/test-server.js';
import {
  collectPageErrors,
  createRoom,
  ensureBuilt,
  isSeriousPageError,
  joinRoom,
  launchChromium,
  makeTone,
  screenshotter,
  signInThroughUi,
  startTestHost,
  uploadReadyTrack,
  type PageGlobals,
  type TestHost,
} from './support.js';

let server: TestServer;
let browser: Browser;
let toneDir: string;
let track: Track;
let artist: AuthSession & { password: string };
let moderator: AuthSession & { password: string };
const hosts: TestHost[] = [];
const errors: string[][] = [];
const shot = screenshotter('analytics');
const TITLE = 'Northern Lights';

/** What the page-side callback reads (these tests typecheck without the DOM library). */
interface PageDocument {
  document: { documentElement: { dataset: Record<string, string | undefined> } };
}

async function playWholeTrack(session: AuthSession, trackId: string, durationMs: number): Promise<void> {
  const playId = randomUUID();
  const at = new Date().toISOString();
  const events: PlayEvent[] = [
    { type: 'play.started', playId, trackId, positionMs: 0, listenedMs: 0, occurredAt: at },
    { type: 'play.ended', playId, trackId, positionMs: durationMs, listenedMs: durationMs, occurredAt: at },
  ];
  const response = await fetch(`${server.url}/api/v1/plays`, {
    method: 'POST',
    headers: { authorization: `Bearer ${session.accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
  });
  if (!response.ok) throw new Error(`plays: ${response.status} ${await response.text()}`);
}

/** A page signed in as `who` on its own host (one core, one account). */
async function openApp(who: AuthSession & { password: string }): Promise<Page> {
  const host = await startTestHost(server);
  hosts.push(host);
  const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  errors.push(collectPageErrors(page));
  await signInThroughUi(page, host, server, who.user.username, who.password);
  return page;
}

async function setTheme(page: Page, theme: 'light' | 'dark'): Promise<void> {
  await page.evaluate((t) => (globalThis as unknown as PageGlobals).veza.updateSettings({ theme: t }), theme);
  await page.waitForFunction(
    (t) => (globalThis as unknown as PageDocument).document.documentElement.dataset.theme === t,
    theme,
  );
}

/** uPlot draws into a canvas; a chart that drew has a non-blank one of the container's width. */
async function chartsDrawn(page: Page): Promise<number> {
  return page.locator('.line-chart canvas').evaluateAll(
    (canvases) =>
      canvases.filter((c) => {
        const canvas = c as unknown as { width: number; height: number };
        return canvas.width > 100 && canvas.height > 100;
      }).length,
  );
}

beforeAll(async () => {
  await ensureBuilt();
  server = await startTestServer();
  toneDir = await mkdtemp(path.join(tmpdir(), 'veza-e2e-analytics-'));
  const listeners = await Promise.all([server.signUp(), server.signUp(), server.signUp()]);
  [artist, moderator] = await Promise.all([server.signUp('artist'), server.signUp('moderator')]);
  track = await uploadReadyTrack(
    server,
    artist.accessToken,
    await makeTone(toneDir, { seconds: 4, format: 'mp3', frequency: 440 }),
    TITLE,
  );
  for (const listener of listeners) await playWholeTrack(listener, track.id, track.durationMs);
  // Some chat, so the top rooms list has something to rank.
  const room = await createRoom(server, listeners[0]!.accessToken, 'listening-party');
  await joinRoom(server, listeners[1]!.accessToken, room.id);
  for (const [i, who] of [listeners[0]!, listeners[1]!, listeners[0]!].entries()) {
    await server
      .app()
      .veza.chat.send(
        { id: who.user.id, username: who.user.username, permissions: new Set(['chat:read', 'chat:write']) },
        { roomId: room.id, clientId: randomUUID(), body: `message ${i}` },
      );
  }
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  for (const host of hosts) await host.close();
  await server?.close();
  if (toneDir) await rm(toneDir, { recursive: true, force: true });
});

describe('an artist', () => {
  let page: Page;

  it('reads their plays, listeners and listening time, per day and per track', async () => {
    page = await openApp(artist);
    // Moderators' analytics are not theirs to see.
    expect(await page.getByRole('button', { name: 'Analytics' }).count()).toBe(0);
    await page.getByRole('button', { name: 'My stats' }).click();
    await page.getByRole('heading', { name: 'My stats' }).waitFor();
    await expect.poll(() => page.getByTestId('total-plays').textContent()).toBe('3');
    expect(await page.getByTestId('total-listeners').textContent()).toBe('3');
    expect(await page.getByTestId('total-listening').textContent()).toMatch(/^1[23] s$/);
    const row = page.getByRole('region', { name: 'Per track' }).getByRole('row', { name: new RegExp(TITLE) });
    expect(await row.getByRole('cell').allTextContents()).toEqual([
      TITLE,
      '3',
      '3',
      await page.getByTestId('total-listening').textContent(),
    ]);
    await expect.poll(() => chartsDrawn(page)).toBe(2);
    await expect.poll(() => page.getByTestId('freshness').textContent()).toMatch(/^As of /);
    await shot(page, 'artist-stats-light');
    await setTheme(page, 'dark');
    await expect.poll(() => chartsDrawn(page)).toBe(2);
    await shot(page, 'artist-stats-dark');
    await setTheme(page, 'light');
  });

  it('exports what is shown as CSV through core', async () => {
    await page.getByRole('button', { name: 'Export CSV' }).click();
    await page.getByText(/^Exported to /).waitFor();
    const host = hosts[0]!;
    const dir = path.join(host.dataDir, 'exports');
    const [file] = await readdir(dir);
    expect(file).toMatch(/^veza-my-plays-per-day-\d{4}-\d{2}-\d{2}-to-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = await readFile(path.join(dir, file!), 'utf8');
    const lines = csv
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('day,plays,listeners,listening_hours');
    // 30 days, zeros included, today last with the plays.
    expect(lines).toHaveLength(31);
    expect(lines.at(-1)).toMatch(/^\d{4}-\d{2}-\d{2},3,3,0\.00[0-9]$/);
  });

  it('keeps the figures offline, with the time they were fetched', async () => {
    await server.stop();
    try {
      await page.getByRole('status', { name: 'Connection' }).getByText('Offline').waitFor({ timeout: 15_000 });
      await page.getByRole('button', { name: '7 days' }).click();
      await expect.poll(() => page.getByTestId('freshness').textContent()).toMatch(/^Offline · as of /);
      expect(await page.getByTestId('total-plays').textContent()).toBe('3');
      await shot(page, 'artist-stats-offline');
    } finally {
      await server.restart();
    }
  });

  it('refuses a custom range the server would refuse, before asking it', async () => {
    await page.getByRole('button', { name: 'Custom' }).click();
    await page.getByLabel('From').fill('2020-01-01');
    await page.getByLabel('To').fill('2026-01-01');
    await page.getByRole('alert').getByText('Pick at most 366 days.').waitFor();
    expect(await page.getByRole('button', { name: 'Apply' }).isDisabled()).toBe(true);
  });
});

describe('a moderator', () => {
  let page: Page;

  it('sees live tiles, the history charts and the top lists', async () => {
    page = await openApp(moderator);
    expect(await page.getByRole('button', { name: 'My stats' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Analytics' }).click();
    await page.getByRole('heading', { name: 'Analytics' }).waitFor();
    await expect.poll(() => page.getByTestId('tile-usersOnline').textContent()).toMatch(/^[1-9]\d*$/);
    for (const metric of ['active_users', 'messages', 'plays', 'listening_hours', 'new_accounts', 'moderation_actions'])
      await page.getByTestId(`chart-${metric}`).waitFor();
    await expect.poll(() => chartsDrawn(page)).toBe(6);
    expect(await page.getByTestId('chart-plays').locator('.chart-figure').textContent()).toMatch(/^3 /);
    const tracks = page.getByRole('region', { name: 'Top tracks' });
    expect(
      await tracks
        .getByRole('row', { name: new RegExp(TITLE) })
        .getByRole('cell')
        .allTextContents(),
    ).toEqual(['1', TITLE, '3']);
    const rooms = page.getByRole('region', { name: 'Top rooms' });
    expect(await rooms.getByRole('cell', { name: 'listening-party' }).count()).toBe(1);
    await shot(page, 'dashboard-light');
    await page.getByLabel('Group by').selectOption('week');
    await page.getByRole('figure', { name: 'Weekly active users' }).waitFor();
    await setTheme(page, 'dark');
    await expect.poll(() => chartsDrawn(page)).toBe(6);
    await shot(page, 'dashboard-dark');
  });

  it('shows stale live tiles and cached charts clearly when offline', async () => {
    await server.stop();
    try {
      await page.getByRole('status', { name: 'Connection' }).getByText('Offline').waitFor({ timeout: 15_000 });
      await page.locator('.live-tiles.stale').waitFor();
      await expect
        .poll(() => page.locator('.live-tiles').getByTestId('freshness').textContent())
        .toMatch(/^Offline · as of /);
      await page.getByRole('button', { name: '30 days' }).click();
      await expect.poll(() => chartsDrawn(page)).toBe(6);
      await shot(page, 'dashboard-offline-dark');
    } finally {
      await server.restart();
    }
  });

  it('raised no page error and no CSP violation (uPlot draws within the policy)', () => {
    expect(errors.flat().filter(isSeriousPageError)).toEqual([]);
  });
});
