import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PoolClient } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE_CODES, PROTOCOL_VERSION, type StreamGrant } from '@veza/shared';
import type { VezaApp } from '../../app.js';
import { systemClock } from '../../infra/clock.js';
import { createDb } from '../../infra/db/db.js';
import { enqueueJob } from '../../infra/jobs/queue.js';
import { createMetrics } from '../../infra/metrics.js';
import { bearer, buildAppOn, createTestApp, signUp, type TestApp } from '../../test-support/app.js';
import { makeTone } from '../../test-support/audio-files.js';
import { connect, connectSynced, createRoom, eventually, isType, sendMessage, wsUrl } from '../../test-support/chat.js';
import { baseUrl, localize, uploadTrack, waitForState } from '../../test-support/media.js';
import { sampleSum, scrape } from '../../test-support/metrics.js';
import { TestSocket, socketTracker } from '../../test-support/ws-client.js';

/*
 * The families /metrics adds for operators, moved by real traffic: real sockets, a real upload
 * through ffmpeg, real media requests on the fast path.
 */

let t: TestApp;
let dir: string;
const { track, terminateAll } = socketTracker();

beforeAll(async () => {
  t = await createTestApp();
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  dir = await mkdtemp(path.join(tmpdir(), 'veza-metrics-'));
});
afterAll(async () => {
  terminateAll();
  await t.close();
  await rm(dir, { recursive: true, force: true });
});

/** What changed in the named samples between two scrapes. */
async function delta(
  work: () => Promise<void>,
  ...series: [name: string, labels?: Record<string, string>][]
): Promise<number[]> {
  const before = await scrape(t.app);
  await work();
  const after = await scrape(t.app);
  return series.map(([name, labels]) => (sampleSum(after, name, labels) ?? 0) - (sampleSum(before, name, labels) ?? 0));
}

const connections = async (state: string): Promise<number | undefined> =>
  sampleSum(await scrape(t.app), 'veza_ws_connections', { state });

