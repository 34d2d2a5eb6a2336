import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, signUp, type TestApp } from '../test-support/app.js';
import { connect, wsUrl } from '../test-support/chat.js';
import { socketTracker } from '../test-support/ws-client.js';

/*
 * Security finding 2: a TCP connection that never sends a request is closed after a short bound
 * (it used to stay open for more than five minutes). Only the wait for the first request is
 * bounded: a kept-alive connection between requests, an upgraded WebSocket and a request whose
 * body is still arriving all stay.
 */

const FIRST_REQUEST_TIMEOUT_MS = 300;
let t: TestApp;
let port: number;
const opened: net.Socket[] = [];
const { track, terminateAll } = socketTracker();
beforeAll(async () => {
  t = await createTestApp({ audioTools: null, limits: { firstRequestTimeoutMs: FIRST_REQUEST_TIMEOUT_MS } });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  port = (t.app.server.address() as AddressInfo).port;
});
afterAll(async () => {
  for (const socket of opened) socket.destroy();
  terminateAll();
  await t.close();
});

/** A raw TCP connection to the server that records what it receives and when it closes. */
async function rawConnection(): Promise<{ socket: net.Socket; received: () => string; closed: Promise<void> }> {
  const socket = net.connect({ host: '127.0.0.1', port });
  opened.push(socket);
  let data = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (data += chunk));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, received: () => data, closed };
}

/** Resolves once `text` has arrived in full on the connection; throws if it closes first. */
async function until(connection: { socket: net.Socket; received: () => string }, text: RegExp): Promise<string> {
  const { socket } = connection;
  while (!text.test(connection.received())) {
    if (socket.destroyed) throw new Error(`the connection closed before ${String(text)} arrived`);
    await new Promise((resolve) => {
      socket.once('data', resolve);
      socket.once('close', resolve);
    });
  }
  return connection.received();
}

const withinSeconds = (promise: Promise<void>, seconds: number): Promise<'closed' | 'still open'> =>
  Promise.race([
    promise.then(() => 'closed' as const),
    new Promise<'still open'>((resolve) => setTimeout(() => resolve('still open'), seconds * 1000)),
  ]);

describe('a connection that never sends a request', () => {
  it('is closed once the first-request bound has passed', async () => {
    const idle = await rawConnection();
    expect(await withinSeconds(idle.closed, 10)).toBe('closed');
    expect(idle.received()).toBe('');
  });

  it('is the only one closed: kept-alive connections, WebSockets and slow bodies stay', async () => {
    const user = await signUp(t);
    // Each of these started before the idle connection below, so a bound that wrongly applied
    // to them would have closed them first.
    const keptAlive = await rawConnection();
    keptAlive.socket.write('GET /healthz HTTP/1.1\r\nhost: veza.test\r\n\r\n');
    await until(keptAlive, /^HTTP\/1\.1 200[\s\S]*\r\n\r\n\{"status":"ok"\}$/);

    const chat = track(await connect(wsUrl(t), user.accessToken, {}));

    const body = JSON.stringify({ login: user.user.username, password: 'not the password' });
    const slowUpload = await rawConnection();
    slowUpload.socket.write(
      `POST /api/v1/auth/login HTTP/1.1\r\nhost: veza.test\r\ncontent-type: application/json\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 10)}`,
    );

    const idle = await rawConnection();
    expect(await withinSeconds(idle.closed, 10)).toBe('closed');

    slowUpload.socket.write(body.slice(10));
    expect(await until(slowUpload, /INVALID_CREDENTIALS/)).toMatch(/^HTTP\/1\.1 401/);
    keptAlive.socket.write('GET /healthz HTTP/1.1\r\nhost: veza.test\r\n\r\n');
    await until(keptAlive, /\{"status":"ok"\}[\s\S]*\{"status":"ok"\}$/);
    chat.send({ type: 'typing', roomId: '00000000-0000-4000-8000-000000000000' });
    await chat.next((f) => f.type === 'error' && f.code === 'FORBIDDEN', 'the socket still answers');
    expect(chat.closeCode).toBeUndefined();
  });
});
