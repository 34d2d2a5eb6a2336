import { once } from 'node:events';
import { PROTOCOL_VERSION } from '@veza/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createTestApp, signUp, type TestApp } from '../test-support/app.js';
import { wsUrl } from '../test-support/chat.js';

/**
 * The gateway composes `welcome` from its own fields and the features' parts: the bytes on the
 * wire must stay what clients of protocol 1 have always received, key order included.
 */
describe('the welcome frame on the wire', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => t.close());

  it('keeps the byte layout of protocol 1', async () => {
    const ada = await signUp(t);
    const socket = new WebSocket(wsUrl(t));
    await once(socket, 'open');
    const first = once(socket, 'message');
    socket.send(JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION, token: ada.accessToken, cursors: {} }));
    const [data] = (await first) as [Buffer];
    socket.close();
    expect(String(data)).toMatch(
      /^\{"type":"welcome","protocol":1,"userId":"[0-9a-f-]{36}","rooms":\[[^\]]*\],"expiresAt":"[^"]+","heartbeatMs":\d+\}$/,
    );
  });
});
