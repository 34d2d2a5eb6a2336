/**
 * The browser side of window.veza (client/bridge.ts, bundled as the build does) in a real
 * Chromium, against a host whose core is a stub: the request/response plumbing, errors, events,
 * uploads, the shell commands answered locally, and surviving a dropped socket.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_NAME_LIST } from '../../common/command-names.js';
import type { CommandName, CommandOutcome, CoreEvent } from '../../common/contract.js';
import type { CoreClient } from '../../core/worker/core-client.js';
import { startBrowserHost, type BrowserHost } from '../server/browser-host.js';
import { launchChromium } from '../../../../server/src/test-support/browser.js';
import { inlineCommandNames } from '../../../scripts/inline-command-names.mjs';
import type { PageGlobals } from './support.js';

const DESKTOP_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const CLIENT_ENTRY = path.join(DESKTOP_DIR, 'src/host/client/bridge.ts');

let dir: string;
let host: BrowserHost;
let browser: Browser;
let page: Page;
const calls: { command: CommandName; args: unknown }[] = [];
const listeners = new Set<(event: CoreEvent) => void>();
let release: (() => void) | null = null;

const core: CoreClient = {
  async invoke(command, args): Promise<CommandOutcome<unknown>> {
    calls.push({ command, args });
    if (command === 'listRooms') return { ok: false, error: { code: 'OFFLINE', message: 'You are offline.' } };
    if (command === 'uploadTrack') return { ok: true, value: { bytes: [...(args as { data: Uint8Array }).data] } };
    if (command === 'getSettings') {
      // Held until the test releases it: a request in flight when the socket drops.
      await new Promise<void>((resolve) => (release = resolve));
    }
    return { ok: true, value: { command, args: args ?? null } };
  },
  onEvent(listener) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  localMediaRoots: async () => ({}),
  close: async () => undefined,
};

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'veza-bridge-test-'));
  await mkdir(path.join(dir, 'renderer'));
  await writeFile(
    path.join(dir, 'renderer', 'index.html'),
    '<!doctype html><html><head><meta charset="UTF-8"><title>t</title></head><body>ok</body></html>',
  );
  await esbuild.build({
    entryPoints: [CLIENT_ENTRY],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    outfile: path.join(dir, 'bridge.js'),
    plugins: [inlineCommandNames(DESKTOP_DIR)],
    logLevel: 'silent',
  });
  host = await startBrowserHost({
    dataDir: dir,
    rendererDir: path.join(dir, 'renderer'),
    bridgeScript: path.join(dir, 'bridge.js'),
    core,
  });
  browser = await launchChromium();
  page = await browser.newPage();
  // Keeps a handle on the bridge's sockets so the test can drop one.
  await page.addInitScript({
    content: `{
      const Native = window.WebSocket;
      const sockets = (window.__sockets = []);
      window.WebSocket = class extends Native {
        constructor(url, protocols) {
          super(url, protocols);
          sockets.push(this);
        }
      };
    }`,
  });
  await page.goto(host.url);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await host?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('window.veza over the browser host', () => {
  it('has one function per command, plus onEvent, and cannot be replaced', async () => {
    const shape = await page.evaluate(() => {
      const bridge = (globalThis as unknown as PageGlobals).veza as unknown as Record<string, unknown>;
      const before = (globalThis as unknown as PageGlobals).veza;
      try {
        (globalThis as unknown as { veza: unknown }).veza = {};
      } catch {
        // strict-mode assignment to a read-only property
      }
      return {
        keys: Object.keys(bridge)
          .filter((key) => typeof bridge[key] === 'function')
          .sort(),
        same: (globalThis as unknown as PageGlobals).veza === before,
      };
    });
    expect(shape.keys).toEqual([...COMMAND_NAME_LIST, 'onEvent'].sort());
    expect(shape.same).toBe(true);
  });

  it('resolves with the value and rejects with an Error carrying code and message', async () => {
    const value = await page.evaluate(() =>
      (globalThis as unknown as PageGlobals).veza.getMessages({ roomId: 'r', limit: 5 }),
    );
    expect(value).toEqual({ command: 'getMessages', args: { roomId: 'r', limit: 5 } });
    const failure = await page.evaluate(() =>
      (globalThis as unknown as PageGlobals).veza.listRooms().then(
        () => null,
        (error: unknown) => ({
          isError: error instanceof Error,
          code: (error as { code: string }).code,
          message: (error as Error).message,
        }),
      ),
    );
    expect(failure).toEqual({ isError: true, code: 'OFFLINE', message: 'You are offline.' });
  });

  it('delivers core events to every subscriber until it unsubscribes', async () => {
    await page.evaluate(() => {
      const seen: unknown[] = [];
      (globalThis as unknown as PageGlobals).__seen = seen;
      const off = (globalThis as unknown as PageGlobals).veza.onEvent((event) => {
        seen.push(event);
        if (seen.length === 1) off();
      });
      (globalThis as unknown as PageGlobals).veza.onEvent((event) => seen.push({ second: event.type }));
    });
    for (const listener of listeners) listener({ type: 'rooms.changed' });
    for (const listener of listeners) listener({ type: 'library.changed' });
    await expect
      .poll(() => page.evaluate(() => (globalThis as unknown as PageGlobals).__seen))
      .toEqual([{ type: 'rooms.changed' }, { second: 'rooms.changed' }, { second: 'library.changed' }]);
  });

  it('uploads bytes over HTTP and answers shell commands itself', async () => {
    const uploaded = await page.evaluate(() =>
      (globalThis as unknown as PageGlobals).veza.uploadTrack({
        uploadId: 'u',
        fileName: 'a.mp3',
        data: new Uint8Array([5, 6, 7]),
        title: 'T',
      }),
    );
    expect(uploaded).toEqual({ bytes: [5, 6, 7] });
    expect(calls.find((call) => call.command === 'uploadTrack')?.args).toMatchObject({
      uploadId: 'u',
      fileName: 'a.mp3',
      title: 'T',
    });
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).veza.chooseDirectory())).toBeNull();
    const refused = await page.evaluate(() =>
      (globalThis as unknown as PageGlobals).veza.openExternal({ url: 'javascript:alert(1)' }).then(
        () => 'opened',
        (error: { code: string }) => error.code,
      ),
    );
    expect(refused).toBe('INVALID_ARGUMENT');
    expect(calls.some((call) => call.command === 'openExternal' || call.command === 'chooseDirectory')).toBe(false);
  });

  it('fails calls in flight when the socket drops, queues new ones, and reconnects', async () => {
    const result = await page.evaluate(async () => {
      const sockets = (globalThis as unknown as PageGlobals).__sockets;
      const inFlight = (globalThis as unknown as PageGlobals).veza.getSettings().then(
        () => 'resolved',
        (error: { code: string }) => error.code,
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      sockets.at(-1)!.close();
      await new Promise((resolve) => setTimeout(resolve, 0));
      const queued = (globalThis as unknown as PageGlobals).veza.getTrack({ trackId: 't' });
      return { inFlight: await inFlight, queued: await queued, sockets: sockets.length };
    });
    release?.();
    expect(result.inFlight).toBe('SERVER_UNREACHABLE');
    expect(result.queued).toEqual({ command: 'getTrack', args: { trackId: 't' } });
    expect(result.sockets).toBeGreaterThanOrEqual(2);
  });
});
