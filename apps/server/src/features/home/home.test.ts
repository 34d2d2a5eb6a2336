import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_VERSION } from '../../infra/version.js';
import { createTestApp, TEST_PUBLIC_URL, type TestApp } from '../../test-support/app.js';
import { renderHomePage } from './page.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('GET /', () => {
  it('answers a browser with a page saying what this server is, its version, status and links', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-store');
    const html = response.body;
    expect(html).toContain('<title>Veza server</title>');
    expect(html).toContain(`<dt>Version</dt><dd>${SERVER_VERSION}</dd>`);
    expect(html).toContain('<dd class="ready">Ready</dd>');
    expect(html).toContain('<a href="/api/docs">/api/docs</a>');
    expect(html).toContain(`enter <code>${TEST_PUBLIC_URL}</code> as its <em>Server URL</em>`);
    expect(html).toContain('Veza desktop app');
  });

  it('runs no script and allows only its own style, by hash, under the other security headers', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/' });
    expect(response.body).not.toMatch(/<script/i);
    const style = /<style>([\s\S]*)<\/style>/.exec(response.body)![1]!;
    const hash = createHash('sha256').update(style).digest('base64');
    const csp = String(response.headers['content-security-policy']);
    expect(csp.split('; ')).toEqual([
      "default-src 'none'",
      `style-src 'sha256-${hash}'`,
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ]);
    // helmet's other headers still apply.
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
  });

  it('answers HEAD with the headers and no body', async () => {
    const response = await t.app.inject({ method: 'HEAD', url: '/' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.body).toBe('');
  });

  it('leaves unknown API paths as JSON 404s', async () => {
    for (const url of ['/api/v1/nothing-here', '/api/nothing', '/nothing']) {
      const response = await t.app.inject({ method: 'GET', url });
      expect(response.statusCode, url).toBe(404);
      expect(response.headers['content-type'], url).toMatch(/^application\/json/);
      expect(response.json(), url).toMatchObject({ error: { code: 'ROUTE_NOT_FOUND' } });
    }
  });
});

describe('renderHomePage', () => {
  it('says when the database does not answer', () => {
    const html = renderHomePage({ version: '1.2.3', publicUrl: 'http://veza.lan:8080', ready: false });
    expect(html).toContain('<dd class="not-ready">Not ready: the database does not answer</dd>');
    expect(html).not.toContain('class="ready"');
  });

  it('escapes the public URL', () => {
    const html = renderHomePage({ version: '1', publicUrl: 'http://x/"><img src=x onerror=alert(1)>', ready: true });
    expect(html).not.toContain('"><img');
    expect(html).toContain('&#34;&#62;&#60;img');
  });
});
