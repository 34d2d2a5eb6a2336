import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE_CODES, PROTOCOL_VERSION } from '@veza/shared';
import { createTestApp, signUp, type TestApp } from '../test-support/app.js';
import { connect, eventually, isType, wsUrl } from '../test-support/chat.js';
import { TestSocket, socketTracker } from '../test-support/ws-client.js';
import { DEFAULT_GATEWAY_LIMITS } from './limits.js';

/*
 * Security finding 2: how many sockets one account, and one address before saying hello, may
 * hold on an instance. Past a cap the socket is told why and closed with TOO_MANY_CONNECTIONS.
 */

let t: TestApp;
let url: string;
const { track, terminateAll } = socketTracker();
beforeAll(async () => {
  t = await createTestApp({
    audioTools: null,
    limits: { gateway: { ...DEFAULT_GATEWAY_LIMITS, maxSocketsPerUser: 3, maxPendingSocketsPerAddress: 2 } },
  });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  url = wsUrl(t);
});
afterAll(async () => {
  terminateAll();
  await t.close();
});

const hello = (socket: TestSocket, token: string): void =>
  socket.send({ type: 'hello', protocol: PROTOCOL_VERSION, token, cursors: {} });

describe('sockets per account', () => {
  it(`refuses one more than the cap with ${CLOSE_CODES.TOO_MANY_CONNECTIONS}, and takes it again once one closes`, async () => {
    const ada = await signUp(t);
    const bob = await signUp(t);
    const open = [];
    for (let i = 0; i < 3; i++) open.push(track(await connect(url, ada.accessToken, {})));

    const extra = track(await TestSocket.open(url));
    hello(extra, ada.accessToken);
    expect(await extra.closed()).toBe(CLOSE_CODES.TOO_MANY_CONNECTIONS);
    expect(extra.frames).toEqual([
      expect.objectContaining({ type: 'error', code: 'RATE_LIMITED', message: expect.stringMatching(/3 connections/) }),
    ]);
    // The cap is the account's: another user connects, and the three stay.
    track(await connect(url, bob.accessToken, {}));
    expect(open.map((s) => s.closeCode)).toEqual([undefined, undefined, undefined]);

    open[0]!.close();
    await eventually(() => expect(t.app.veza.gateway.clients.of(ada.user.id)).toHaveLength(2));
    track(await connect(url, ada.accessToken, {}));
  });
});

describe('sockets per address before hello', () => {
  it(`refuses one more than the cap with ${CLOSE_CODES.TOO_MANY_CONNECTIONS}; a socket that said hello no longer counts`, async () => {
    const ada = await signUp(t);
    const first = track(await TestSocket.open(url));
    const second = track(await TestSocket.open(url));

    const third = track(await TestSocket.open(url));
    expect(await third.closed()).toBe(CLOSE_CODES.TOO_MANY_CONNECTIONS);
    expect(third.frames).toEqual([
      expect.objectContaining({ type: 'error', code: 'RATE_LIMITED', message: expect.stringMatching(/address/) }),
    ]);
    expect(third.ws.readyState).toBe(third.ws.CLOSED);

    hello(first, ada.accessToken);
    await first.next(isType('welcome'), 'welcome');
    const fourth = track(await TestSocket.open(url));
    hello(fourth, ada.accessToken);
    await fourth.next(isType('welcome'), 'welcome');

    // One that gave up before hello frees its place too.
    second.close();
    await second.closed();
    await eventually(async () => {
      const fifth = track(await TestSocket.open(url));
      hello(fifth, ada.accessToken);
      await fifth.next(isType('welcome'), 'welcome', 1_000);
    });
  });
});
