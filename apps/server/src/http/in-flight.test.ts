import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../test-support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.database.drop();
});

describe('shutdown with a handler whose client hung up', () => {
  it('close() waits for the handler, so its work reaches the database', async () => {
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = t.app.server.address() as AddressInfo;
    const body = JSON.stringify({ email: 'gone@example.test', username: 'gone', password: 'password-gone' });
    const request = http.request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/api/v1/auth/register',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    });
    request.on('error', () => undefined);
    request.end(body);
    // Hang up once the server is handling it (hashing the password takes milliseconds).
    while (t.app.veza.inFlight.count() === 0) await new Promise((resolve) => setImmediate(resolve));
    request.destroy();

    await t.app.close();
    const { rows } = await t.database.db.query('SELECT username FROM users WHERE username = $1', ['gone']);
    expect(rows).toEqual([{ username: 'gone' }]);
  });
});
