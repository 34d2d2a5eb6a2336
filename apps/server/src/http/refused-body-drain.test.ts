import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../test-support/app.js';

/*
 * A body refused for its size gets the server's coded 413 and the connection survives: the rest
 * of the body is read and discarded rather than answered by a reset, which a reverse proxy that
 * forwards the whole body first (nginx) turned into a 502. A body that never finishes arriving
 * loses its connection after the drain bound.
 */

const DRAIN_MS = 300;
const BODY_LIMIT = 64 * 1024;
let t: TestApp;
let port: number;
const opened: net.Socket[] = [];
beforeAll(async () => {
  t = await createTestApp({ audioTools: null, limits: { refusedBodyDrainMs: DRAIN_MS, bodyLimit: BODY_LIMIT } });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  port = (t.app.server.address() as AddressInfo).port;
});
afterAll(async () => {
  for (const socket of opened) socket.destroy();
  await t.close();
});

interface Connection {
  socket: net.Socket;
  /** Everything received so far. */
  received: () => string;
  /** Resolves once `text` has been received. */
  until: (text: RegExp) => Promise<void>;
  closed: Promise<void>;
  error: () => string | undefined;
}

async function connect(): Promise<Connection> {
  const socket = net.connect({ host: '127.0.0.1', port });
  opened.push(socket);
  let data = '';
  let error: string | undefined;
  const waiters: { text: RegExp; resolve: () => void }[] = [];
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    data += chunk;
    for (const waiter of waiters.filter((w) => w.text.test(data))) waiter.resolve();
  });
  socket.on('error', (err: NodeJS.ErrnoException) => (error = err.code));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return {
    socket,
    received: () => data,
    until: (text) =>
      text.test(data) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ text, resolve })),
    closed,
    error: () => error,
  };
}

const head = (length: number): string =>
  `POST /api/v1/auth/login HTTP/1.1\r\nHost: veza.test\r\nContent-Type: application/json\r\n` +
  `Content-Length: ${length}\r\nConnection: keep-alive\r\n\r\n`;

/** Writes all of `body`, waiting for the socket to take each chunk, as a proxy forwarding it does. */
async function writeAll(socket: net.Socket, body: Buffer): Promise<void> {
  for (let offset = 0; offset < body.length; offset += 16 * 1024) {
    const chunk = body.subarray(offset, offset + 16 * 1024);
    if (!socket.write(chunk)) await new Promise((resolve) => socket.once('drain', resolve));
  }
}

describe('a body refused for its size', () => {
  it('is answered 413 PAYLOAD_TOO_LARGE, read to its end, and the connection serves the next request', async () => {
    const connection = await connect();
    const body = Buffer.alloc(BODY_LIMIT * 32, 'a');
    connection.socket.write(head(body.length));
    await writeAll(connection.socket, body);
    await connection.until(/"PAYLOAD_TOO_LARGE"/);
    expect(connection.received()).toMatch(/^HTTP\/1\.1 413 /);
    expect(connection.received()).not.toMatch(/connection: close/i);

    connection.socket.write('GET /healthz HTTP/1.1\r\nHost: veza.test\r\n\r\n');
    await connection.until(/HTTP\/1\.1 413[\s\S]*HTTP\/1\.1 200 /);
    expect(connection.error()).toBeUndefined();
  });

  it('that stops arriving loses its connection after the drain bound', async () => {
    const connection = await connect();
    connection.socket.write(head(BODY_LIMIT * 32));
    connection.socket.write(Buffer.alloc(1024, 'a'));
    await connection.until(/"PAYLOAD_TOO_LARGE"/);
    // The rest of the body never comes: the server closes the connection instead of waiting on.
    await connection.closed;
    expect(connection.received()).toMatch(/^HTTP\/1\.1 413 /);
  });

  it('within the limit is handled as usual', async () => {
    const reply = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { login: 'nobody', password: 'not the password' },
    });
    expect(reply.statusCode).toBe(401);
  });
});
