import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROTOCOL_VERSION } from '@veza/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { DesktopError } from '../../common/errors.js';
import { openCacheDatabase } from '../cache/database.js';
import { bundleForNode } from './test-support/bundle.js';
import {
  chatTestKit,
  createRoom,
  joinRoom,
  openChat,
  removeDir,
  serverMessages,
  waitFor,
  type TestAccount,
  type TestChat,
} from './test-support/chat-harness.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const kit = chatTestKit();
const { account, chat, online } = kit;
beforeAll(kit.start);
afterAll(kit.finish);

function outboxCount(c: TestChat): number {
  return (c.db.prepare('SELECT count(*) AS n FROM chat_outbox').get() as { n: number }).n;
}

/** Two users in one room, both connected; the room has one message from bob. */
async function pair() {
  const ada = await account();
  const bob = await account();
  const room = await createRoom(ada);
  await joinRoom(bob, room.id);
  const adaChat = chat(ada);
  const bobChat = chat(bob);
  await online(adaChat);
  await online(bobChat);
  return { ada, bob, room, adaChat, bobChat };
}

/** Runs `node script args`, resolves with the first stdout line starting with `prefix`. */
function spawnUntil(script: string, args: string[], prefix: string) {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const line = new Promise<string>((resolve, reject) => {
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const found = stdout.split('\n').find((l) => l.startsWith(prefix));
      if (found) resolve(found);
    });
    void exited.then((result) => reject(new Error(`child exited early ${JSON.stringify(result)}: ${stderr}`)));
  });
  return { child, line, exited };
}

