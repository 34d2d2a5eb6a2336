/**
 * A listener's moderation screens with the server out of reach, in Chromium through the browser
 * host: the composer warns on the cached rules (blocked drafts cannot be sent, held ones say so),
 * a report made offline is queued with a clear toast, and a ban remembered in the cache shows the
 * ban screen after a restart. The cache is seeded with what the rules mirror and the ban notice
 * leave there (how they get there is core's tests: rules-mirror.test.ts, moderation-service.test.ts).
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { ModerationRule } from '@veza/shared';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountDir } from '../../core/session/session-manager.js';
import { startTestServer, type TestServer } from '../../test-support/test-server.js';
import {
  collectPageErrors,
  createRoom,
  ensureBuilt,
  isSeriousPageError,
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
let cacheFile: string;
let peer: string;
let errors: string[] = [];
const shot = screenshotter('moderation-offline');
const ROOM = `Lobby ${Date.now().toString(36)}`;
const at = new Date().toISOString();

function rule(over: Partial<ModerationRule>): ModerationRule {
  return {
    id: randomUUID(),
    name: 'Gambling ads',
    enabled: true,
    roomId: null,
    config: { kind: 'keywords', keywords: ['casino', 'jackpot'], patterns: [], allow: [], preset: false },
    action: 'block',
    timeoutSeconds: null,
    reason: 'No gambling ads here.',
    exemptRoles: ['moderator', 'admin'],
    exemptRoomRoles: [],
    createdBy: randomUUID(),
    createdAt: at,
    updatedAt: at,
    ...over,
  };
}

/** Writes to the account's cache beside the running core (WAL: one writer at a time, readers never wait). */
function writeCache(sql: string, ...params: unknown[]): void {
  const db = new Database(cacheFile);
  try {
    db.prepare(sql).run(...params);
  } finally {
    db.close();
  }
}

const composer = () => page.getByRole('textbox', { name: 'Message' });
const warning = () => page.getByTestId('rule-warning');
const connection = () => page.getByRole('status', { name: 'Connection' });

beforeAll(async () => {
  await ensureBuilt();
  server = await startTestServer();
  const [alice, bob] = await Promise.all([server.signUp(), server.signUp()]);
  peer = bob.user.username;
  await createRoom(server, alice.accessToken, ROOM, 'Say hi');
  const dm = await fetch(`${server.url}/api/v1/dms`, {
    method: 'POST',
    headers: { authorization: `Bearer ${alice.accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ userId: bob.user.id }),
  });
  expect(dm.ok).toBe(true);
  host = await startTestHost(server);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  errors = collectPageErrors(page);
  await signInThroughUi(page, host, server, alice.user.username, alice.password);
  cacheFile = path.join(accountDir(host.dataDir, server.url, alice.user.id), 'cache.sqlite');
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await host?.close();
  await server?.close();
});

describe('moderation offline', () => {
  it('the composer warns on the cached rules while offline', async () => {
    await server.stop();
    await expect.poll(() => connection().textContent(), { timeout: 15_000 }).toContain('Offline');
    const rules = [
      rule({}),
      rule({
        name: 'Links are reviewed',
        config: { kind: 'links', mode: 'block_all', allowDomains: [] },
        action: 'hold',
        reason: 'Links wait for a moderator.',
        exemptRoles: [],
      }),
    ];
    writeCache(
      'INSERT OR REPLACE INTO moderation_rules (id, version, data, fetched_at) VALUES (1, 7, ?, ?)',
      JSON.stringify({ version: 7, rules }),
      at,
    );
    // A restart of the window, offline: everything comes from the cache.
    await page.reload();
    await page.getByRole('navigation', { name: 'Rooms' }).getByRole('button', { name: ROOM }).click();

    await composer().fill('Best odds at the c4sino, DM me');
    await expect.poll(() => warning().getAttribute('data-level')).toBe('block');
    expect(await warning().textContent()).toContain('No gambling ads here.');
    expect(await warning().locator('mark').textContent()).toMatch(/c4sino/i);
    expect(await page.getByRole('button', { name: 'Send message' }).isDisabled()).toBe(true);
    await composer().press('Enter');
    expect(await composer().inputValue()).toBe('Best odds at the c4sino, DM me');
    await shot(page, 'composer-blocked');

    await composer().fill('New mix: https://example.com/mix');
    await expect.poll(() => warning().getAttribute('data-level')).toBe('caution');
    expect(await warning().textContent()).toContain('Links wait for a moderator.');
    expect(await page.getByRole('button', { name: 'Send message' }).isDisabled()).toBe(false);
    await shot(page, 'composer-held-warning');

    await composer().fill('See you at the party');
    await expect.poll(() => warning().count()).toBe(0);
    await composer().fill('');
  });

  it('a report made offline is queued, from the keyboard', async () => {
    await page.getByRole('navigation', { name: 'Rooms' }).getByRole('button', { name: peer }).click();
    await page.getByRole('button', { name: `Report ${peer}` }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    expect(await dialog.getByRole('button', { name: 'Report', exact: true }).isDisabled()).toBe(true);
    await dialog.getByRole('radio', { name: /Spam/ }).focus();
    await page.keyboard.press('Space');
    await page.keyboard.press('ArrowDown');
    expect(await dialog.getByRole('radio', { name: /Harassment/ }).isChecked()).toBe(true);
    await page.keyboard.press('Tab');
    await page.keyboard.type('Keeps sending me links.');
    await shot(page, 'report-dialog');
    await dialog.getByRole('button', { name: 'Report', exact: true }).click();
    await page.getByText('Reported. It will reach the moderators when you are back online.').waitFor();
    await shot(page, 'report-queued');
    const db = new Database(cacheFile, { readonly: true });
    const queued = db.prepare('SELECT body, state FROM report_outbox').all() as { body: string; state: string }[];
    db.close();
    expect(queued).toHaveLength(1);
    expect(queued[0]!.state).toBe('pending');
    expect(JSON.parse(queued[0]!.body)).toMatchObject({
      target: { type: 'user' },
      reason: 'harassment',
      details: 'Keeps sending me links.',
    });
  });

  it('a ban remembered in the cache takes the whole window after a restart', async () => {
    const until = new Date(Date.now() + 3 * 86_400_000).toISOString();
    writeCache(
      "INSERT OR REPLACE INTO moderation_standing (scope, kind, reason, until, received_at) VALUES ('server', 'ban', ?, ?, ?)",
      'Repeated spam after two warnings.',
      until,
      at,
    );
    await page.reload();
    const screen = page.getByRole('alertdialog', { name: 'You are banned' });
    await screen.waitFor();
    expect(await screen.textContent()).toContain('Repeated spam after two warnings.');
    expect(await screen.textContent()).toMatch(/The ban lasts until /);
    await shot(page, 'banned');
    expect(errors.filter(isSeriousPageError)).toEqual([]);
  });
});
