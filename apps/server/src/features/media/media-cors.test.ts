import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test-support/app.js';
import { signedPlaylist } from '../../test-support/media.js';

/*
 * Media is fetched cross-origin (hls.js in a web player, the desktop renderer): a preflight is
 * answered by the media path itself, over a real connection (the fast path sits in front of
 * Fastify, where inject() cannot reach).
 */

const ALLOWED = 'https://player.example';
const OTHER = 'https://elsewhere.example';

let t: TestApp;
let url: string;

beforeAll(async () => {
  t = await createTestApp({ corsOrigins: [ALLOWED], audioTools: null });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  ({ url } = await signedPlaylist(t));
});

afterAll(async () => {
  await t?.close();
});

const preflight = (origin: string, headers: Record<string, string> = {}): Promise<Response> =>
  fetch(url, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'range', ...headers },
  });

const listed = (value: string | null): string[] =>
  (value ?? '')
    .split(',')
    .map((item) => item.trim().toLowerCase())
    .filter((item) => item !== '')
    .sort();

describe('CORS on signed media', () => {
  it('answers a preflight from an allowed origin with what a player may do', async () => {
    const response = await preflight(ALLOWED);
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(listed(response.headers.get('access-control-allow-methods'))).toEqual(['get', 'head']);
    expect(listed(response.headers.get('access-control-allow-headers'))).toEqual(['range']);
    expect(listed(response.headers.get('access-control-expose-headers'))).toEqual([
      'accept-ranges',
      'content-length',
      'content-range',
      'etag',
    ]);
    expect(Number(response.headers.get('access-control-max-age'))).toBeGreaterThan(0);
    expect(listed(response.headers.get('vary'))).toContain('origin');
  });

  it('gives a disallowed origin no permission at all', async () => {
    const response = await preflight(OTHER);
    expect(response.status).toBe(204);
    for (const name of response.headers.keys()) expect(name).not.toMatch(/^access-control-allow-/);
    expect(listed(response.headers.get('vary'))).toContain('origin');
  });

  it('lets an allowed origin read a GET and a HEAD, with the range headers exposed', async () => {
    for (const method of ['GET', 'HEAD']) {
      const response = await fetch(url, { method, headers: { origin: ALLOWED, range: 'bytes=0-3' } });
      expect(response.status).toBe(206);
      const allowOrigin = response.headers.get('access-control-allow-origin');
      expect([ALLOWED, '*']).toContain(allowOrigin);
      expect(listed(response.headers.get('access-control-expose-headers'))).toEqual([
        'accept-ranges',
        'content-length',
        'content-range',
        'etag',
      ]);
    }
  });

  it('answers other methods with 405 and the methods it allows', async () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const response = await fetch(url, {
        method,
        headers: { origin: ALLOWED },
        body: method === 'DELETE' ? null : 'x',
      });
      expect(response.status).toBe(405);
      expect(listed(response.headers.get('allow'))).toEqual(['get', 'head', 'options']);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('METHOD_NOT_ALLOWED');
    }
  });
});
