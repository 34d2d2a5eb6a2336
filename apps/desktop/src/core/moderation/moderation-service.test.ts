import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ServerFrameOf } from '@veza/shared';
import { WebSocket } from 'ws';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CoreEvent } from '../../common/contract.js';
import { openCacheDatabase, type CacheDb } from '../cache/database.js';
import { SyncConnection } from '../sync/sync-connection.js';
import { ModerationService } from './moderation-service.js';
import { REPORTS_PATH } from './report-sender.js';
import { json, scriptedServer, type ScriptedServer } from './test-api.js';

/*
 * Moderation's side of a listener's app: the notices the server sends (standing kept in SQLite,
 * held/rejected handed to chat), the BANNED refusal of hello, and reports queued offline. The
 * frames are handed in as the sync connection would (its routing is tested in sync-connection's
 * tests); the connection itself is real but never started, so it reads as offline.
 */

let dir: string;
let db: CacheDb;
let server: ScriptedServer;
let events: CoreEvent[];
let held: [string, string | null][];
let rejected: [string, string | null][];
let service: ModerationService;
let connection: SyncConnection;

function open(): ModerationService {
  connection = new SyncConnection({
    url: 'ws://127.0.0.1:9/api/v1/ws',
    tokens: { accessToken: async () => 't', renewAccessToken: async () => 't' },
    meId: randomUUID(),
    backoff: { minDelayMs: 10, maxDelayMs: 10 },
    factory: (url) => new WebSocket(url),
    log: { warn: () => undefined, error: () => undefined },
  });
  const s = new ModerationService({
    db,
    api: server.api,
    connection,
    log: { warn: () => undefined, error: () => undefined },
    emit: (event) => events.push(event),
    reportRetryMs: 3_600_000,
  });
  s.attachChat({
    messageHeld: (clientId, reason) => held.push([clientId, reason]),
    messageRejected: (clientId, reason) => rejected.push([clientId, reason]),
  });
  return s;
}

function notice(partial: Partial<ServerFrameOf<'moderation'>> & Pick<ServerFrameOf<'moderation'>, 'kind'>) {
  service.sync.onFrame({
    type: 'moderation',
    reason: null,
    until: null,
    roomId: null,
    clientId: null,
    hits: [],
    ...partial,
  });
}

const welcome = () => service.sync.onWelcome!({ type: 'welcome' } as unknown as ServerFrameOf<'welcome'>);

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'veza-moderation-'));
  db = openCacheDatabase(path.join(dir, 'cache.sqlite'));
  server = await scriptedServer();
  events = [];
  held = [];
  rejected = [];
  service = open();
});

