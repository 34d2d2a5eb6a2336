import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppProtocolHandler } from './app-protocol.js';
import { rawUrlPath, resolveUnderRoot, safeRelativeSegments } from './safe-path.js';

const CSP = "default-src 'none'; script-src 'self'";
let base: string;
let handler: ReturnType<typeof createAppProtocolHandler>;

beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'veza-app-'));
  const renderer = path.join(base, 'renderer');
  await mkdir(path.join(renderer, 'assets'), { recursive: true });
  await writeFile(path.join(renderer, 'index.html'), '<!doctype html><title>Veza</title>');
  await writeFile(path.join(renderer, 'assets', 'index-abc.js'), 'console.log(1)');
  await writeFile(path.join(renderer, 'assets', 'index-abc.css'), 'body{}');
  await writeFile(path.join(renderer, 'assets', 'my file.svg'), '<svg/>');
  // Outside the renderer folder: must never be reachable.
  await writeFile(path.join(base, 'secrets.json'), '{"token":"x"}');
  handler = createAppProtocolHandler({ rendererDir: renderer, getCsp: () => CSP });
});
afterAll(async () => rm(base, { recursive: true, force: true }));

const get = (url: string, method = 'GET') => handler({ url, method });

describe('veza://app protocol', () => {
  it('serves index.html with its content type and the CSP', async () => {
    for (const url of ['veza://app/index.html', 'veza://app/', 'veza://app']) {
      const response = await get(url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('content-security-policy')).toBe(CSP);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await response.text()).toContain('<title>Veza</title>');
    }
  });

  it('serves assets with the right MIME type, ignoring query and hash', async () => {
    const js = await get('veza://app/assets/index-abc.js?v=1#x');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await get('veza://app/assets/index-abc.css')).headers.get('content-type')).toBe('text/css; charset=utf-8');
    const svg = await get('veza://app/assets/my%20file.svg');
    expect(svg.status).toBe(200);
    expect(svg.headers.get('content-type')).toBe('image/svg+xml');
  });

  it('refuses anything but GET with 405', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS']) {
      const response = await get('veza://app/index.html', method);
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('GET');
    }
  });

  it('answers 404 for foreign hosts and other schemes', async () => {
    for (const url of [
      'veza://room/index.html',
      'veza://evil.example/index.html',
      'veza-media://app/index.html',
      'https://app/index.html',
      'garbage',
    ]) {
      expect((await get(url)).status).toBe(404);
    }
  });

  it('answers 404 to every traversal attempt, plain or encoded', async () => {
    const attempts = [
      'veza://app/../secrets.json',
      'veza://app/assets/../../secrets.json',
      'veza://app/%2e%2e/secrets.json',
      'veza://app/%2E%2E/secrets.json',
      'veza://app/.%2e/secrets.json',
      'veza://app/assets/%2e%2e%2f%2e%2e%2fsecrets.json',
      'veza://app/..%2fsecrets.json',
      'veza://app/..%5csecrets.json',
      'veza://app/assets%2f..%2f..%2fsecrets.json',
      'veza://app/..\\secrets.json',
      'veza://app/%252e%252e/secrets.json',
      'veza://app/index.html%00.js',
      'veza://app/./index.html',
      'veza://app/C:/Windows/win.ini',
      'veza://app/missing.js',
      'veza://app/assets',
    ];
    for (const url of attempts) {
      const response = await get(url);
      expect({ url, status: response.status }).toEqual({ url, status: 404 });
    }
  });
});

describe('safe paths', () => {
  it('reads the raw path without normalising it', () => {
    expect(rawUrlPath('veza://app/a/../b?x#y')).toBe('/a/../b');
    expect(rawUrlPath('veza://app')).toBe('/');
    expect(rawUrlPath('no-scheme')).toBeNull();
  });

  it('decodes safe segments and refuses dangerous ones', () => {
    expect(safeRelativeSegments('/a/b%20c/d.js')).toEqual(['a', 'b c', 'd.js']);
    expect(safeRelativeSegments('/a/%E0%A4%A')).toBeNull();
    expect(safeRelativeSegments('/a/%2E/b')).toBeNull();
  });

  it('never resolves outside the root', () => {
    const root = path.resolve('/srv/root');
    expect(resolveUnderRoot(root, '/a/b.js')).toBe(path.join(root, 'a', 'b.js'));
    expect(resolveUnderRoot(root, '/')).toBeNull();
    expect(resolveUnderRoot(root, '/../x')).toBeNull();
  });
});
