import { request as httpRequest } from 'node:http';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { CommandName, CommandOutcome, CoreEvent } from '../../common/contract.js';
import type { CoreClient } from '../../core/worker/core-client.js';
import { startBrowserHost, type BrowserHost } from './browser-host.js';
import { buildHostCsp } from './security.js';

/** A core that records what it is asked and answers from a script. */
function stubCore() {
  const calls: { command: CommandName; args: unknown }[] = [];
  const listeners = new Set<(event: CoreEvent) => void>();
  const roots: Record<string, string> = {};
  const core: CoreClient = {
    async invoke(command, args): Promise<CommandOutcome<unknown>> {
      calls.push({ command, args });
      if (command === 'getSession')
        return { ok: true, value: { status: 'signed-out', serverUrl: 'http://127.0.0.1:8080' } };
      if (command === 'listRooms') return { ok: false, error: { code: 'OFFLINE', message: 'You are offline.' } };
      if (command === 'uploadTrack') {
        const data = (args as { data: Uint8Array }).data;
        return { ok: true, value: { size: data.byteLength, first: data[0], isBytes: data instanceof Uint8Array } };
      }
      return { ok: true, value: { echo: command } };
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    localMediaRoots: async () => roots,
    close: async () => undefined,
  };
  return { core, calls, roots, emit: (event: CoreEvent) => listeners.forEach((listener) => listener(event)) };
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A raw request: the path goes out exactly as written (fetch would normalise `..`). */
function raw(
  url: string,
  rawPath: string,
  options: { method?: string; headers?: Record<string, string>; body?: Buffer } = {},
): Promise<Answer> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path: rawPath,
        method: options.method ?? 'GET',
        headers: options.headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

let dir: string;
let host: BrowserHost;
let stub: ReturnType<typeof stubCore>;
let origin: string;
let token: string;

const NONCE_META_RE = /<meta name="veza-style-nonce" content="([^"]*)">/g;

/** The one style nonce in an index.html answer's body. */
function nonceOf(answer: Answer): string {
  const metas = [...answer.body.toString().matchAll(NONCE_META_RE)];
  expect(metas).toHaveLength(1);
  return metas[0]?.[1] ?? '';
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'veza-host-test-'));
  const renderer = path.join(dir, 'renderer');
  await mkdir(path.join(renderer, 'assets', 'sub'), { recursive: true });
  await writeFile(
    path.join(renderer, 'index.html'),
    '<!doctype html><html><head><meta charset="UTF-8"><script type="module" src="./assets/app.js"></script></head><body></body></html>',
  );
  await writeFile(path.join(renderer, 'assets', 'app.js'), 'export {};');
  await writeFile(path.join(renderer, 'assets', 'app.css'), 'body{}');
  await writeFile(path.join(dir, 'secret.txt'), 'secret');
  await writeFile(path.join(dir, 'bridge.js'), '/* bridge */');
  await mkdir(path.join(dir, 'downloads'));
  await writeFile(path.join(dir, 'downloads', 'track.m4a'), Buffer.from(Array.from({ length: 100 }, (_, i) => i)));
  stub = stubCore();
  stub.roots.downloads = path.join(dir, 'downloads');
  host = await startBrowserHost({
    dataDir: dir,
    rendererDir: renderer,
    bridgeScript: path.join(dir, 'bridge.js'),
    core: stub.core,
    serverUrl: 'http://127.0.0.1:8080',
  });
  origin = new URL(host.url).origin;
  const index = await raw(host.url, '/');
  token = /name="veza-host-token" content="([^"]+)"/.exec(index.body.toString())?.[1] ?? '';
});

afterAll(async () => {
  await host.close();
  await rm(dir, { recursive: true, force: true });
});

