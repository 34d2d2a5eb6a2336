import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppProtocolHandler } from './app-protocol.js';
import { buildCsp } from './csp.js';
import { rawUrlPath, resolveUnderRoot, safeRelativeSegments } from './safe-path.js';

const getCsp = (styleNonce: string | null): string => buildCsp({ serverOrigin: null, styleNonce });
const PLAIN_CSP = getCsp(null);
const NONCE_META_RE = /<meta name="veza-style-nonce" content="([^"]*)">/g;
let base: string;
let handler: ReturnType<typeof createAppProtocolHandler>;

beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'veza-app-'));
  const renderer = path.join(base, 'renderer');
  await mkdir(path.join(renderer, 'assets'), { recursive: true });
  await writeFile(
    path.join(renderer, 'index.html'),
    '<!doctype html><html><head><meta charset="UTF-8"><title>Veza</title></head><body></body></html>',
  );
  await writeFile(path.join(renderer, 'assets', 'index-abc.js'), 'console.log(1)');
  await writeFile(path.join(renderer, 'assets', 'index-abc.css'), 'body{}');
  await writeFile(path.join(renderer, 'assets', 'my file.svg'), '<svg/>');
  // Outside the renderer folder: must never be reachable.
  await writeFile(path.join(base, 'secrets.json'), '{"token":"x"}');
  handler = createAppProtocolHandler({ rendererDir: renderer, getCsp });
});
afterAll(async () => rm(base, { recursive: true, force: true }));

const get = (url: string, method = 'GET') => handler({ url, method });

describe('veza://app protocol', () => {
  it('serves index.html with its content type, a style nonce in <head> and the same nonce in the CSP', async () => {
    for (const url of ['veza://app/index.html', 'veza://app/', 'veza://app']) {
      const response = await get(url);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      const html = await response.text();
      expect(html).toContain('<title>Veza</title>');
      const metas = [...html.matchAll(NONCE_META_RE)];
      expect(metas).toHaveLength(1);
      const nonce = metas[0]?.[1] ?? '';
      expect(Buffer.from(nonce, 'base64')).toHaveLength(16);
      expect(html).toContain(`<head><meta name="veza-style-nonce" content="${nonce}"><meta charset="UTF-8">`);
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toBe(getCsp(nonce));
      expect(csp).toContain(`; style-src 'self' 'nonce-${nonce}';`);
      expect(csp).not.toContain('unsafe-inline');
    }
  });

  it('makes a new nonce for every index.html response', async () => {
    const nonces = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const response = await get('veza://app/');
      const nonce = [...(await response.text()).matchAll(NONCE_META_RE)][0]?.[1] ?? '';
      expect(response.headers.get('content-security-policy')).toContain(`'nonce-${nonce}'`);
      nonces.add(nonce);
    }
    expect(nonces.size).toBe(5);
  });

  it('gives other files the policy without a nonce, and leaves their bytes alone', async () => {
    for (const url of ['veza://app/assets/index-abc.js', 'veza://app/assets/index-abc.css']) {
      const response = await get(url);
      expect(response.headers.get('content-security-policy')).toBe(PLAIN_CSP);
      expect(await response.text()).not.toContain('veza-style-nonce');
    }
    expect(PLAIN_CSP).toContain("; style-src 'self'; ");
  });

  it('answers 500 rather than serve index.html without its nonce', async () => {
    const headless = createAppProtocolHandler({
      rendererDir: path.join(base, 'renderer'),
      getCsp,
      readFile: async () => new TextEncoder().encode('<!doctype html><title>Veza</title>'),
    });
    expect((await headless({ url: 'veza://app/', method: 'GET' })).status).toBe(500);
    const broken = createAppProtocolHandler({
      rendererDir: path.join(base, 'renderer'),
      getCsp,
      createStyleNonce: () => "x'; style-src *",
    });
    expect((await broken({ url: 'veza://app/', method: 'GET' })).status).toBe(500);
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
