import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModerationRule, ModerationRuleBody, ReportReceipt } from '@veza/shared';
import { createTestApp, signUp, type TestApp } from '../../test-support/app.js';
import { api, createRoom, joinRoom } from '../../test-support/chat.js';

/*
 * Moderation's access matrix: every route × anonymous, listener, artist, moderator, admin and
 * the owner of the room concerned. Room owners pass the checks of room-scoped actions and rules
 * of their room, and nothing else. (http/access-matrix.test.ts lists these routes for the
 * whole API, with its API-key caller.)
 */

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

type Caller = 'anonymous' | 'listener' | 'artist' | 'moderator' | 'admin' | 'roomOwner';
const CALLERS: readonly Caller[] = ['anonymous', 'listener', 'artist', 'moderator', 'admin', 'roomOwner'];

interface Scene {
  roomId: string;
  ownerToken: string;
  memberId: string;
  adminToken: string;
}

async function scene(): Promise<Scene> {
  const owner = await signUp(t);
  const member = await signUp(t);
  const admin = await signUp(t, 'admin');
  const room = await createRoom(t, owner.accessToken);
  await joinRoom(t, member.accessToken, room.id);
  return { roomId: room.id, ownerToken: owner.accessToken, memberId: member.user.id, adminToken: admin.accessToken };
}

const rule = (roomId: string | null): ModerationRuleBody => ({
  name: 'caps',
  enabled: true,
  roomId,
  config: { kind: 'caps', maxRatio: 0.9, minLetters: 10 },
  action: 'flag',
  timeoutSeconds: null,
  reason: 'Too loud.',
  exemptRoles: [],
  exemptRoomRoles: [],
});

async function roomRule(s: Scene): Promise<string> {
  const response = await api(t, 'POST', '/moderation/rules', s.adminToken, rule(s.roomId));
  expect(response.statusCode).toBe(201);
  return response.json<ModerationRule>().id;
}

async function someReport(s: Scene): Promise<string> {
  const reporter = await signUp(t);
  const response = await api(t, 'POST', '/reports', reporter.accessToken, {
    target: { type: 'user', userId: s.memberId },
    reason: 'spam',
  });
  return response.json<ReportReceipt>().id;
}

interface Row {
  name: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  request: (s: Scene) => Promise<{ url: string; payload?: unknown }>;
  expected: Record<Caller, number>;
}

const moderators = (status: number): Record<Caller, number> => ({
  anonymous: 401,
  listener: 403,
  artist: 403,
  moderator: status,
  admin: status,
  roomOwner: 403,
});
const roomScoped = (status: number): Record<Caller, number> => ({ ...moderators(status), roomOwner: status });
const signedIn = (status: number): Record<Caller, number> => ({
  anonymous: 401,
  listener: status,
  artist: status,
  moderator: status,
  admin: status,
  roomOwner: status,
});