describe('WebSocket metrics', () => {
  it('counts connections by state: authenticating before hello, open after, closing until the socket is gone', async () => {
    const ada = await signUp(t);
    expect([await connections('authenticating'), await connections('open'), await connections('closing')]).toEqual([
      0, 0, 0,
    ]);

    const anonymous = track(await TestSocket.open(wsUrl(t)));
    expect(await connections('authenticating')).toBe(1);
    anonymous.send({ type: 'hello', protocol: PROTOCOL_VERSION, token: ada.accessToken, cursors: {} });
    await anonymous.next(isType('welcome'), 'welcome');
    expect([await connections('authenticating'), await connections('open')]).toEqual([0, 1]);

    // A client that stops reading cannot answer the server's close frame: the server holds it as closing.
    const rude = track(await TestSocket.open(wsUrl(t)));
    const raw = (rude.ws as unknown as { _socket: Socket })._socket;
    rude.send({ type: 'read', roomId: randomUUID(), seq: 1 });
    raw.pause();
    await eventually(async () => expect(await connections('closing')).toBe(1));
    expect([await connections('authenticating'), await connections('open')]).toEqual([0, 1]);
    raw.resume();
    expect(await rude.closed()).toBe(CLOSE_CODES.PROTOCOL_ERROR);
    await eventually(async () => expect(await connections('closing')).toBe(0));

    anonymous.ws.close();
    await anonymous.closed();
    await eventually(async () => expect(await connections('open')).toBe(0));
  });

  it('counts frames in and out by type, and messages stored once however often they are sent', async () => {
    const ada = await signUp(t);
    const room = await createRoom(t, ada.accessToken);
    let socket: TestSocket | undefined;
    const clientId = randomUUID();
    const [hello, send, invalid, welcome, synced, ack, event, error, stored] = await delta(
      async () => {
        socket = track(await connectSynced(wsUrl(t), ada.accessToken, { [room.id]: 0 }));
        await sendMessage(socket, room.id, 'counted once', { clientId });
        socket.frames.length = 0;
        // The resend of a stored message is acknowledged again, and stores nothing.
        await sendMessage(socket, room.id, 'counted once', { clientId });
        socket.sendRaw('this is not JSON');
        await socket.next(isType('error'), 'BAD_FRAME');
      },
      ['veza_ws_frames_received_total', { type: 'hello' }],
      ['veza_ws_frames_received_total', { type: 'send' }],
      ['veza_ws_frames_received_total', { type: 'invalid' }],
      ['veza_ws_frames_sent_total', { type: 'welcome' }],
      ['veza_ws_frames_sent_total', { type: 'synced' }],
      ['veza_ws_frames_sent_total', { type: 'ack' }],
      ['veza_ws_frames_sent_total', { type: 'event' }],
      ['veza_ws_frames_sent_total', { type: 'error' }],
      ['veza_chat_messages_stored_total'],
    );
    expect({ hello, send, invalid, welcome, synced, ack, error, stored }).toEqual({
      hello: 1,
      send: 2,
      invalid: 1,
      welcome: 1,
      synced: 1,
      ack: 2,
      error: 1,
      stored: 1,
    });
    // The room's creation replayed, then the message live.
    expect(event).toBe(2);
  });

  it('counts a flooding client closed as too slow, and the answers it can no longer receive as dropped', async () => {
    const ada = await signUp(t);
    const [inboundQueue, dropped] = await delta(
      async () => {
        const flooder = track(await connect(wsUrl(t), ada.accessToken, {}));
        // Sent in one write, so they arrive together and queue up faster than they are handled.
        flooder.sendAtOnce(Array.from({ length: 400 }, (_, i) => Buffer.from([i % 256])));
        expect(await flooder.closed()).toBe(CLOSE_CODES.TOO_SLOW);
      },
      ['veza_ws_slow_consumer_closes_total', { reason: 'inbound_queue' }],
      ['veza_ws_frames_dropped_total', { reason: 'closed' }],
    );
    expect(inboundQueue).toBe(1);
    expect(dropped).toBeGreaterThan(0);
  });
});

