/**
 * Hostile text everywhere another user controls it (message bodies, room names and topics, track
 * titles) is shown as text: no element from it, no handler runs, the characters stay visible.
 * Usernames are held to [A-Za-z0-9_.-] by the server, so they carry no markup at all.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandOutcome, MessageWindow, RoomSummary } from '../../common/contract.js';
import { startTestServer, type TestServer } from '../../test-support/test-server.js';
import {
  createRoom,
  ensureBuilt,
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

const CORPUS = [
  '<img src=x onerror="window.__xss=1">',
  '<script>window.__xss=1</script>',
  '[x](javascript:window.__xss=1)',
  '**<b>bold</b>**',
  '<svg onload="window.__xss=1"></svg>',
  '<a href="javascript:window.__xss=1">click</a>',
  '"><iframe srcdoc="<script>parent.__xss=1</script>">',
  '![x](javascript:window.__xss=1)',
  '`<img src=x onerror=window.__xss=1>`',
];
const ROOM_NAME = '<img src=x onerror="window.__xss=1"> room';
const ROOM_TOPIC = '<script>window.__xss=1</script> topic';
const TRACK_TITLE = '<img src=x onerror="window.__xss=1">Tune';

let server: TestServer;
let host: TestHost;
let attacker: TestHost;
let browser: Browser;
let page: Page;
let toneDir: string;
const shot = screenshotter('xss');

async function expectOk<T>(outcome: Promise<CommandOutcome<T>>): Promise<T> {
  const result = await outcome;
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

/** Until the attacker's outbox is empty: every hostile body is in the server's log. */
async function waitForDelivery(from: TestHost, roomId: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const window = (await expectOk(from.core.invoke('getMessages', { roomId, limit: 50 }))) as MessageWindow;
    if (window.messages.length >= CORPUS.length && window.messages.every((message) => message.delivery === 'sent'))
      return;
    if (Date.now() > deadline) throw new Error('the hostile messages were not delivered within 15 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function assertInert(p: Page): Promise<void> {
  expect(await p.evaluate(() => (globalThis as unknown as PageGlobals).__xss)).toBe(0);
  const log = p.getByRole('log', { name: 'Messages' });
  expect(await log.locator('img[src="x"], script, iframe, svg[onload], a[href^="javascript"]').count()).toBe(0);
  expect(await p.locator('img[src="x"], iframe').count()).toBe(0);
}

beforeAll(async () => {
  await ensureBuilt();
  server = await startTestServer();
  toneDir = await mkdtemp(path.join(tmpdir(), 'veza-e2e-tone-'));
  const [mallory, victim] = await Promise.all([server.signUp('artist'), server.signUp()]);
  const room = await createRoom(server, mallory.accessToken, ROOM_NAME, ROOM_TOPIC);
  await joinRoom(server, victim.accessToken, room.id);
  // Mallory writes through her own desktop core: the server has no REST route for sending.
  attacker = await startTestHost(server);
  await expectOk(
    attacker.core.invoke('signIn', { serverUrl: server.url, login: mallory.user.username, password: mallory.password }),
  );
  // Her core learns about the room with its first sync.
  for (const deadline = Date.now() + 15_000; ;) {
    const rooms = (await expectOk(attacker.core.invoke('listRooms', undefined))) as RoomSummary[];
    if (rooms.some((entry) => entry.id === room.id)) break;
    if (Date.now() > deadline) throw new Error('the attacker never saw the room');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  for (const body of CORPUS) await expectOk(attacker.core.invoke('sendMessage', { roomId: room.id, body }));
  await waitForDelivery(attacker, room.id);
  await uploadReadyTrack(
    server,
    mallory.accessToken,
    await makeTone(toneDir, { seconds: 3, format: 'mp3' }),
    TRACK_TITLE,
  );
  host = await startTestHost(server);
  browser = await launchChromium();
  page = await browser.newPage();
  await page.addInitScript(() => {
    (globalThis as unknown as PageGlobals).__xss = 0;
  });
  await signInThroughUi(page, host, server, victim.user.username, victim.password);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await host?.close();
  await attacker?.close();
  await server?.close();
  if (toneDir) await rm(toneDir, { recursive: true, force: true });
});

describe('hostile text is rendered inert', () => {
  it('in message bodies, room names and topics', async () => {
    await page.getByRole('navigation', { name: 'Rooms' }).getByRole('button', { name: 'room' }).first().click();
    const bodies = page.getByRole('log', { name: 'Messages' }).getByTestId('message-body');
    await expect.poll(() => bodies.count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(CORPUS.length);
    await page.waitForTimeout(500);
    await shot(page, 'messages');
    await assertInert(page);
    const texts = await bodies.allTextContents();
    for (const body of [
      '<img src=x onerror="window.__xss=1">',
      '<script>window.__xss=1</script>',
      '<svg onload="window.__xss=1"></svg>',
    ]) {
      expect(texts).toContain(body);
    }
    // Markdown may style `**…**`, but the inner tags stay text.
    expect(texts.some((text) => text.includes('<b>bold</b>'))).toBe(true);
    expect(await page.getByRole('navigation', { name: 'Rooms' }).textContent()).toContain(ROOM_NAME);
    await expect.poll(() => page.locator('body').textContent()).toContain(ROOM_TOPIC);
    // Links from bodies never carry a script URL.
    const hrefs = await page
      .getByRole('log', { name: 'Messages' })
      .locator('a')
      .evaluateAll((links) => links.map((link) => link.getAttribute('href') ?? ''));
    expect(hrefs.filter((href) => /^\s*javascript:/i.test(href))).toEqual([]);
    await page
      .getByRole('log', { name: 'Messages' })
      .locator('a')
      .first()
      .click({ timeout: 1000 })
      .catch(() => undefined);
    await assertInert(page);
  });

  it('in track titles', async () => {
    await page.getByRole('button', { name: 'Library' }).click();
    await page.getByTestId('track-row').first().waitFor({ timeout: 15_000 });
    await expect.poll(() => page.getByTestId('track-row').first().textContent()).toContain(TRACK_TITLE);
    await page.getByRole('button', { name: `Play ${TRACK_TITLE}` }).click();
    await page.waitForTimeout(1000);
    await shot(page, 'library');
    await assertInert(page);
  });
});
