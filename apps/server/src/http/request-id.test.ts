import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../infra/logger.js';
import { createTestApp, type TestApp } from '../test-support/app.js';
import { baseUrl } from '../test-support/media.js';
import { acceptedRequestId } from './request-id.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('acceptedRequestId', () => {
  it.each([
    '0f8fad5b-d9cb-469f-a165-70867728950e',
    '01HZX3J6Q3S9T8V7W6X5Y4Z3A2',
    'Root=1-67891233-abcdef012345678912345678',
    'req:42/retry+1@edge.example',
    'a'.repeat(128),
  ])('accepts %j', (id) => {
    expect(acceptedRequestId(id)).toBe(id);
  });

  it.each([
    ['empty', ''],
    ['too long', 'a'.repeat(129)],
    ['with a space', 'two words'],
    ['with a quote', 'a"b'],
    ['with a line break', 'a\nb'],
    ['with a tab', 'a\tb'],
    ['with non-ASCII', 'café'],
    ['sent twice (Node joins them)', 'a, b'],
    ['an array', ['a', 'b']],
    ['absent', undefined],
  ])('refuses one %s', (_what, id) => {
    expect(acceptedRequestId(id)).toBeUndefined();
  });
});

describe('X-Request-Id', () => {
  let t: TestApp;
  const lines: string[] = [];
  beforeAll(async () => {
    t = await createTestApp({ logger: createLogger('trace', { write: (line: string) => void lines.push(line) }) });
    await t.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => t.close());

  it('is echoed on every answer, whatever its status, and is the reqId of the log lines', async () => {
    for (const [url, status] of [
      ['/healthz', 200],
      ['/no/such/route', 404],
      ['/api/v1/me', 401],
    ] as const) {
      const id = `probe-${status}-${Date.now()}`;
      const response = await fetch(`${baseUrl(t)}${url}`, { headers: { 'x-request-id': id } });
      expect(response.status).toBe(status);
      expect(response.headers.get('x-request-id')).toBe(id);
      const logged = lines.map((line) => JSON.parse(line) as { reqId?: string });
      expect(logged.some((line) => line.reqId === id)).toBe(true);
    }
  });

  it('is replaced by a new UUID when absent or unacceptable, and never echoed as sent', async () => {
    const none = await fetch(`${baseUrl(t)}/healthz`);
    const again = await fetch(`${baseUrl(t)}/healthz`);
    expect(none.headers.get('x-request-id')).toMatch(UUID);
    expect(again.headers.get('x-request-id')).toMatch(UUID);
    expect(again.headers.get('x-request-id')).not.toBe(none.headers.get('x-request-id'));
    for (const bad of ['x'.repeat(129), '<script>', 'two words']) {
      const response = await fetch(`${baseUrl(t)}/healthz`, { headers: { 'x-request-id': bad } });
      expect(response.headers.get('x-request-id')).toMatch(UUID);
    }
  });

  it('is echoed by the media fast path too, when acceptable; none is made up there', async () => {
    const url = `${baseUrl(t)}/media/hls/not-a-signed-path/master.m3u8`;
    const echoed = await fetch(url, { headers: { 'x-request-id': 'media-probe-1' } });
    expect(echoed.status).toBe(404);
    expect(echoed.headers.get('x-request-id')).toBe('media-probe-1');
    expect((await fetch(url)).headers.get('x-request-id')).toBeNull();
    expect((await fetch(url, { headers: { 'x-request-id': 'two words' } })).headers.get('x-request-id')).toBeNull();
  });
});