describe('job, transcode and media metrics', () => {
  it('reads the queue depth from the jobs table at scrape time, every known kind included', async () => {
    const kind = `test.unhandled-${randomBytes(3).toString('hex')}`;
    await enqueueJob(t.database.db, systemClock, kind, {});
    const text = await scrape(t.app);
    expect(sampleSum(text, 'veza_job_queue_depth', { kind, state: 'queued' })).toBe(1);
    expect(sampleSum(text, 'veza_job_queue_depth', { kind: 'track.process', state: 'queued' })).toBe(0);
    expect(sampleSum(text, 'veza_job_queue_depth', { kind: 'track.process', state: 'running' })).toBe(0);
    await t.database.db.query(`UPDATE jobs SET state = 'failed' WHERE kind = $1`, [kind]);
    expect(sampleSum(await scrape(t.app), 'veza_job_queue_depth', { kind, state: 'queued' })).toBeUndefined();
  });

  it('times a real upload job and its ffmpeg steps, then counts media requests and cache hits on the fast path', async () => {
    const artist = await signUp(t, 'artist');
    const before = await scrape(t.app);
    const uploaded = await uploadTrack(t, artist.accessToken, await makeTone(dir, { seconds: 2 }));
    await waitForState(t, uploaded.id, 'ready');
    // The track turns ready inside the job; the worker records the job's duration once the job
    // itself is marked done, a moment later.
    let afterJob = '';
    const grew = (name: string, labels: Record<string, string>): number =>
      (sampleSum(afterJob, name, labels) ?? 0) - (sampleSum(before, name, labels) ?? 0);
    await eventually(async () => {
      afterJob = await scrape(t.app);
      expect(grew('veza_job_duration_seconds_count', { kind: 'track.process', outcome: 'done' })).toBe(1);
    });
    expect(grew('veza_job_duration_seconds_sum', { kind: 'track.process', outcome: 'done' })).toBeGreaterThan(0);
    for (const step of ['ladder', 'peaks', 'package'])
      expect(grew('veza_transcode_seconds_total', { step }), step).toBeGreaterThan(0);

    const grant = (await (
      await fetch(`${baseUrl(t)}/api/v1/tracks/${uploaded.id}/stream`, { headers: bearer(artist.accessToken) })
    ).json()) as StreamGrant;
    const master = localize(t, grant.url);
    const forged = master.replace(/\/[A-Za-z0-9_-]+\/master\.m3u8$/, '/forged/master.m3u8');
    const [ok, notModified, forbidden, preflight, notAllowed, hits, misses] = await delta(
      async () => {
        const first = await fetch(master);
        expect(first.status).toBe(200);
        const second = await fetch(master, { headers: { 'if-none-match': first.headers.get('etag')! } });
        expect(second.status).toBe(304);
        expect((await fetch(master)).status).toBe(200);
        expect((await fetch(forged)).status).toBe(403);
        expect((await fetch(master, { method: 'OPTIONS' })).status).toBe(204);
        expect((await fetch(master, { method: 'DELETE' })).status).toBe(405);
      },
      ['veza_media_requests_total', { status_code: '200' }],
      ['veza_media_requests_total', { status_code: '304' }],
      ['veza_media_requests_total', { status_code: '403' }],
      ['veza_media_requests_total', { status_code: '204' }],
      ['veza_media_requests_total', { status_code: '405' }],
      ['veza_media_cache_lookups_total', { result: 'hit' }],
      ['veza_media_cache_lookups_total', { result: 'miss' }],
    );
    expect({ ok, notModified, forbidden, preflight, notAllowed, hits, misses }).toEqual({
      ok: 2,
      notModified: 1,
      forbidden: 1,
      preflight: 1,
      notAllowed: 1,
      hits: 2,
      misses: 1,
    });
    expect(sampleSum(await scrape(t.app), 'veza_media_cache_bytes')).toBeGreaterThan(0);
  });
});

describe('database pool and bus metrics', () => {
  it('reports the pool and the in-process bus', async () => {
    const text = await scrape(t.app);
    expect(sampleSum(text, 'veza_db_pool_max_connections')).toBe(5);
    expect(sampleSum(text, 'veza_db_pool_connections')).toBeGreaterThanOrEqual(1);
    expect(sampleSum(text, 'veza_db_pool_idle_connections')).toBeGreaterThanOrEqual(0);
    expect(sampleSum(text, 'veza_db_pool_waiting_requests')).toBe(0);
    expect(sampleSum(text, 'veza_bus_connected', { kind: 'in_process' })).toBe(1);
  });

  it('answers a scrape while the pool is exhausted: queries waiting are counted, the queue depth left out', async () => {
    const db = createDb({ connectionString: t.database.connectionString, max: 1 });
    let app: VezaApp | undefined;
    let held: PoolClient | undefined = await db.pool.connect();
    try {
      app = await buildAppOn(db, { deps: { metrics: createMetrics({ scrapeQueryTimeoutMs: 100 }) } });
      await app.ready();
      const waiting = db.query('SELECT 1');
      const text = await scrape(app);
      expect(sampleSum(text, 'veza_db_pool_connections')).toBe(1);
      expect(sampleSum(text, 'veza_db_pool_idle_connections')).toBe(0);
      expect(sampleSum(text, 'veza_db_pool_waiting_requests')).toBe(1);
      expect(text).toContain('# TYPE veza_job_queue_depth gauge');
      expect(sampleSum(text, 'veza_job_queue_depth')).toBeUndefined();
      held.release();
      held = undefined;
      await waiting;
    } finally {
      held?.release();
      await app?.close();
      await db.close();
    }
  });
});
