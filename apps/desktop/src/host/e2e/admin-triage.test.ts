/**
 * The admin mode end to end, in Chromium through two browser hosts: an author posts a message
 * from their app, a listener reports it (over REST, as the listener-facing report dialog would),
 * and a moderator triages the queue from the keyboard alone: j to select, ? for the shortcuts,
 * b to ban with a reason. The author's app loses its connection at once (close 4004) and stays
 * offline with the server's refusal; signing in again is refused with BANNED.
 */
import type { Browser, Page } from 'playwright-core';
import type { AuthSession, MessagePage, ReportReceipt } from '@veza/shared';
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
let authorHost: TestHost;
let moderatorHost: TestHost;
let authorPage: Page;
let moderatorPage: Page;
let author: AuthSession & { password: string };
let reporter: AuthSession & { password: string };
let roomId: string;
const errors: string[][] = [];
const shot = screenshotter('admin-triage');
const ROOM = `Lobby ${Date.now().toString(36)}`;
const SPAM = 'Buy cheap followers now at followers.example';

async function apiAs<T>(token: string, method: string, route: string, body?: unknown): Promise<T> {
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

const connection = (page: Page) => page.getByRole('status', { name: 'Connection' });
const reportItems = (page: Page) => page.getByRole('listbox', { name: 'Reports' }).getByTestId('report-item');

beforeAll(async () => {
  await ensureBuilt();
  server = await startTestServer();
  let moderator: AuthSession & { password: string };
  [author, reporter, moderator] = await Promise.all([server.signUp(), server.signUp(), server.signUp('moderator')]);
  const room = await createRoom(server, author.accessToken, ROOM, 'Say hello');
  roomId = room.id;
  await joinRoom(server, reporter.accessToken, room.id);
  [authorHost, moderatorHost] = await Promise.all([startTestHost(server), startTestHost(server)]);
  browser = await launchChromium();
  authorPage = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  moderatorPage = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  errors.push(collectPageErrors(authorPage), collectPageErrors(moderatorPage));
  await signInThroughUi(authorPage, authorHost, server, author.user.username, author.password);
  await signInThroughUi(moderatorPage, moderatorHost, server, moderator.user.username, moderator.password);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([authorHost?.close(), moderatorHost?.close()]);
  await server?.close();
});

describe('admin mode: report, keyboard triage, ban', () => {
  it('shows admin mode only to moderators', async () => {
    await expect(authorPage.getByRole('button', { name: 'Admin mode' }).count()).resolves.toBe(0);
    await moderatorPage.getByRole('button', { name: 'Admin mode' }).waitFor();
  });

  it('a listener reports a message the author sent from their app', async () => {
    await authorPage.getByRole('navigation', { name: 'Rooms' }).getByRole('button', { name: ROOM }).click();
    const composer = authorPage.getByRole('textbox', { name: 'Message' });
    await composer.fill(SPAM);
    await composer.press('Enter');
    let messageId: string | undefined;
    await expect
      .poll(async () => {
        const page = await apiAs<MessagePage>(reporter.accessToken, 'GET', `/rooms/${roomId}/messages`);
        messageId = page.messages.find((m) => m.body === SPAM)?.id;
        return messageId;
      })
      .toBeDefined();
    const receipt = await apiAs<ReportReceipt>(reporter.accessToken, 'POST', '/reports', {
      target: { type: 'message', messageId },
      reason: 'spam',
      details: 'Posted the same link in every room',
    });
    expect(receipt.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('the moderator triages from the keyboard and bans the author', async () => {
    const page = moderatorPage;
    await page.getByRole('button', { name: 'Admin mode' }).click();
    await page.getByRole('heading', { name: 'Moderation' }).waitFor();
    await reportItems(page).first().waitFor();
    await expect(reportItems(page).count()).resolves.toBe(1);
    // The first report is selected on arrival, its context beside it.
    const detail = page.getByRole('article', { name: 'Report' });
    await detail.getByRole('heading', { name: `Message by ${author.user.username} in #${ROOM}` }).waitFor();
    await detail.locator('.context-messages li.reported').getByText(SPAM).waitFor();
    await detail.getByText('Posted the same link in every room').waitFor();
    await shot(page, 'queue');

    // j keeps the selection on the only report; ? explains the keys.
    await page.keyboard.press('j');
    await expect(reportItems(page).first().getAttribute('aria-selected')).resolves.toBe('true');
    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.waitFor();
    await help.getByText('Ban the author…').waitFor();
    await shot(page, 'shortcuts');
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'hidden' });

    // b asks for a reason (focused), Enter confirms.
    await page.keyboard.press('b');
    const ban = page.getByRole('dialog', { name: `Ban ${author.user.username} from the server?` });
    await ban.waitFor();
    await page.keyboard.type('Spam links in every room');
    await shot(page, 'ban-dialog');
    await page.keyboard.press('Enter');
    await ban.waitFor({ state: 'hidden' });
    await page.getByText('User banned.').waitFor();
    await page.getByRole('heading', { name: 'All clear' }).waitFor();
    await shot(page, 'after-ban');
  });

  it('the author’s app is cut off at once and stays refused', async () => {
    // The ban screen takes the author's window at once, with the moderator's reason.
    const screen = authorPage.getByRole('alertdialog', { name: 'You are banned' });
    await screen.waitFor({ timeout: 10_000 });
    expect(await screen.textContent()).toContain('Spam links in every room');
    await shot(authorPage, 'author-banned');
    const login = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: author.user.username, password: author.password }),
    });
    expect(login.status).toBeGreaterThanOrEqual(400);
    expect(((await login.json()) as { error: { code: string } }).error.code).toBe('BANNED');
  });

  it('the audit log shows the ban', async () => {
    const page = moderatorPage;
    await page.getByRole('tab', { name: 'Audit log' }).click();
    const table = page.getByRole('table', { name: 'Audit log' });
    const row = table.getByRole('row').filter({ hasText: 'Spam links in every room' });
    await row.waitFor();
    await row.getByText('ban', { exact: true }).waitFor();
    await shot(page, 'audit');
  });

  it('the rules tester explains a hit live, before saving', async () => {
    const page = moderatorPage;
    await page.getByRole('tab', { name: 'Rules' }).click();
    await page.getByRole('button', { name: 'New rule' }).click();
    const form = page.getByRole('form', { name: 'New rule' });
    await form.getByLabel('Name').fill('No scams');
    await form.getByRole('textbox', { name: /^Keywords/ }).fill('scam');
    await form.getByLabel('Reason shown to the sender').fill('No scams here.');
    await page.getByLabel('Message to test').fill('what a 5c4m this is');
    await page.getByTestId('tester-action').getByText('block').waitFor();
    await page.getByTestId('tester-preview').locator('mark').getByText('5c4m').waitFor();
    // A pattern RE2 refuses is named on its field.
    await form.getByRole('textbox', { name: /^Patterns/ }).fill('(a)\\1');
    await form.locator('#rule-error-patterns').getByText(/RE2/).waitFor();
    await shot(page, 'rules-tester');
  });

  it('an action taken offline waits as queued, then the server applies it when the connection returns', async () => {
    const page = moderatorPage;
    const noisy = await server.signUp();
    await apiAs<ReportReceipt>(reporter.accessToken, 'POST', '/reports', {
      target: { type: 'user', userId: noisy.user.id },
      reason: 'harassment',
    });
    await page.getByRole('tab', { name: 'Reports' }).click();
    await page
      .getByRole('article', { name: 'Report' })
      .getByRole('heading', { name: `User ${noisy.user.username}` })
      .waitFor();
    await server.stop();
    try {
      await connection(page)
        .getByText(/^Offline/)
        .waitFor({ timeout: 10_000 });
      await page.keyboard.press('x');
      await reportItems(page).first().getByText('Queued: dismiss').waitFor();
      await page
        .getByRole('status', { name: 'Offline actions' })
        .getByText(/1\s+action waits/)
        .waitFor();
      await shot(page, 'offline-queued');
    } finally {
      await server.restart();
    }
    await page.getByRole('heading', { name: 'All clear' }).waitFor({ timeout: 20_000 });
    await page.getByRole('status', { name: 'Offline actions' }).waitFor({ state: 'detached' });
  });

  it('left no uncaught errors', () => {
    expect(errors.flat().filter(isSeriousPageError)).toEqual([]);
  });
});