const ROWS: Row[] = [
  {
    name: 'POST /reports',
    method: 'POST',
    request: async (s) => ({
      url: '/reports',
      payload: { target: { type: 'user', userId: s.memberId }, reason: 'spam' },
    }),
    expected: signedIn(201),
  },
  {
    name: 'GET /moderation/reports',
    method: 'GET',
    request: async () => ({ url: '/moderation/reports' }),
    expected: moderators(200),
  },
  {
    name: 'GET /moderation/reports/:id/context',
    method: 'GET',
    request: async (s) => ({ url: `/moderation/reports/${await someReport(s)}/context` }),
    expected: moderators(200),
  },
  {
    name: 'POST /moderation/actions (timeout in the room)',
    method: 'POST',
    request: async (s) => ({
      url: '/moderation/actions',
      payload: { action: 'timeout', userId: s.memberId, roomId: s.roomId, durationSeconds: 60, reason: 'x' },
    }),
    expected: roomScoped(200),
  },
  {
    name: 'POST /moderation/actions (server ban)',
    method: 'POST',
    request: async (s) => ({ url: '/moderation/actions', payload: { action: 'ban', userId: s.memberId, reason: 'x' } }),
    expected: moderators(200),
  },
  {
    name: 'POST /moderation/actions (dismiss a report)',
    method: 'POST',
    request: async (s) => ({
      url: '/moderation/actions',
      payload: { action: 'dismiss', reportId: await someReport(s) },
    }),
    expected: moderators(200),
  },
  {
    name: 'GET /moderation/rules',
    method: 'GET',
    request: async () => ({ url: '/moderation/rules' }),
    expected: moderators(200),
  },
  {
    name: 'GET /moderation/rules/effective',
    method: 'GET',
    request: async () => ({ url: '/moderation/rules/effective' }),
    expected: signedIn(200),
  },
  {
    name: 'POST /moderation/rules (the room’s)',
    method: 'POST',
    request: async (s) => ({ url: '/moderation/rules', payload: rule(s.roomId) }),
    expected: roomScoped(201),
  },
  {
    name: 'POST /moderation/rules (every room)',
    method: 'POST',
    request: async () => ({ url: '/moderation/rules', payload: rule(null) }),
    expected: moderators(201),
  },
  {
    name: 'PUT /moderation/rules/:id (the room’s)',
    method: 'PUT',
    request: async (s) => ({ url: `/moderation/rules/${await roomRule(s)}`, payload: rule(s.roomId) }),
    expected: roomScoped(200),
  },
  {
    name: 'DELETE /moderation/rules/:id (the room’s)',
    method: 'DELETE',
    request: async (s) => ({ url: `/moderation/rules/${await roomRule(s)}` }),
    expected: roomScoped(204),
  },
  {
    name: 'POST /moderation/rules/test (in the room)',
    method: 'POST',
    request: async (s) => ({
      url: '/moderation/rules/test',
      payload: { body: 'HELLO THERE EVERYONE', roomId: s.roomId },
    }),
    expected: roomScoped(200),
  },
  {
    name: 'GET /moderation/audit',
    method: 'GET',
    request: async () => ({ url: '/moderation/audit' }),
    expected: moderators(200),
  },
  {
    name: 'GET /moderation/audit (CSV)',
    method: 'GET',
    request: async () => ({ url: '/moderation/audit?format=csv' }),
    expected: moderators(200),
  },
  {
    name: 'GET /moderation/users',
    method: 'GET',
    request: async () => ({ url: '/moderation/users?q=u' }),
    expected: moderators(200),
  },
  {
    name: 'GET /moderation/users/:id',
    method: 'GET',
    request: async (s) => ({ url: `/moderation/users/${s.memberId}` }),
    expected: moderators(200),
  },
  {
    name: 'POST /moderation/users/:id/notes',
    method: 'POST',
    request: async (s) => ({ url: `/moderation/users/${s.memberId}/notes`, payload: { body: 'note' } }),
    expected: moderators(201),
  },
];

async function tokenFor(caller: Caller, s: Scene): Promise<string | undefined> {
  if (caller === 'anonymous') return undefined;
  if (caller === 'roomOwner') return s.ownerToken;
  return (await signUp(t, caller)).accessToken;
}

const cells = ROWS.flatMap((row) => CALLERS.map((caller) => [row.name, caller, row.expected[caller], row] as const));

describe('moderation access matrix', () => {
  it.each(cells)('%s as %s → %i', async (_name, caller, status, row) => {
    const s = await scene();
    const { url, payload } = await row.request(s);
    const token = await tokenFor(caller, s);
    const response = await t.app.inject({
      method: row.method,
      url: `/api/v1${url}`,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
    expect(response.statusCode, response.body).toBe(status);
  });

  it('never lets an unknown id reveal anything to a non-moderator', async () => {
    const listener = await signUp(t);
    const response = await api(t, 'GET', `/moderation/users/${randomUUID()}`, listener.accessToken);
    expect(response.statusCode).toBe(403);
  });
});
