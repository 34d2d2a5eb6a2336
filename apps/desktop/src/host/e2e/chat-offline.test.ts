/**
 * Two people, two browser hosts (separate data dirs, separate cores), one room: messages go both
 * ways; then the server goes away: the UI says Offline, messages written meanwhile wait as
 * pending, the cache still reads and searches, a downloaded track still plays; the server comes
 * back and every queued message arrives exactly once.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test-support/test-server.js';
import {
  collectPageErrors,
  isSeriousPageError,
  createRoom,
  ensureBuilt,
  joinRoom,
  launchChromium,
  makeTone,
  screenshotter,
  signInThroughUi,
  startTestHost,
  uploadReadyTrack,
  type AudioLike,
  type TestHost,
} from './support.js';

let server: TestServer;
let browser: Browser;
let hostA: TestHost;
let hostB: TestHost;
let pageA: Page;
let pageB: Page;
let toneDir: string;
const errors: string[][] = [];
const shot = screenshotter('chat-offline');
const ROOM = `Rehearsal ${Date.now().toString(36)}`;
const TRACK = 'Offline Tone';

const messages = (page: Page) => page.getByRole('log', { name: 'Messages' }).getByTestId('message');
const messageWithBody = (page: Page, body: string) =>
  messages(page).filter({ has: page.getByTestId('message-body').getByText(body, { exact: true }) });
const connection = (page: Page) => page.getByRole('status', { name: 'Connection' });
const typing = (page: Page) => page.locator('.typing');

async function openRoom(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'Rooms' }).getByRole('button', { name: ROOM }).click();
  await page.getByRole('log', { name: 'Messages' }).waitFor();
}

async function send(page: Page, body: string): Promise<void> {
  const composer = page.getByRole('textbox', { name: 'Message' });
  await composer.fill(body);
  await composer.press('Enter');
}

beforeAll(async () => {
  await ensureBuilt();
  server = await startTestServer();
  toneDir = await mkdtemp(path.join(tmpdir(), 'veza-e2e-tone-'));
  const [alice, bob, artist] = await Promise.all([server.signUp(), server.signUp(), server.signUp('artist')]);
  const room = await createRoom(server, alice.accessToken, ROOM, 'Where the band meets');
  await joinRoom(server, bob.accessToken, room.id);
  await uploadReadyTrack(server, artist.accessToken, await makeTone(toneDir, { seconds: 8, format: 'mp3' }), TRACK);
  [hostA, hostB] = await Promise.all([startTestHost(server), startTestHost(server)]);
  browser = await launchChromium();
  pageA = await browser.newPage();
  pageB = await browser.newPage();
  errors.push(collectPageErrors(pageA), collectPageErrors(pageB));
  await signInThroughUi(pageA, hostA, server, alice.user.username, alice.password);
  await signInThroughUi(pageB, hostB, server, bob.user.username, bob.password);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([hostA?.close(), hostB?.close()]);
  await server?.close();
  if (toneDir) await rm(toneDir, { recursive: true, force: true });
});

describe('chat between two clients, offline and back', () => {
  it('sends and receives messages both ways', async () => {
    await openRoom(pageA);
    await openRoom(pageB);
    await send(pageA, 'Hello from Alice');
    await messageWithBody(pageB, 'Hello from Alice').waitFor({ timeout: 10_000 });
    await expect.poll(() => messageWithBody(pageA, 'Hello from Alice').getAttribute('data-delivery')).toBe('sent');
    // Bob's typing shows on Alice's side with a name (or "Someone"), never a bare "is typing…".
    await pageB.getByRole('textbox', { name: 'Message' }).fill('Hi Alice');
    await expect.poll(() => typing(pageA).textContent(), { timeout: 10_000 }).toContain('is typing…');
    expect(await typing(pageA).textContent()).toMatch(/^(Someone|\S+) is typing…$/);
    await send(pageB, 'Hi Alice, Bob here');
    await messageWithBody(pageA, 'Hi Alice, Bob here').waitFor({ timeout: 10_000 });
    // His message ends his typing notice.
    await expect.poll(() => typing(pageA).textContent(), { timeout: 5000 }).toBe('');
    await shot(pageA, 'alice-conversation');
    await shot(pageB, 'bob-conversation');
  });

  it('downloads a track while online', async () => {
    await pageA.getByRole('button', { name: 'Library' }).click();
    await pageA.getByRole('button', { name: `Download ${TRACK}` }).click();
    await pageA.getByRole('button', { name: 'Downloads' }).click();
    const row = pageA.getByTestId('download-row').first();
    await expect.poll(() => row.getAttribute('data-state'), { timeout: 30_000 }).toBe('done');
    // The row shows the download: no toast on top of it.
    expect(await pageA.getByText('Download started.').count()).toBe(0);
    await shot(pageA, 'downloaded');
  });

  it('shows Offline, keeps messages written meanwhile as pending, reads and searches the cache', async () => {
    await server.stop();
    await expect.poll(() => connection(pageA).textContent(), { timeout: 15_000 }).toContain('Offline');
    await expect.poll(() => connection(pageB).textContent(), { timeout: 15_000 }).toContain('Offline');
    await openRoom(pageA);
    // The cache still has the conversation.
    await messageWithBody(pageA, 'Hi Alice, Bob here').waitFor();
    await send(pageA, 'Written offline, one');
    await send(pageA, 'Written offline, two');
    for (const body of ['Written offline, one', 'Written offline, two']) {
      await expect.poll(() => messageWithBody(pageA, body).getAttribute('data-delivery')).toBe('pending');
      // Between retries the client is offline, during one it is connecting: queued either way.
      expect(await messageWithBody(pageA, body).textContent()).toContain('Queued — sends when you’re back online');
    }
    // Offline, nobody's typing or presence is known.
    expect(await typing(pageA).textContent()).toBe('');
    expect(await pageA.locator('.presence.online').count()).toBe(0);
    await shot(pageA, 'offline-pending');

    await pageA.getByRole('button', { name: 'Search messages' }).click();
    await pageA
      .getByRole('searchbox', { name: 'Search messages' })
      .or(pageA.getByRole('textbox', { name: 'Search messages' }))
      .fill('Bob');
    const results = pageA.getByRole('list', { name: 'Search results' }).getByRole('listitem');
    await expect.poll(() => results.count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await expect.poll(() => results.first().textContent()).toContain('Bob here');
    await shot(pageA, 'offline-search');
    await pageA.keyboard.press('Escape');
  });

  it('plays the downloaded track with no server', async () => {
    await pageA.getByRole('button', { name: 'Library' }).click();
    await pageA.getByRole('button', { name: `Play ${TRACK}` }).click();
    const audio = pageA.getByTestId('audio');
    await expect
      .poll(() => audio.evaluate((element) => (element as unknown as AudioLike).currentTime), { timeout: 15_000 })
      .toBeGreaterThan(0.5);
    expect(await audio.evaluate((element) => (element as unknown as AudioLike).currentSrc)).toContain('/local-media/');
    await shot(pageA, 'offline-playing');
    await pageA.getByRole('region', { name: 'Player' }).getByRole('button', { name: 'Pause' }).click();
  });

  it('delivers the queued messages exactly once when the server is back', async () => {
    await server.restart();
    await expect.poll(() => connection(pageA).textContent(), { timeout: 20_000 }).toContain('Online');
    await expect.poll(() => connection(pageB).textContent(), { timeout: 20_000 }).toContain('Online');
    await openRoom(pageA);
    for (const body of ['Written offline, one', 'Written offline, two']) {
      await expect
        .poll(() => messageWithBody(pageA, body).getAttribute('data-delivery'), { timeout: 15_000 })
        .toBe('sent');
    }
    await openRoom(pageB);
    for (const body of ['Written offline, one', 'Written offline, two']) {
      await messageWithBody(pageB, body).waitFor({ timeout: 15_000 });
    }
    // Give a duplicate every chance to show up before counting.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    for (const body of ['Written offline, one', 'Written offline, two']) {
      expect(await messageWithBody(pageB, body).count()).toBe(1);
      expect(await messageWithBody(pageA, body).count()).toBe(1);
      const { rows } = await server.database.db.query('SELECT id FROM messages WHERE body = $1', [body]);
      expect(rows).toHaveLength(1);
    }
    await shot(pageA, 'back-online-alice');
    await shot(pageB, 'back-online-bob');
    expect(errors.flat().filter(isSeriousPageError)).toEqual([]);
  });
});
