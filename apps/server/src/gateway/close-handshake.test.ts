import { randomBytes } from 'node:crypto';
import { connect as connectTcp, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE_CODES } from '@veza/shared';
import { createTestApp, type TestApp } from '../test-support/app.js';
import { DEFAULT_GATEWAY_LIMITS } from './limits.js';

/*
 * Finding: after the hello timeout the close frame went out, but the TCP connection stayed
 * until the peer answered it, and ws waits 30 s for a peer that never does. The test's budget
 * (10 s) is well short of that, and far above the bound it sets.
 */

let t: TestApp;
const peers: Socket[] = [];
beforeAll(async () => {
  t = await createTestApp({
    audioTools: null,
    limits: { gateway: { ...DEFAULT_GATEWAY_LIMITS, helloTimeoutMs: 100, closeTimeoutMs: 200 } },
  });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  for (const peer of peers) peer.destroy();
  await t.close();
});

/** A WebSocket client by hand: it upgrades, then reads and never writes, not even a close. */
async function silentPeer(): Promise<{ socket: Socket; received: () => Buffer }> {
  const { port } = t.app.server.address() as AddressInfo;
  const socket = connectTcp(port, '127.0.0.1');
  peers.push(socket);
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.once('connect', resolve);
  });
  socket.write(
    [
      'GET /api/v1/ws HTTP/1.1',
      `Host: 127.0.0.1:${port}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
      'Sec-WebSocket-Version: 13',
      '',
      '',
    ].join('\r\n'),
  );
  return { socket, received: () => Buffer.concat(chunks) };
}

/** The status code of the first close frame (opcode 8, unmasked from a server) in `bytes`. */
function closeCodeIn(bytes: Buffer): number | undefined {
  const start = bytes.indexOf('\r\n\r\n') + 4;
  for (let at = start; at + 1 < bytes.length;) {
    const opcode = bytes[at]! & 0x0f;
    const length = bytes[at + 1]! & 0x7f;
    if (length > 125) return undefined;
    if (opcode === 8) return bytes.readUInt16BE(at + 2);
    at += 2 + length;
  }
  return undefined;
}

describe('a peer that never answers the close frame', () => {
  it(`has its connection cut soon after the server closed it (${CLOSE_CODES.HELLO_TIMEOUT}: no hello)`, async () => {
    const peer = await silentPeer();
    await new Promise<void>((resolve) => peer.socket.once('close', () => resolve()));
    expect(peer.received().toString('latin1')).toMatch(/^HTTP\/1\.1 101 /);
    expect(closeCodeIn(peer.received())).toBe(CLOSE_CODES.HELLO_TIMEOUT);
  }, 10_000);
});
