/**
 * A listener's side of moderation in Chromium through the browser host, against the real server's
 * moderation routes: the rules a moderator saves reach the app (and the composer warns; offline
 * is moderation-offline.test.ts); a listener reports someone's message from its menu with the
 * keyboard, and the moderators' queue has it.
 */
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { ROLE_PERMISSIONS, type ModerationRule, type ReportPage } from '@veza/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test-support/test-server.js';
import {
  collectPageErrors,
  createRoom,
  ensureBuilt,
  isSeriousPageError,
  joinRoom,
  launchChromium,
  screenshotter,
  signInThroughUi,
  startTestHost,
  type TestHost,
} from './support.js';

let server: TestServer;
let browser: Browser;
let host: TestHost;
let page: Page;
let moderatorToken: string;
let aliceId: string;
let errors: string[] = [];
const shot = screenshotter('moderation-listener');
const ROOM = `Lobby ${Date.now().toString(36)}`;
const BOB_SAYS = 'Anyone up for the listening party tonight?';

async function rest<T>(method: string, route: string, token: string, body?: unknown): Promise<T> {
  const response = await fetch(`${server.url}/api/v1${route}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

const composer = () => page.getByRole('textbox', { name: 'Message' });
const warning = () => page.getByTestId('rule-warning');

beforeAll(async () => {
  await ensureBuilt();
  server = await startTestServer();
  const [alice, bob, moderator] = await Promise.all([server.signUp(), server.signUp(), server.signUp('moderator')]);
  moderatorToken = moderator.accessToken;
  aliceId = alice.user.id;
  const room = await createRoom(server, alice.accessToken, ROOM, 'Say hi');
  await joinRoom(server, bob.accessToken, room.id);
  await rest<ModerationRule>('POST', '/moderation/rules', moderatorToken, {
    name: 'Gambling ads',
    enabled: true,
    roomId: null,
    config: { kind: 'keywords', keywords: ['casino', 'jackpot'], patterns: [], allow: [], preset: false },
    action: 'block',
    timeoutSeconds: null,
    reason: 'No gambling ads here.',
    exemptRoles: ['moderator', 'admin'],
    exemptRoomRoles: [],
  });
  await rest<ModerationRule>('POST', '/moderation/rules', moderatorToken, {
    name: 'Links are reviewed',
    enabled: true,
    roomId: null,
    config: { kind: 'links', mode: 'block_all', allowDomains: [] },
    action: 'hold',
    timeoutSeconds: null,
    reason: 'Links wait for a moderator.',
    exemptRoles: [],
    exemptRoomRoles: [],
  });
  // Bob says something Alice will report (through the server's chat service: no UI needed for him).
  await server
    .app()
    .veza.chat.send(
      { id: bob.user.id, username: bob.user.username, permissions: new Set(ROLE_PERMISSIONS.listener) },
      { roomId: room.id, clientId: randomUUID(), body: BOB_SAYS },
    );
  host = await startTestHost(server);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  errors = collectPageErrors(page);
  await signInThroughUi(page, host, server, alice.user.username, alice.password);
  await page.getByRole('navigation', { name: 'Rooms' }).getByRole('button', { name: ROOM }).click();
  await page.getByRole('log', { name: 'Messages' }).waitFor();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await host?.close();
  await server?.close();
});

describe('a listener and moderation', () => {
  it('the rules a moderator saves reach the app (after welcome, then by the rules frame) and the composer warns', async () => {
    const effective = () =>
      page.evaluate(async () => {
        const set = await (
          globalThis as never as { veza: { getEffectiveRules(): Promise<{ rules: { name: string }[] } | null> } }
        ).veza.getEffectiveRules();
        return set?.rules.map((r) => r.name).sort() ?? [];
      });
    await expect.poll(effective, { timeout: 10_000 }).toEqual(['Gambling ads', 'Links are reviewed']);
    await rest<ModerationRule>('POST', '/moderation/rules', moderatorToken, {
      name: 'No shouting',
      enabled: true,
      roomId: null,
      config: { kind: 'caps', maxRatio: 0.7, minLetters: 8 },
      action: 'flag',
      timeoutSeconds: null,
      reason: 'Please do not shout.',
      exemptRoles: [],
      exemptRoomRoles: [],
    });
    await expect.poll(effective, { timeout: 10_000 }).toEqual(['Gambling ads', 'Links are reviewed', 'No shouting']);
    await composer().fill('Best odds at the c4sino, DM me');
    await expect.poll(() => warning().getAttribute('data-level')).toBe('block');
    await composer().fill('');
  });

  it('reports a message from its menu with the keyboard; the moderators’ queue has it', async () => {
    const bobMessage = page.getByRole('log', { name: 'Messages' }).getByTestId('message').filter({ hasText: BOB_SAYS });
    await bobMessage.hover();
    await bobMessage.getByRole('button', { name: 'Report message' }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await dialog.getByRole('heading').textContent()).toMatch(/^Report the message by /);
    // Keyboard only: focus the first reason, arrow down to Harassment, tab to details.
    await dialog.getByRole('radio', { name: /Spam/ }).focus();
    await page.keyboard.press('Space');
    await page.keyboard.press('ArrowDown');
    expect(await dialog.getByRole('radio', { name: /Harassment/ }).isChecked()).toBe(true);
    await dialog.getByRole('textbox').fill('Keeps pinging everyone about parties.');
    await shot(page, 'report-dialog');
    await dialog.getByRole('button', { name: 'Report', exact: true }).click();
    await page.getByText('Reported. Moderators will review it.').waitFor({ timeout: 10_000 });
    await shot(page, 'reported-toast');
    const queue = await rest<ReportPage>('GET', '/moderation/reports?state=open', moderatorToken);
    const mine = queue.reports.filter((r) => r.source === 'user' && r.target.type === 'message');
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ reason: 'harassment', details: 'Keeps pinging everyone about parties.' });
    expect(errors.filter(isSeriousPageError)).toEqual([]);
  });

  it('a server ban shows the ban screen at once, with the reason and the end', async () => {
    await rest('POST', '/moderation/actions', moderatorToken, {
      action: 'ban',
      userId: aliceId,
      durationSeconds: 3 * 24 * 3600,
      reason: 'Repeated spam after two warnings.',
    });
    const screen = page.getByRole('alertdialog', { name: 'You are banned' });
    await screen.waitFor({ timeout: 10_000 });
    expect(await screen.textContent()).toContain('Repeated spam after two warnings.');
    expect(await screen.textContent()).toMatch(/The ban lasts until /);
    await shot(page, 'banned');
    expect(errors.filter(isSeriousPageError)).toEqual([]);
  });
});