afterEach(async () => {
  service.stop();
  db.close();
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('moderation notices', () => {
  it('a ban is kept across a restart (the ban screen shows while the server refuses us) and a welcome lifts it', async () => {
    const until = new Date(Date.now() + 3_600_000).toISOString();
    notice({ kind: 'ban', reason: 'Spamming links', until });
    expect(events.map((e) => e.type)).toEqual(['standing.changed', 'moderation.notice']);
    service.stop();
    db.close();
    db = openCacheDatabase(path.join(dir, 'cache.sqlite'));
    service = open();
    expect(await service.getStanding()).toEqual({
      restrictions: [{ scope: 'server', kind: 'ban', reason: 'Spamming links', until }],
    });
    server.answer((_req, _body, res) => json(res, 200, { version: 0, rules: [] }));
    welcome();
    expect(await service.getStanding()).toEqual({ restrictions: [] });
  });

  it('hello refused with BANNED records the ban with the end time the message gives', async () => {
    service.sync.onRefused!({
      type: 'error',
      code: 'BANNED',
      message: 'This account is banned until 2099-05-01T12:00:00.000Z: ban evasion',
    });
    expect((await service.getStanding()).restrictions).toEqual([
      {
        scope: 'server',
        kind: 'ban',
        reason: 'This account is banned until 2099-05-01T12:00:00.000Z: ban evasion',
        until: '2099-05-01T12:00:00.000Z',
      },
    ]);
    service.sync.onRefused!({ type: 'error', code: 'TOKEN_INVALID', message: 'nope' });
    expect((await service.getStanding()).restrictions).toHaveLength(1);
  });

  it('timeouts mute sending where they apply, until their end; expired ones are gone', async () => {
    const roomA = randomUUID();
    const roomB = randomUUID();
    const until = new Date(Date.now() + 600_000).toISOString();
    notice({ kind: 'timeout', roomId: roomA, reason: 'Cool down', until });
    expect(service.mutes.mutedUntil(roomA)).toBe(Date.parse(until));
    expect(service.mutes.mutedUntil(roomB)).toBeNull();
    notice({ kind: 'timeout', reason: 'Everywhere', until: new Date(Date.now() - 1000).toISOString() });
    expect(service.mutes.mutedUntil(roomB)).toBeNull();
    notice({ kind: 'room_ban', roomId: roomB, reason: 'Trolling' });
    expect((await service.getStanding()).restrictions.map((r) => [r.scope, r.kind])).toEqual(
      [
        [roomA, 'timeout'],
        [roomB, 'room_ban'],
      ].sort(),
    );
    notice({ kind: 'unban', roomId: roomB });
    expect((await service.getStanding()).restrictions.map((r) => r.kind)).toEqual(['timeout']);
  });

  it('a MUTED refusal whose end was unknown becomes a timeout; one without a time is not guessed', () => {
    const room = randomUUID();
    service.mutes.refused(room, 'You are muted.');
    expect(service.mutes.mutedUntil(room)).toBeNull();
    service.mutes.refused(room, 'You are muted until 2099-01-01T00:00:00Z.');
    expect(service.mutes.mutedUntil(room)).toBe(Date.parse('2099-01-01T00:00:00Z'));
  });

  it('held and rejected go to chat’s outbox by clientId; warnings become a notice event', () => {
    const clientId = randomUUID();
    notice({ kind: 'held', clientId, reason: 'Links are reviewed' });
    notice({ kind: 'rejected', clientId, reason: 'Off topic' });
    notice({ kind: 'warning', reason: 'Be kind' });
    expect(held).toEqual([[clientId, 'Links are reviewed']]);
    expect(rejected).toEqual([[clientId, 'Off topic']]);
    expect(events.at(-1)).toEqual({
      type: 'moderation.notice',
      kind: 'warning',
      reason: 'Be kind',
      until: null,
      roomId: null,
    });
  });
});

describe('reports', () => {
  const target = () => ({ type: 'message' as const, messageId: randomUUID() });

  it('offline, a report is queued (kept across a restart) and sent when the connection is welcomed', async () => {
    const first = target();
    expect(await service.reportContent({ target: first, reason: 'spam', details: '  buys followers ' })).toEqual({
      state: 'queued',
    });
    expect(await service.reportContent({ target: target(), reason: 'hate' })).toEqual({ state: 'queued' });
    expect(server.requests).toEqual([]);
    service.stop();
    db.close();
    db = openCacheDatabase(path.join(dir, 'cache.sqlite'));
    service = open();
    server.answer((req, _body, res) => {
      if (req.url === REPORTS_PATH) json(res, 201, { id: randomUUID(), createdAt: new Date().toISOString() });
      else json(res, 200, { version: 0, rules: [] });
    });
    welcome();
    await expect.poll(() => server.requests.filter((r) => r.path === REPORTS_PATH).length).toBe(2);
    const sent = server.requests.filter((r) => r.path === REPORTS_PATH).map((r) => JSON.parse(r.body) as unknown);
    expect(sent[0]).toEqual({ target: first, reason: 'spam', details: 'buys followers' });
    expect(sent[1]).toMatchObject({ reason: 'hate' });
    await expect.poll(() => db.prepare('SELECT count(*) AS n FROM report_outbox').get()).toEqual({ n: 0 });
  });

  it('a report the server refuses for good is set aside; one rate-limited stays queued', async () => {
    await service.reportContent({ target: target(), reason: 'spam' });
    await service.reportContent({ target: target(), reason: 'spam' });
    let calls = 0;
    server.answer((req, _body, res) => {
      if (req.url !== REPORTS_PATH) return json(res, 200, { version: 0, rules: [] });
      calls += 1;
      if (calls === 1) return json(res, 404, { error: { code: 'NOT_FOUND', message: 'No such message.' } });
      return json(res, 429, { error: { code: 'RATE_LIMITED', message: 'Too many reports; try again in 60 s.' } });
    });
    welcome();
    await expect.poll(() => calls).toBe(2);
    await expect
      .poll(() => db.prepare('SELECT state, last_error FROM report_outbox ORDER BY id').all())
      .toEqual([
        { state: 'failed', last_error: 'No such message.' },
        { state: 'pending', last_error: 'Too many reports; try again in 60 s.' },
      ]);
  });
});
