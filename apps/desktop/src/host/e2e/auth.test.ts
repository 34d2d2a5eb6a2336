import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test-support/test-server.js';
import {
  collectPageErrors,
  isSeriousPageError,
  ensureBuilt,
  launchChromium,
  screenshotter,
  startTestHost,
  type PageGlobals,
  type TestHost,
} from './support.js';

let server: TestServer;
let host: TestHost;
let browser: Browser;
const shot = screenshotter('auth');

beforeAll(async () => {
  await ensureBuilt();
  server = await startTestServer();
  host = await startTestHost(server);
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await host?.close();
  await server?.close();
});

describe('signing in through the browser host', () => {
  it('creates an account, signs out, and signs in again', async () => {
    const page = await browser.newPage();
    const errors = collectPageErrors(page);
    await page.goto(host.url);
    await expect
      .poll(() => page.evaluate(() => typeof (globalThis as unknown as Partial<PageGlobals>).veza?.getSession))
      .toBe('function');
    await page.getByLabel('Server URL').waitFor();
    await shot(page, 'sign-in-form');

    await page.getByRole('button', { name: 'Create an account' }).click();
    const username = `newbie${Date.now().toString(36)}`;
    const password = 'a-long-enough-password';
    await page.getByLabel('Server URL').fill(server.url);
    await page.getByLabel('Email', { exact: true }).fill(`${username}@example.test`);
    await page.getByLabel('Username', { exact: true }).fill(username);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await shot(page, 'sign-up-form');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('status', { name: 'Connection' }).getByText('Online').waitFor({ timeout: 15_000 });
    await shot(page, 'signed-up');
    const { rows } = await server.database.db.query('SELECT id FROM users WHERE username = $1', [username]);
    expect(rows).toHaveLength(1);

    await page.getByRole('button', { name: 'Settings' }).click();
    // The browser host has no folder picker: after its null answer the folder is read-only text.
    await page.getByRole('button', { name: 'Change folder…' }).click();
    await page.getByText('Choosing a folder needs the desktop app; this copy uses the folder shown.').waitFor();
    expect(await page.getByRole('button', { name: 'Change folder…' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('dialog').waitFor();
    await page.waitForTimeout(300); // let the dialog's entrance animation finish before the picture
    await shot(page, 'sign-out-dialog');
    await page.getByRole('dialog').getByRole('button', { name: 'Remove cached data' }).click();
    await page.getByLabel('Email or username').waitFor();

    await page.getByLabel('Server URL').fill(server.url);
    await page.getByLabel('Email or username').fill(username);
    await page.getByLabel('Password', { exact: true }).fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await shot(page, 'wrong-password');

    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('status', { name: 'Connection' }).getByText('Online').waitFor({ timeout: 15_000 });
    await shot(page, 'signed-in');
    // The session survives a reload: core kept it, the page only asks.
    await page.reload();
    await page.getByRole('status', { name: 'Connection' }).getByText('Online').waitFor({ timeout: 15_000 });
    expect(errors.filter(isSeriousPageError)).toEqual([]);
    await page.close();
  });
});