describe('outbox', () => {
  it('survives a SIGKILL of core and delivers every queued message exactly once after the restart', async () => {
    const ada = await account();
    const bob = await account();
    const room = await createRoom(ada);
    await joinRoom(bob, room.id);
    const file = path.join(ada.dir, 'killed.sqlite');
    const first = openChat(ada, { file });
    await online(first);
    await waitFor(async () => (await first.service.listRooms()).length === 1, 'the room cached');
    await first.close();

    await kit.server().stop();
    const bodies = ['queued one', 'queued two', 'queued three'];
    let clientIds: string[];
    try {
      const work = await mkdtemp(path.join(tmpdir(), 'veza-outbox-child-'));
      kit.defer(() => removeDir(work));
      const script = path.join(work, 'outbox-child.mjs');
      await bundleForNode(path.join(here, 'test-support/outbox-child.ts'), script);
      const { child, line, exited } = spawnUntil(
        script,
        [
          JSON.stringify({
            file,
            serverUrl: kit.server().url,
            me: { id: ada.session.user.id, username: ada.session.user.username },
            roomId: room.id,
            bodies,
          }),
        ],
        'queued ',
      );
      clientIds = JSON.parse((await line).slice('queued '.length)) as string[];
      child.kill('SIGKILL');
      expect(await exited).toEqual({ code: null, signal: 'SIGKILL' });

      // Still queued on disk, in order.
      const db = openCacheDatabase(file);
      const rows = db.prepare('SELECT kind, client_id, state, payload FROM chat_outbox ORDER BY id').all() as {
        kind: string;
        client_id: string;
        state: string;
        payload: string;
      }[];
      db.close();
      expect(rows.map((r) => [r.kind, r.client_id, r.state])).toEqual(clientIds.map((id) => ['send', id, 'pending']));
      expect(rows.map((r) => (JSON.parse(r.payload) as { body: string }).body)).toEqual(bodies);
      // UUIDv7: version nibble 7, and they sort in creation order.
      expect(clientIds.every((id) => id[14] === '7')).toBe(true);
      expect([...clientIds].sort()).toEqual(clientIds);
    } finally {
      await kit.server().restart();
    }
    // The worst case of a crash: the server stored the first one but its ack never reached the disk.
    await sendRaw(ada, { type: 'send', roomId: room.id, clientId: clientIds[0]!, body: bodies[0]! });

    const revived = chat(ada, { file });
    await waitFor(() => outboxCount(revived) === 0, 'the outbox drained');
    const window = await waitFor(async () => {
      const w = await revived.service.getMessages({ roomId: room.id });
      return w.messages.length === 3 && w.messages.every((m) => m.delivery === 'sent') ? w : null;
    }, 'three sent messages');
    expect(window.messages.map((m) => m.body)).toEqual(bodies);

    const seen = (await serverMessages(bob, room.id)).reverse();
    expect(seen.map((m) => m.body)).toEqual(bodies);
    expect(seen.map((m) => m.clientId)).toEqual(clientIds);
  });

  it('marks a refused send failed with the server’s reason; retry and discard', async () => {
    const { ada, bob, room, adaChat } = await pair();
    const elsewhere = await createRoom(bob);
    await joinRoom(ada, elsewhere.id);
    const bobChat = chat(bob);
    await online(bobChat);
    const foreign = await bobChat.service.sendMessage({ roomId: elsewhere.id, body: 'in another room' });
    const foreignId = await waitFor(
      async () =>
        (await bobChat.service.getMessages({ roomId: elsewhere.id })).messages.find(
          (m) => m.clientId === foreign.clientId,
        )?.id,
      'the other room message',
    );

    // Replying in this room to a message of another room: the server refuses it for good.
    const pending = await adaChat.service.sendMessage({ roomId: room.id, body: 'bad reply', replyTo: foreignId });
    expect(pending).toMatchObject({ id: null, seq: null, delivery: 'pending', body: 'bad reply' });
    const failed = await waitFor(async () => {
      const w = await adaChat.service.getMessages({ roomId: room.id });
      return w.messages.find((m) => m.clientId === pending.clientId && m.delivery === 'failed');
    }, 'the failed send');
    expect(failed.deliveryError).toBe('The message replied to is not in this room.');

    await adaChat.service.retryMessage({ clientId: pending.clientId });
    const attempts = await waitFor(() => {
      const row = adaChat.db
        .prepare('SELECT state, attempts FROM chat_outbox WHERE client_id = ?')
        .get(pending.clientId) as { state: string; attempts: number };
      return row.state === 'failed' && row.attempts === 2 ? row.attempts : 0;
    }, 'the retry failing again');
    expect(attempts).toBe(2);

    await adaChat.service.discardMessage({ clientId: pending.clientId });
    const window = await adaChat.service.getMessages({ roomId: room.id });
    expect(window.messages.some((m) => m.clientId === pending.clientId)).toBe(false);
    expect(outboxCount(adaChat)).toBe(0);

    // A good message after a failed one still goes through.
    await adaChat.service.sendMessage({ roomId: room.id, body: 'fine' });
    await waitFor(async () => (await serverMessages(bob, room.id)).some((m) => m.body === 'fine'), 'delivered');
    // Blank bodies never reach the outbox.
    const error = await adaChat.service.sendMessage({ roomId: room.id, body: '   ' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DesktopError);
    expect((error as DesktopError).code).toBe('INVALID_ARGUMENT');
  });

  it('delivers a burst in order, whether the ack or the event comes first', async () => {
    const { bob, room, adaChat } = await pair();
    const bodies = Array.from({ length: 12 }, (_, i) => `burst ${i + 1}`);
    for (const body of bodies) await adaChat.service.sendMessage({ roomId: room.id, body });
    // Right after queueing: all shown, in order, as pending.
    const queued = await adaChat.service.getMessages({ roomId: room.id });
    expect(queued.messages.map((m) => m.body)).toEqual(bodies);
    await waitFor(() => outboxCount(adaChat) === 0, 'the burst delivered');
    const window = await waitFor(async () => {
      const w = await adaChat.service.getMessages({ roomId: room.id });
      return w.messages.every((m) => m.delivery === 'sent' && m.seq !== null) ? w : null;
    }, 'all sent');
    expect(window.messages.map((m) => m.body)).toEqual(bodies);
    const seqs = window.messages.map((m) => m.seq!);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect((await serverMessages(bob, room.id)).map((m) => m.body).reverse()).toEqual(bodies);
  });

  it('works offline: cache answers, changes queue, the connection says when it retries; the restart delivers', async () => {
    const { ada, bob, room, adaChat, bobChat } = await pair();
    const mine = await adaChat.service.sendMessage({ roomId: room.id, body: 'searchable café message' });
    const sentId = await waitFor(
      async () =>
        (await adaChat.service.getMessages({ roomId: room.id })).messages.find(
          (m) => m.clientId === mine.clientId && m.id,
        )?.id,
      'sent',
    );

    await kit.server().stop();
    try {
      const connection = await waitFor(() => {
        const state = adaChat.connection.state();
        return state.status === 'offline' && state.nextRetryAt ? state : null;
      }, 'offline with a retry time');
      expect(Date.parse(connection.nextRetryAt!)).toBeGreaterThan(Date.now() - 1000);
      expect(connection.lastError).toBeTruthy();
      expect(adaChat.events).toContainEqual({
        type: 'connection.changed',
        connection: expect.objectContaining({ status: 'offline' }),
      });

      // Reads come from the cache.
      const cached = await adaChat.service.getMessages({ roomId: room.id });
      expect(cached.messages.map((m) => m.body)).toEqual(['searchable café message']);
      expect((await adaChat.service.searchMessages({ query: 'cafe' })).map((h) => h.message.id)).toEqual([sentId]);
      expect(await adaChat.service.listRooms()).toHaveLength(1);
      // What needs the server says so.
      const refused = await adaChat.service.listPublicRooms().catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: 'OFFLINE' });

      // Changes queue and show at once.
      const queued = await adaChat.service.sendMessage({ roomId: room.id, body: 'written offline' });
      expect(queued.delivery).toBe('pending');
      // A pending send may already be stored by the server: it cannot be discarded, only a failed one.
      const discard = await adaChat.service.discardMessage({ clientId: queued.clientId }).catch((e: unknown) => e);
      expect(discard).toMatchObject({ code: 'CONFLICT' });
      await adaChat.service.editMessage({ messageId: sentId, body: 'edited offline' });
      await adaChat.service.react({ messageId: sentId, emoji: '🔥', op: 'add' });
      const shown = await adaChat.service.getMessages({ roomId: room.id });
      expect(shown.messages.map((m) => [m.body, m.delivery])).toEqual([
        ['edited offline', 'sent'],
        ['written offline', 'pending'],
      ]);
      expect(shown.messages[0]!.reactions).toEqual([{ emoji: '🔥', userIds: [ada.session.user.id], byMe: true }]);
    } finally {
      await kit.server().restart();
    }

    await waitFor(() => outboxCount(adaChat) === 0, 'the outbox delivered after the restart');
    await online(bobChat);
    const seen = await waitFor(async () => {
      const messages = await serverMessages(bob, room.id);
      return messages.length === 2 ? messages : null;
    }, 'both messages on the server');
    expect(seen.map((m) => m.body).reverse()).toEqual(['edited offline', 'written offline']);
    const bobView = await waitFor(async () => {
      const w = await bobChat.service.getMessages({ roomId: room.id });
      return w.messages[0]?.reactions.length === 1 && w.messages.length === 2 ? w : null;
    }, 'bob sees the edit and the reaction');
    expect(bobView.messages[0]).toMatchObject({ body: 'edited offline', editedAt: expect.any(String) });
  });
});

/** One frame over a fresh socket as `account`, waiting for its ack (or error). */
async function sendRaw(account: TestAccount, frame: Record<string, unknown>): Promise<Record<string, unknown>> {
  const socket = new WebSocket(account.api.webSocketUrl());
  try {
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    const token = await account.manager.accessToken();
    const answer = new Promise<Record<string, unknown>>((resolve) => {
      socket.on('message', (data: Buffer) => {
        const parsed = JSON.parse(data.toString()) as Record<string, unknown>;
        if (parsed.type === 'welcome') socket.send(JSON.stringify(frame));
        if (parsed.type === 'ack' || parsed.type === 'error') resolve(parsed);
      });
    });
    socket.send(JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION, token, cursors: {} }));
    const result = await answer;
    expect(result.type).toBe('ack');
    return result;
  } finally {
    socket.close();
  }
}