describe('static files', () => {
  it('serves index.html with the token and the bridge before the app, and strict headers', async () => {
    const answer = await raw(host.url, '/');
    const html = answer.body.toString();
    expect(answer.status).toBe(200);
    expect(token).toMatch(/^[\w-]{40,}$/);
    expect(html.indexOf('<script src="/__veza/bridge.js"></script>')).toBeLessThan(html.indexOf('type="module"'));
    expect(answer.headers['cache-control']).toBe('no-store');
    const csp = String(answer.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain(
      `connect-src 'self' ws://127.0.0.1:${new URL(host.url).port} http://127.0.0.1:8080 ws://127.0.0.1:8080`,
    );
    expect(csp).toContain("media-src 'self' blob: http://127.0.0.1:8080");
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(answer.headers['referrer-policy']).toBe('no-referrer');
  });

  it("names index.html's style nonce in its <head> and its CSP, never 'unsafe-inline'", async () => {
    const answer = await raw(host.url, '/');
    const nonce = nonceOf(answer);
    expect(Buffer.from(nonce, 'base64')).toHaveLength(16);
    const html = answer.body.toString();
    expect(html.indexOf('veza-style-nonce')).toBeLessThan(html.indexOf('type="module"'));
    const csp = String(answer.headers['content-security-policy']);
    expect(csp).toBe(buildHostCsp(origin, ['http://127.0.0.1:8080'], nonce));
    expect(csp).toContain(`; style-src 'self' 'nonce-${nonce}';`);
    expect(csp).not.toContain('unsafe-inline');
  });

  it('makes a new nonce for every index.html answer (HEAD included), and none for other files', async () => {
    const nonces = new Set<string>();
    for (const rawPath of ['/', '/index.html', '/', '/index.html']) {
      const answer = await raw(host.url, rawPath);
      const nonce = nonceOf(answer);
      expect(String(answer.headers['content-security-policy'])).toContain(`'nonce-${nonce}'`);
      nonces.add(nonce);
    }
    expect(nonces.size).toBe(4);
    const head = await raw(host.url, '/', { method: 'HEAD' });
    expect(String(head.headers['content-security-policy'])).toMatch(/; style-src 'self' 'nonce-[A-Za-z0-9+/]{22}==';/);
    for (const rawPath of ['/assets/app.js', '/assets/app.css', '/__veza/bridge.js', '/nothing.js', '/__veza/ping']) {
      const csp = String((await raw(host.url, rawPath)).headers['content-security-policy']);
      expect(csp).toContain("; style-src 'self'; ");
      expect(csp).not.toContain('nonce');
    }
  });

  it('builds the exact policy, and refuses a nonce that is not base64', () => {
    const nonce = 'q83vEjRWeJq83vEjRWeJqw==';
    expect(buildHostCsp('http://127.0.0.1:4000', ['https://veza.example.org/api', 'javascript:x'], nonce)).toBe(
      [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'nonce-q83vEjRWeJq83vEjRWeJqw=='",
        "img-src 'self' data: blob: https://veza.example.org",
        "media-src 'self' blob: https://veza.example.org",
        "connect-src 'self' ws://127.0.0.1:4000 https://veza.example.org wss://veza.example.org",
        "font-src 'self'",
        "worker-src 'self' blob:",
        "manifest-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
        "frame-src 'none'",
        "object-src 'none'",
      ].join('; '),
    );
    expect(buildHostCsp('http://127.0.0.1:4000', [])).toContain("; style-src 'self'; ");
    for (const bogus of [`${nonce}'; script-src 'unsafe-inline`, `${nonce} *`, `${nonce};`, 'abc'])
      expect(() => buildHostCsp('http://127.0.0.1:4000', [], bogus)).toThrow('Invalid style nonce');
  });

  it('gives each run its own token', async () => {
    const other = await startBrowserHost({
      dataDir: dir,
      rendererDir: path.join(dir, 'renderer'),
      bridgeScript: path.join(dir, 'bridge.js'),
      core: stubCore().core,
    });
    const html = (await raw(other.url, '/')).body.toString();
    await other.close();
    expect(html).toContain('veza-host-token');
    expect(html).not.toContain(token);
  });

  it('serves assets with their content type, and the bridge script', async () => {
    expect((await raw(host.url, '/assets/app.js')).headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await raw(host.url, '/assets/app.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    const bridge = await raw(host.url, '/__veza/bridge.js');
    expect(bridge.body.toString()).toBe('/* bridge */');
    const head = await raw(host.url, '/assets/app.js', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
  });

  it.each([
    '/../secret.txt',
    '/%2e%2e/secret.txt',
    '/assets/..%2f..%2fsecret.txt',
    '/assets/%2e%2e/%2e%2e/secret.txt',
    '/..\\secret.txt',
    '/assets/sub',
    '/assets/',
    '/nothing.js',
    '/assets/app.js%00.png',
  ])('refuses %s', async (rawPath) => {
    const answer = await raw(host.url, rawPath);
    expect(answer.status).toBe(404);
    expect(answer.body.toString()).not.toContain('secret');
  });

  it('answers GET and HEAD only, to its own Host only', async () => {
    expect((await raw(host.url, '/', { method: 'POST' })).status).toBe(405);
    expect((await raw(host.url, '/', { method: 'PUT' })).status).toBe(405);
    expect((await raw(host.url, '/', { headers: { host: 'evil.example:80' } })).status).toBe(421);
  });
});

describe('local media', () => {
  it('serves a downloaded file with Range support', async () => {
    const whole = await raw(host.url, '/local-media/downloads/track.m4a');
    expect(whole.status).toBe(200);
    expect(whole.headers['content-type']).toBe('audio/mp4');
    expect(whole.body.length).toBe(100);
    const part = await raw(host.url, '/local-media/downloads/track.m4a', { headers: { range: 'bytes=10-19' } });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe('bytes 10-19/100');
    expect([...part.body]).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
  });

  it.each([
    '/local-media/downloads/../../secret.txt',
    '/local-media/downloads/%2e%2e/secret.txt',
    '/local-media/nope/track.m4a',
    '/local-media/downloads/',
  ])('refuses %s', async (rawPath) => {
    expect((await raw(host.url, rawPath)).status).toBe(404);
  });
});

function connect(
  options: { origin?: string; token?: string | null } = {},
): Promise<{ ws: WebSocket; status?: number }> {
  const query = options.token === null ? '' : `?token=${encodeURIComponent(options.token ?? token)}`;
  const ws = new WebSocket(`ws://127.0.0.1:${new URL(host.url).port}/__veza/ws${query}`, {
    origin: options.origin ?? origin,
  });
  return new Promise((resolve) => {
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res) => resolve({ ws, status: res.statusCode }));
    ws.once('error', () => undefined);
  });
}

function nextMessage(ws: WebSocket): Promise<Record<string, unknown>> {
  return new Promise((resolve) =>
    ws.once('message', (data) => resolve(JSON.parse(String(data)) as Record<string, unknown>)),
  );
}

function closed(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => ws.once('close', (code) => resolve(code)));
}

describe('bridge socket', () => {
  it('refuses another origin, a missing token and a wrong token', async () => {
    expect((await connect({ origin: 'http://evil.example' })).status).toBe(403);
    expect((await connect({ origin: 'http://localhost:1' })).status).toBe(403);
    expect((await connect({ token: null })).status).toBe(401);
    expect((await connect({ token: 'x'.repeat(token.length) })).status).toBe(401);
  });

  it('routes requests to core and outcomes back by id', async () => {
    const { ws } = await connect();
    ws.send(JSON.stringify({ kind: 'request', id: 7, command: 'getSettings', args: undefined }));
    expect(await nextMessage(ws)).toEqual({
      kind: 'response',
      id: 7,
      outcome: { ok: true, value: { echo: 'getSettings' } },
    });
    ws.send(JSON.stringify({ kind: 'request', id: 8, command: 'listRooms' }));
    expect(await nextMessage(ws)).toEqual({
      kind: 'response',
      id: 8,
      outcome: { ok: false, error: { code: 'OFFLINE', message: 'You are offline.' } },
    });
    ws.send(JSON.stringify({ kind: 'request', id: 9, command: 'constructor', args: {} }));
    expect(await nextMessage(ws)).toMatchObject({
      kind: 'response',
      id: 9,
      outcome: { ok: false, error: { code: 'UNKNOWN_COMMAND' } },
    });
    expect(stub.calls.some((call) => (call.command as string) === 'constructor')).toBe(false);
    ws.close();
  });

  it.each([
    ['not JSON', '{nope'],
    ['an array', '[1,2]'],
    ['an unknown kind', JSON.stringify({ kind: 'event', event: { type: 'rooms.changed' } })],
    ['a response', JSON.stringify({ kind: 'response', id: 1, outcome: { ok: true, value: 1 } })],
    ['a bad id', JSON.stringify({ kind: 'request', id: 'x', command: 'getSession' })],
    ['an extra field', JSON.stringify({ kind: 'request', id: 1, command: 'getSession', __proto__x: 1 })],
  ])('closes the socket on %s', async (_name, frame) => {
    const { ws } = await connect();
    const code = closed(ws);
    ws.send(frame);
    expect(await code).toBe(1008);
  });

  it('closes on binary frames and on frames over the size cap', async () => {
    const first = await connect();
    const binaryClose = closed(first.ws);
    first.ws.send(Buffer.from('{}'));
    expect(await binaryClose).toBe(1003);
    const second = await connect();
    const bigClose = closed(second.ws);
    second.ws.send(
      JSON.stringify({ kind: 'request', id: 1, command: 'sendMessage', args: { body: 'x'.repeat(2 * 1024 * 1024) } }),
    );
    expect(await bigClose).toBe(1009);
  });

  it('sends core events to every connected page', async () => {
    const [a, b] = await Promise.all([connect(), connect()]);
    const received = Promise.all([nextMessage(a.ws), nextMessage(b.ws)]);
    stub.emit({ type: 'messages.changed', roomId: 'r1' });
    expect(await received).toEqual([
      { kind: 'event', event: { type: 'messages.changed', roomId: 'r1' } },
      { kind: 'event', event: { type: 'messages.changed', roomId: 'r1' } },
    ]);
    a.ws.close();
    b.ws.close();
  });
});

describe('uploads', () => {
  const args = encodeURIComponent(
    JSON.stringify({ uploadId: '0190d4c2-7b1e-7000-8000-000000000001', fileName: 'a.wav', title: 'Été' }),
  );

  it('hands the bytes to core as a Uint8Array', async () => {
    const answer = await raw(host.url, '/__veza/upload', {
      method: 'POST',
      headers: {
        origin,
        'x-veza-host-token': token,
        'x-veza-upload-args': args,
        'content-type': 'application/octet-stream',
      },
      body: Buffer.from([42, 1, 2, 3]),
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body.toString())).toEqual({ ok: true, value: { size: 4, first: 42, isBytes: true } });
    const call = stub.calls.find((entry) => entry.command === 'uploadTrack');
    expect(call?.args).toMatchObject({ fileName: 'a.wav', title: 'Été' });
  });

  it('refuses a wrong token, another origin, missing arguments and an oversized body', async () => {
    const base = { origin, 'x-veza-host-token': token, 'x-veza-upload-args': args };
    const post = (headers: Record<string, string>) =>
      raw(host.url, '/__veza/upload', { method: 'POST', headers, body: Buffer.from([1]) });
    expect((await post({ ...base, 'x-veza-host-token': 'nope' })).status).toBe(401);
    expect((await post({ ...base, origin: 'http://evil.example' })).status).toBe(403);
    expect((await post({ origin, 'x-veza-host-token': token })).status).toBe(400);
    const withData = encodeURIComponent(JSON.stringify({ fileName: 'a', data: 'x' }));
    expect((await post({ ...base, 'x-veza-upload-args': withData })).status).toBe(400);
    const big = await raw(host.url, '/__veza/upload', {
      method: 'POST',
      headers: { ...base, 'content-length': String(600 * 1024 * 1024) },
    });
    expect(big.status).toBe(413);
  });
});
