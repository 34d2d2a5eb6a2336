/**
 * What the browser-host end-to-end tests share: the built renderer and bridge (built when missing
 * or older than their sources), a host with a real core in process against the test server,
 * Debian's Chromium, screenshots, and REST shortcuts for what the tests set up (rooms, tracks).
 */
import { spawnSync } from 'node:child_process';
import { openAsBlob } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import type { Track } from '@veza/shared';
import type { VezaBridge } from '../../common/contract.js';
import { FileSecretStore } from '../../core/session/secret-store.js';
import { startCoreInProcess } from '../../core/worker/in-process.js';
import type { TestServer } from '../../test-support/test-server.js';
import { startBrowserHost, type BrowserHost } from '../server/browser-host.js';

export { launchChromium } from '../../../../server/src/test-support/browser.js';
export { makeTone } from '../../../../server/src/test-support/audio-files.js';

const DESKTOP = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const RENDERER_DIR = path.join(DESKTOP, 'dist', 'renderer');
export const BRIDGE_SCRIPT = path.join(DESKTOP, 'dist', 'host', 'bridge.js');
export const SCREENSHOTS = path.join(DESKTOP, 'test-results', 'screenshots');
const SOURCES = ['src/renderer', 'src/host/client', 'src/common'].map((dir) => path.join(DESKTOP, dir));

async function newestMtime(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  let newest = 0;
  for (const entry of entries) {
    if (!entry.isFile() || entry.name.endsWith('.test.ts')) continue;
    newest = Math.max(newest, (await stat(path.join(entry.parentPath, entry.name))).mtimeMs);
  }
  return newest;
}

async function mtimeOf(file: string): Promise<number> {
  return stat(file).then(
    (info) => info.mtimeMs,
    () => 0,
  );
}

async function isFresh(): Promise<boolean> {
  const built = Math.min(await mtimeOf(path.join(RENDERER_DIR, 'index.html')), await mtimeOf(BRIDGE_SCRIPT));
  const sources = Math.max(...(await Promise.all(SOURCES.map(newestMtime))));
  return built > sources;
}

/**
 * Builds the renderer and the bridge (scripts/build.mjs) unless dist has them newer than their
 * sources: a stale build would test yesterday's UI. Test files run in parallel processes, so one
 * builds while the others wait on a lock directory (mkdir is atomic), then look again.
 */
