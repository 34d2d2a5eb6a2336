import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../infra/logger.js';
import { createTestApp, type TestApp } from '../../test-support/app.js';
import { baseUrl, signedPlaylist } from '../../test-support/media.js';

/*
 * A signed media path is a credential: whoever reads it plays the track until it expires. It
 * must never reach a log line, whatever the method, the outcome or the way the request came in.
 */

const ORIGIN = 'https://player.example';
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

const lines: string[] = [];
let t: TestApp;
let url: string;
let signature: string;
let tampered: string;

beforeAll(async () => {
  t = await createTestApp({
    logger: createLogger('trace', { write: (line: string) => void lines.push(line) }),
    corsOrigins: [ORIGIN],
    audioTools: null,
  });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  ({ url, signature } = await signedPlaylist(t));
  // The last character changed: still the shape of a signature, no longer a valid one.
  tampered = signature.slice(0, -1) + (signature.endsWith('A') ? 'B' : 'A');
});

afterAll(async () => {
  await t?.close();
});

/** One request over a real connection, with the raw request target (`//…`, absolute form). */
function send(method: string, target: string, body?: string): Promise<number> {
  const { port } = new URL(baseUrl(t));
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method,
        path: target,
        headers: {
          origin: ORIGIN,
          'access-control-request-method': 'GET',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('signed media paths in the logs', () => {
  it('never show the signature, valid or tampered, whatever the method and however the request came', async () => {
    const path = new URL(url).pathname;
    const targets = [path, path.replace(signature, tampered)];
    const statuses: Record<string, number> = {};
    for (const target of targets) {
      for (const method of METHODS) {
        const body = method === 'POST' || method === 'PUT' || method === 'PATCH' ? '{"a":1}' : undefined;
        const label = `${method} ${target === path ? 'valid' : 'tampered'}`;
        statuses[label] = await send(method, target, body);
        statuses[`${label} //`] = await send(method, `/${target}`, body);
        statuses[`${label} absolute`] = await send(method, `${baseUrl(t)}${target}`, body);
        const injected = await t.app.inject({
          method,
          url: target,
          headers: {
            origin: ORIGIN,
            'access-control-request-method': 'GET',
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(body === undefined ? {} : { payload: body }),
        });
        statuses[`${label} inject`] = injected.statusCode;
      }
    }
    expect(statuses['GET valid']).toBe(200);
    expect(statuses['GET tampered']).toBe(403);
    expect(statuses['GET valid inject']).toBe(200);

    // Every answer is written before close() returns, and with it every line about it.
    await t.app.close();
    expect(lines.filter((line) => line.includes(signature) || line.includes(tampered))).toEqual([]);
    // The media path itself (the fast path, and its Fastify route for inject) logs no request.
    expect(lines.filter((line) => line.includes('"url":"/media/'))).toEqual([]);
    // The requests Fastify saw are still logged, with the path's credential blanked out.
    expect(lines.join('')).toContain('/[redacted]/master.m3u8');
  });
});