export async function ensureBuilt(): Promise<void> {
  if (await isFresh()) return;
  const lock = path.join(DESKTOP, 'dist', '.e2e-build.lock');
  await mkdir(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch {
      // A lock older than the longest build belongs to a run that died.
      if (Date.now() - (await mtimeOf(lock)) > 300_000) await rm(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`gave up waiting for ${lock}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    if (await isFresh()) return;
    const result = spawnSync(process.execPath, [path.join(DESKTOP, 'scripts', 'build.mjs'), '--only=client,renderer'], {
      cwd: DESKTOP,
      encoding: 'utf8',
      timeout: 240_000,
    });
    if (result.status !== 0) throw new Error(`the desktop build failed:\n${result.stdout}\n${result.stderr}`);
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

export interface TestHost extends BrowserHost {
  dataDir: string;
}

/** A browser host with its own data dir and a real core (in process), pointed at `server`. */
export async function startTestHost(server: TestServer): Promise<TestHost> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'veza-host-e2e-'));
  const host = await startBrowserHost({
    dataDir,
    rendererDir: RENDERER_DIR,
    bridgeScript: BRIDGE_SCRIPT,
    serverUrl: server.url,
    core: ({ localMediaBase }) =>
      startCoreInProcess({
        dataDir,
        localMediaBase,
        secretStore: new FileSecretStore(path.join(dataDir, 'secrets.json')),
        // Reconnects within a second once the test server comes back.
        backoff: { minDelayMs: 100, maxDelayMs: 1000 },
      }),
  });
  return {
    ...host,
    dataDir,
    async close() {
      await host.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Saves a full-page screenshot as test-results/screenshots/<suite>-<nn>-<step>.png. */
export function screenshotter(suite: string): (page: Page, step: string) => Promise<void> {
  let count = 0;
  return async (page, step) => {
    count += 1;
    await mkdir(SCREENSHOTS, { recursive: true });
    const name = `${suite}-${String(count).padStart(2, '0')}-${step.replace(/[^a-z0-9]+/gi, '-')}.png`;
    await page.screenshot({ path: path.join(SCREENSHOTS, name), fullPage: true });
  };
}

/** Console errors and uncaught exceptions of a page. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  return errors;
}

/**
 * What a test fails on: an uncaught exception, or the page breaking the host's CSP (the policy
 * mirrors Electron's, so a violation here is a bug there too). Other console errors (a refused
 * connection while the test server is stopped, say) are expected.
 */
export function isSeriousPageError(error: string): boolean {
  return error.startsWith('pageerror') || /Content Security Policy/i.test(error);
}

export async function signInThroughUi(
  page: Page,
  host: BrowserHost,
  server: TestServer,
  login: string,
  password: string,
): Promise<void> {
  await page.goto(host.url);
  await page.getByLabel('Server URL').fill(server.url);
  await page.getByLabel('Email or username').fill(login);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('status', { name: 'Connection' }).getByText('Online').waitFor({ timeout: 15_000 });
}

// ---------------------------------------------------------------------------------------------
// REST shortcuts (what another user or an artist does elsewhere)

async function api<T>(server: TestServer, token: string, method: string, route: string, body?: unknown): Promise<T> {
  const response = await fetch(`${server.url}/api/v1${route}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${await response.text()}`);
  return (response.status === 204 ? undefined : await response.json()) as T;
}

export async function createRoom(
  server: TestServer,
  token: string,
  name: string,
  topic?: string,
): Promise<{ id: string; name: string }> {
  return api(server, token, 'POST', '/rooms', {
    name,
    visibility: 'public',
    ...(topic === undefined ? {} : { topic }),
  });
}

export async function joinRoom(server: TestServer, token: string, roomId: string): Promise<void> {
  await api(server, token, 'POST', `/rooms/${roomId}/join`, {});
}

/** An artist uploads a generated tone over REST and waits until the server has transcoded it. */
export async function uploadReadyTrack(server: TestServer, token: string, file: string, title: string): Promise<Track> {
  const form = new FormData();
  form.append('title', title);
  form.append('file', await openAsBlob(file), path.basename(file));
  const response = await fetch(`${server.url}/api/v1/tracks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: form,
  });
  if (response.status !== 202) throw new Error(`upload failed: ${response.status} ${await response.text()}`);
  const track = (await response.json()) as Track;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { rows } = await server.database.db.query<{ state: string; failure_reason: string | null }>(
      'SELECT state, failure_reason FROM tracks WHERE id = $1',
      [track.id],
    );
    if (rows[0]?.state === 'ready') return track;
    if (rows[0] && rows[0].state !== 'processing')
      throw new Error(`track ${track.id} is ${rows[0].state}: ${rows[0].failure_reason ?? ''}`);
    if (Date.now() > deadline) throw new Error(`track ${track.id} was not ready within 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * The page's globals as the tests see them. These tests typecheck without the DOM library (the
 * host project is Node code), so page-side callbacks cast `globalThis` to this instead.
 */
export interface PageGlobals {
  veza: VezaBridge;
  __xss: number;
  __seen: unknown[];
  __sockets: { close(): void }[];
}

/** The few <audio> properties the tests read. */
export interface AudioLike {
  currentTime: number;
  currentSrc: string;
}

/** "m:ss" → seconds. */
export function parseClock(text: string | null): number {
  const match = /(\d+):(\d{2})/.exec(text ?? '');
  return match ? Number(match[1]) * 60 + Number(match[2]) : Number.NaN;
}
