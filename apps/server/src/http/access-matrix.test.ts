import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ROLES, roleHasPermission, type ApiKeyCreated, type Permission, type Role } from '@veza/shared';
import type { Principal } from '../features/auth/index.js';
import { AppError } from '../infra/errors.js';
import { bearer, createTestApp, signUp, type TestApp } from '../test-support/app.js';
import { makeTone } from '../test-support/audio-files.js';
import { insertTrack } from '../test-support/tracks.js';
import { installAccessControl } from './access.js';
import { installErrorHandling } from './error-handler.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

type Caller = 'anonymous' | Role | 'apiKey';
const CALLERS: readonly Caller[] = ['anonymous', ...ROLES, 'apiKey'];
/** The API key caller: owned by an admin, but granted only this scope. */
const API_KEY_SCOPES: Permission[] = ['profile:read'];

interface Request {
  url?: string;
  payload?: object | Buffer;
  headers?: Record<string, string>;
}

interface Row {
  /** Method and Fastify URL, e.g. `DELETE /api/v1/api-keys/:id`. */
  route: string;
  access: 'public' | Permission;
  /**
   * The handler's own check after the declared permission (whose data the caller may read): the
   * declared permission is then necessary, not sufficient, and `expected` says who gets through.
   */
  refinedBy?: string;
  /** A request that succeeds for a caller who is allowed in. */
  request: () => Promise<Request>;
  expected: Record<Caller, number>;
}

let counter = 0;
const unique = () => `${process.pid}x${(counter += 1)}x${randomUUID().slice(0, 6)}`;

const everyone = (status: number): Record<Caller, number> => ({
  anonymous: status,
  listener: status,
  artist: status,
  moderator: status,
  admin: status,
  apiKey: status,
});

/** Every /api/v1 route. A new route without a row here fails the completeness tests below. */
const TABLE: Row[] = [
  {
    route: 'POST /api/v1/auth/register',
    access: 'public',
    request: async () => {
      const id = unique();
      return { payload: { email: `m${id}@example.test`, username: `m${id}`, password: 'password-1' } };
    },
    expected: everyone(201),
  },
  {
    route: 'POST /api/v1/auth/login',
    access: 'public',
    request: async () => {
      const user = await signUp(t);
      return { payload: { login: user.user.username, password: user.password } };
    },
    expected: everyone(200),
  },
  {
    route: 'POST /api/v1/auth/refresh',
    access: 'public',
    request: async () => ({ payload: { refreshToken: (await signUp(t)).refreshToken } }),
    expected: everyone(200),
  },
  {
    route: 'POST /api/v1/auth/logout',
    access: 'profile:read',
    request: async () => ({}),
    // An API key passes the access check but has no session to end.
    expected: { anonymous: 401, listener: 204, artist: 204, moderator: 204, admin: 204, apiKey: 400 },
  },
  {
    route: 'GET /api/v1/me',
    access: 'profile:read',
    request: async () => ({}),
    expected: { anonymous: 401, listener: 200, artist: 200, moderator: 200, admin: 200, apiKey: 200 },
  },
  {
    route: 'POST /api/v1/api-keys',
    access: 'api_keys:manage',
    request: async () => ({ payload: { name: 'matrix', scopes: ['profile:read'] } }),
    expected: { anonymous: 401, listener: 201, artist: 201, moderator: 201, admin: 201, apiKey: 403 },
  },
  {
    route: 'GET /api/v1/api-keys',
    access: 'api_keys:manage',
    request: async () => ({}),
    expected: { anonymous: 401, listener: 200, artist: 200, moderator: 200, admin: 200, apiKey: 403 },
  },
  {
    route: 'DELETE /api/v1/api-keys/:id',
    access: 'api_keys:manage',
    // Someone else's key: allowed callers get as far as the 404.
    request: async () => ({ url: `/api/v1/api-keys/${randomUUID()}` }),
    expected: { anonymous: 401, listener: 404, artist: 404, moderator: 404, admin: 404, apiKey: 403 },
  },
  {
    route: 'PATCH /api/v1/admin/users/:id',
    access: 'users:manage',
    request: async () => ({ url: `/api/v1/admin/users/${(await signUp(t)).user.id}`, payload: { role: 'artist' } }),
    expected: { anonymous: 401, listener: 403, artist: 403, moderator: 403, admin: 200, apiKey: 403 },
  },
  // ── analytics ──
  {
    route: 'GET /api/v1/analytics/live',
    access: 'analytics:view',
    request: async () => ({}),
    expected: { anonymous: 401, listener: 403, artist: 403, moderator: 200, admin: 200, apiKey: 403 },
  },
  {
    route: 'GET /api/v1/analytics/history',
    access: 'analytics:view',
    request: async () => ({ url: '/api/v1/analytics/history?metric=messages&from=2026-01-01&to=2026-01-31' }),
    expected: { anonymous: 401, listener: 403, artist: 403, moderator: 200, admin: 200, apiKey: 403 },
  },
  {
    route: 'GET /api/v1/analytics/top',
    access: 'analytics:view',
    request: async () => ({ url: '/api/v1/analytics/top?kind=tracks&from=2026-01-01&to=2026-01-31' }),
    expected: { anonymous: 401, listener: 403, artist: 403, moderator: 200, admin: 200, apiKey: 403 },
  },
  {
    route: 'GET /api/v1/analytics/artist',
    access: 'profile:read',
    refinedBy: "one's own figures need tracks:upload (or analytics:view), another artist's analytics:view",
    request: async () => ({ url: '/api/v1/analytics/artist?from=2026-01-01&to=2026-01-31' }),
    expected: { anonymous: 401, listener: 403, artist: 200, moderator: 200, admin: 200, apiKey: 403 },
  },
  {
    route: 'POST /api/v1/reports',
    access: 'profile:read',
    request: async () => ({ payload: { target: { type: 'user', userId: (await signUp(t)).user.id }, reason: 'spam' } }),
    expected: { anonymous: 401, listener: 201, artist: 201, moderator: 201, admin: 201, apiKey: 201 },
  },
  {
    route: 'GET /api/v1/moderation/reports',
    access: 'moderation:view',
    request: async () => ({}),
    expected: moderatorCallers(200),
  },
  {
    route: 'GET /api/v1/moderation/reports/:id/context',
    access: 'moderation:view',
    request: async () => ({ url: `/api/v1/moderation/reports/${await someReport()}/context` }),
    expected: moderatorCallers(200),
  },
  {
    route: 'POST /api/v1/moderation/actions',
    // Its own check (global moderators, or a room's owners and moderators): an unknown message is a 404 first.
    access: 'profile:read',
    request: async () => ({ payload: { action: 'delete', messageId: randomUUID() } }),
    expected: { anonymous: 401, listener: 404, artist: 404, moderator: 404, admin: 404, apiKey: 404 },
  },
  {
    route: 'GET /api/v1/moderation/rules',
    access: 'moderation:view',
    request: async () => ({}),
    expected: moderatorCallers(200),
  },
  {
    route: 'GET /api/v1/moderation/rules/effective',
    access: 'profile:read',
    request: async () => ({}),
    expected: { anonymous: 401, listener: 200, artist: 200, moderator: 200, admin: 200, apiKey: 200 },
  },
  {
    route: 'POST /api/v1/moderation/rules',
    // Its own check after validation: an invalid rule is refused (RULE_INVALID) before anything else.
    access: 'profile:read',
    request: async () => ({ payload: { ...MATRIX_RULE, action: 'timeout' } }),
    expected: { anonymous: 401, listener: 400, artist: 400, moderator: 400, admin: 400, apiKey: 400 },
  },
  {
    route: 'PUT /api/v1/moderation/rules/:id',
    access: 'profile:read',
    request: async () => ({ url: `/api/v1/moderation/rules/${randomUUID()}`, payload: MATRIX_RULE }),
    expected: { anonymous: 401, listener: 404, artist: 404, moderator: 404, admin: 404, apiKey: 404 },
  },
  {
    route: 'DELETE /api/v1/moderation/rules/:id',
    access: 'profile:read',
    request: async () => ({ url: `/api/v1/moderation/rules/${randomUUID()}` }),
    expected: { anonymous: 401, listener: 404, artist: 404, moderator: 404, admin: 404, apiKey: 404 },
  },
  {
    route: 'POST /api/v1/moderation/rules/test',
    // moderation:view, or a room's owners and moderators: an unknown room is a 404 to anyone else.
    access: 'profile:read',
    request: async () => ({ payload: { body: 'hello', roomId: randomUUID() } }),
    expected: { anonymous: 401, listener: 404, artist: 404, moderator: 200, admin: 200, apiKey: 404 },
  },
  {
    route: 'GET /api/v1/moderation/audit',
    access: 'moderation:view',
    request: async () => ({}),
    expected: moderatorCallers(200),
  },
  {
    route: 'GET /api/v1/moderation/users',
    access: 'moderation:view',
    request: async () => ({ url: '/api/v1/moderation/users?q=user' }),
    expected: moderatorCallers(200),
  },
  {
    route: 'GET /api/v1/moderation/users/:id',
    access: 'moderation:view',
    request: async () => ({ url: `/api/v1/moderation/users/${(await signUp(t)).user.id}` }),
    expected: moderatorCallers(200),
  },
  {
    route: 'POST /api/v1/moderation/users/:id/notes',
    access: 'moderation:view',
    request: async () => ({
      url: `/api/v1/moderation/users/${(await signUp(t)).user.id}/notes`,
      payload: { body: 'a note' },
    }),
    expected: moderatorCallers(201),
  },
  {
    route: 'GET /api/v1/ws',
    access: 'public',
    // A plain GET is told to upgrade; the socket authenticates with its hello frame.
    request: async () => ({}),
    expected: everyone(426),
  },
  {
    route: 'POST /api/v1/rooms',
    access: 'chat:write',
    request: async () => ({ payload: { name: `matrix ${unique()}`, visibility: 'public' } }),
    expected: chatCallers(201),
  },
  {
    route: 'GET /api/v1/rooms',
    access: 'chat:read',
    request: async () => ({}),
    expected: chatCallers(200),
  },
  {
    route: 'GET /api/v1/rooms/public',
    access: 'chat:read',
    request: async () => ({}),
    expected: chatCallers(200),
  },
  {
    route: 'POST /api/v1/rooms/:id/join',
    access: 'chat:write',
    request: async () => ({ url: `/api/v1/rooms/${await publicRoom()}/join` }),
    expected: chatCallers(200),
  },
  {
    route: 'POST /api/v1/rooms/:id/leave',
    access: 'chat:write',
    // The caller is not a member: allowed callers get as far as the 404.
    request: async () => ({ url: `/api/v1/rooms/${await publicRoom()}/leave` }),
    expected: chatCallers(404),
  },
  {
    route: 'POST /api/v1/rooms/:id/invites',
    access: 'chat:write',
    request: async () => ({ url: `/api/v1/rooms/${randomUUID()}/invites`, payload: { userId: randomUUID() } }),
    expected: chatCallers(404),
  },
  {
    route: 'DELETE /api/v1/rooms/:id/members/:userId',
    access: 'chat:write',
    request: async () => ({ url: `/api/v1/rooms/${randomUUID()}/members/${randomUUID()}` }),
    expected: chatCallers(404),
  },
  {
    route: 'POST /api/v1/rooms/:id/read',
    access: 'chat:read',
    request: async () => ({ url: `/api/v1/rooms/${randomUUID()}/read`, payload: { seq: 0 } }),
    expected: chatCallers(404),
  },
  {
    route: 'GET /api/v1/rooms/:id/messages',
    access: 'chat:read',
    request: async () => ({ url: `/api/v1/rooms/${randomUUID()}/messages` }),
    expected: chatCallers(404),
  },
  {
    route: 'POST /api/v1/dms',
    access: 'chat:write',
    request: async () => ({ payload: { userId: (await signUp(t)).user.id } }),
    expected: chatCallers(200),
  },
  {
    route: 'GET /api/v1/search/messages',
    access: 'chat:read',
    request: async () => ({ url: '/api/v1/search/messages?q=hello' }),
    expected: chatCallers(200),
  },
  // ── library ──
  {
    route: 'GET /api/v1/tracks',
    access: 'tracks:play',
    request: async () => ({}),
    expected: listenerCallers(200),
  },
  {
    route: 'GET /api/v1/tracks/:id',
    access: 'tracks:play',
    request: async () => ({ url: `/api/v1/tracks/${await someonesTrack('ready')}` }),
    expected: listenerCallers(200),
  },
  {
    route: 'PATCH /api/v1/tracks/:id',
    access: 'tracks:play',
    // Someone else's unfinished track: only an admin sees it, and may edit it.
    request: async () => ({ url: `/api/v1/tracks/${await someonesTrack('processing')}`, payload: { genre: 'Jazz' } }),
    expected: { anonymous: 401, listener: 404, artist: 404, moderator: 404, admin: 200, apiKey: 403 },
  },
  {
    route: 'PUT /api/v1/tracks/:id/like',
    access: 'tracks:play',
    request: async () => ({ url: `/api/v1/tracks/${await someonesTrack('ready')}/like` }),
    expected: listenerCallers(204),
  },
  {
    route: 'DELETE /api/v1/tracks/:id/like',
    access: 'tracks:play',
    request: async () => ({ url: `/api/v1/tracks/${await someonesTrack('ready')}/like` }),
    expected: listenerCallers(204),
  },
  {
    route: 'GET /api/v1/tracks/:id/stats',
    access: 'tracks:play',
    request: async () => ({ url: `/api/v1/tracks/${await someonesTrack('ready')}/stats` }),
    expected: listenerCallers(200),
  },
  {
    route: 'GET /api/v1/search',
    access: 'tracks:play',
    request: async () => ({ url: '/api/v1/search?q=hello' }),
    expected: listenerCallers(200),
  },
  {
    route: 'POST /api/v1/plays',
    access: 'tracks:play',
    request: async () => ({
      payload: {
        events: [
          {
            type: 'play.started',
            playId: randomUUID(),
            trackId: await someonesTrack('ready'),
            positionMs: 0,
            listenedMs: 0,
            occurredAt: new Date().toISOString(),
          },
        ],
      },
    }),
    expected: listenerCallers(200),
  },
  {
    route: 'POST /api/v1/playlists',
    access: 'tracks:play',
    request: async () => ({ payload: { name: `matrix ${unique()}` } }),
    expected: listenerCallers(201),
  },
  {
    route: 'GET /api/v1/playlists',
    access: 'tracks:play',
    request: async () => ({}),
    expected: listenerCallers(200),
  },
  {
    route: 'GET /api/v1/playlists/:id',
    access: 'tracks:play',
    request: async () => ({ url: `/api/v1/playlists/${await someonesPlaylist('public')}` }),
    expected: listenerCallers(200),
  },
  {
    route: 'PATCH /api/v1/playlists/:id',
    access: 'tracks:play',
    // Someone else's private playlist does not exist for the caller.
    request: async () => ({ url: `/api/v1/playlists/${await someonesPlaylist('private')}`, payload: { name: 'x' } }),
    expected: listenerCallers(404),
  },
  {
    route: 'DELETE /api/v1/playlists/:id',
    access: 'tracks:play',
    // Admins may delete anyone's playlist.
    request: async () => ({ url: `/api/v1/playlists/${await someonesPlaylist('private')}` }),
    expected: { anonymous: 401, listener: 404, artist: 404, moderator: 404, admin: 204, apiKey: 403 },
  },
  {
    route: 'POST /api/v1/playlists/:id/tracks',
    access: 'tracks:play',
    request: async () => ({
      url: `/api/v1/playlists/${await someonesPlaylist('private')}/tracks`,
      payload: { trackIds: [await someonesTrack('ready')] },
    }),
    expected: listenerCallers(404),
  },
  {
    route: 'DELETE /api/v1/playlists/:id/tracks/:trackId',
    access: 'tracks:play',
    request: async () => ({
      url: `/api/v1/playlists/${await someonesPlaylist('private')}/tracks/${await someonesTrack('ready')}`,
    }),
    expected: listenerCallers(404),
  },
  {
    route: 'PUT /api/v1/playlists/:id/order',
    access: 'tracks:play',
    request: async () => ({
      url: `/api/v1/playlists/${await someonesPlaylist('private')}/order`,
      payload: { trackIds: [] },
    }),
    expected: listenerCallers(404),
  },
  // ── media ──
  {
    route: 'POST /api/v1/tracks',
    access: 'tracks:upload',
    request: async () => multipartUpload(),
    expected: { anonymous: 401, listener: 403, artist: 202, moderator: 403, admin: 202, apiKey: 403 },
  },
  {
    route: 'DELETE /api/v1/tracks/:id',
    access: 'tracks:play',
    // Someone else's unfinished track: only an admin sees it, and may delete it.
    request: async () => ({ url: `/api/v1/tracks/${await someonesTrack('processing')}` }),
    expected: { anonymous: 401, listener: 404, artist: 404, moderator: 404, admin: 204, apiKey: 403 },
  },
  {
    route: 'GET /api/v1/tracks/:id/stream',
    access: 'tracks:play',
    request: async () => ({ url: `/api/v1/tracks/${await someonesTrack('ready')}/stream` }),
    expected: listenerCallers(200),
  },
  {
    route: 'GET /api/v1/tracks/:id/download',
    access: 'tracks:play',
    request: async () => ({ url: `/api/v1/tracks/${await someonesTrack('ready')}/download?quality=128k` }),
    expected: listenerCallers(200),
  },
  {
    route: 'GET /api/v1/tracks/:id/peaks',
    access: 'tracks:play',
    request: async () => ({ url: `/api/v1/tracks/${await trackWithMediaFiles()}/peaks` }),
    expected: listenerCallers(200),
  },
  {
    route: 'GET /api/v1/tracks/:id/cover',
    access: 'public',
    request: async () => ({ url: `/api/v1/tracks/${await trackWithMediaFiles()}/cover` }),
    expected: everyone(200),
  },
];

/** A ready track whose waveform and cover exist in the store (the media files the routes read). */
async function trackWithMediaFiles(): Promise<string> {
  const id = await someonesTrack('ready');
  await t.database.db.query('UPDATE tracks SET media_version = 1 WHERE id = $1', [id]);
  const peaks = path.join(t.blobs.scratchDir, `peaks-${id}`);
  await writeFile(
    peaks,
    JSON.stringify({ version: 1, samplesPerSecond: 8, length: 1, durationMs: 125, data: [-0.5, 0.5] }),
  );
  await t.blobs.putFile(`tracks/${id}/v1/peaks.json`, peaks);
  const cover = path.join(t.blobs.scratchDir, `cover-${id}`);
  await writeFile(cover, Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
  await t.blobs.putFile(`tracks/${id}/cover.jpg`, cover);
  return id;
}

let uploadFile: Buffer | undefined;

/** A real, small MP3 as a multipart body. */
async function multipartUpload(): Promise<Request> {
  uploadFile ??= await readFile(await makeTone(t.blobs.scratchDir, { seconds: 1, format: 'mp3', name: 'matrix' }));
  const boundary = `matrix${unique()}`;
  const payload = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="matrix.mp3"\r\n` +
        'Content-Type: audio/mpeg\r\n\r\n',
    ),
    uploadFile,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** Chat is open to every role; the limited API key lacks the chat scopes. */
function chatCallers(status: number): Record<Caller, number> {
  return { anonymous: 401, listener: status, artist: status, moderator: status, admin: status, apiKey: 403 };
}

async function publicRoom(): Promise<string> {
  const owner = await signUp(t);
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/v1/rooms',
    headers: bearer(owner.accessToken),
    payload: { name: `room ${unique()}`, visibility: 'public' },
  });
  expect(response.statusCode).toBe(201);
  return response.json<{ id: string }>().id;
}

/** Moderators and admins only; the limited API key lacks the permission. */
function moderatorCallers(status: number): Record<Caller, number> {
  return { anonymous: 401, listener: 403, artist: 403, moderator: status, admin: status, apiKey: 403 };
}

const MATRIX_RULE = {
  name: 'matrix',
  enabled: true,
  roomId: null,
  config: { kind: 'caps', maxRatio: 0.9, minLetters: 10 },
  action: 'flag',
  timeoutSeconds: null,
  reason: 'Too loud.',
  exemptRoles: [],
  exemptRoomRoles: [],
};

/** A report someone made about someone else; its id. */
async function someReport(): Promise<string> {
  const reporter = await signUp(t);
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/v1/reports',
    headers: bearer(reporter.accessToken),
    payload: { target: { type: 'user', userId: (await signUp(t)).user.id }, reason: 'spam' },
  });
  expect(response.statusCode).toBe(201);
  return response.json<{ id: string }>().id;
}

/** The library is open to every role; the limited API key lacks tracks:play. */
function listenerCallers(status: number): Record<Caller, number> {
  return { anonymous: 401, listener: status, artist: status, moderator: status, admin: status, apiKey: 403 };
}

async function someonesTrack(state: 'ready' | 'processing'): Promise<string> {
  return insertTrack(t, { ownerId: (await signUp(t, 'artist')).user.id, title: `matrix ${unique()}`, state });
}

async function someonesPlaylist(visibility: 'public' | 'private'): Promise<string> {
  const owner = await signUp(t);
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/v1/playlists',
    headers: bearer(owner.accessToken),
    payload: { name: `playlist ${unique()}`, visibility },
  });
  expect(response.statusCode).toBe(201);
  return response.json<{ id: string }>().id;
}

/** Fresh credentials for each cell, so a logout or a role change in one cell cannot leak into another. */
async function headersFor(caller: Caller): Promise<Record<string, string>> {
  if (caller === 'anonymous') return {};
  if (caller === 'apiKey') {
    const owner = await signUp(t, 'admin');
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: bearer(owner.accessToken),
      payload: { name: 'limited', scopes: API_KEY_SCOPES },
    });
    expect(response.statusCode).toBe(201);
    return bearer(response.json<ApiKeyCreated>().key);
  }
  return bearer((await signUp(t, caller)).accessToken);
}

const splitRoute = (route: string) => {
  const [method, url] = route.split(' ') as [string, string];
  return { method, url };
};

const cells = TABLE.flatMap((row) => CALLERS.map((caller) => [row.route, caller, row.expected[caller], row] as const));

describe('access matrix', () => {
  it.each(cells)('%s as %s → %i', async (_route, caller, status, row) => {
    const { method, url } = splitRoute(row.route);
    const request = await row.request();
    const response = await t.app.inject({
      method: method as 'GET',
      url: request.url ?? url,
      headers: { ...(await headersFor(caller)), ...request.headers },
      ...(request.payload ? { payload: request.payload } : {}),
    });
    expect(response.statusCode, response.body).toBe(status);
    if (status === 401) expect(response.json().error.code).toBe('UNAUTHENTICATED');
    if (status === 403) expect(response.json().error.code).toBe('FORBIDDEN');
  });

  it('agrees with the permission table in @veza/shared', () => {
    for (const row of TABLE) {
      for (const caller of CALLERS) {
        const status = row.expected[caller];
        const label = `${row.route} as ${caller}`;
        if (row.access === 'public') {
          expect([401, 403], label).not.toContain(status);
          continue;
        }
        if (caller === 'anonymous') {
          expect(status, label).toBe(401);
          continue;
        }
        const allowed =
          caller === 'apiKey'
            ? roleHasPermission('admin', row.access) && API_KEY_SCOPES.includes(row.access)
            : roleHasPermission(caller, row.access);
        if (!allowed) expect(status, label).toBe(403);
        else if (!row.refinedBy) expect([401, 403], label).not.toContain(status);
      }
    }
  });

  it('guards the automatic HEAD routes like their GET', async () => {
    const limitedKey = await headersFor('apiKey');
    for (const row of TABLE.filter((r) => r.route.startsWith('GET ') && r.access !== 'public')) {
      const { url } = splitRoute(row.route);
      expect((await t.app.inject({ method: 'HEAD', url })).statusCode, url).toBe(401);
      // A refined route checks its query first (400 here), then who may read what.
      if (row.refinedBy) continue;
      expect((await t.app.inject({ method: 'HEAD', url, headers: limitedKey })).statusCode, url).toBe(
        row.expected.apiKey === 403 ? 403 : 200,
      );
    }
  });
});

/** Parses Fastify's route tree (`printRoutes({ commonPrefix: false })`) into `METHOD /url` strings. */
function registeredRoutes(app: FastifyInstance): Set<string> {
  const routes = new Set<string>();
  const prefixes: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^((?:│ {3}| {4})*)(?:├── |└── )(.*?)(?: \(([^)]*)\))?$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    prefixes.length = depth;
    const path = (depth > 0 ? prefixes[depth - 1]! : '') + match[2]!;
    prefixes[depth] = path;
    for (const method of match[3]?.split(', ') ?? []) routes.add(`${method} ${path}`);
  }
  return routes;
}

const apiRoutes = (routes: Iterable<string>) =>
  new Set([...routes].filter((r) => r.split(' ')[1]!.startsWith('/api/v1')));

describe('route completeness', () => {
  it('lists in the table exactly the /api/v1 routes of the OpenAPI document', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(response.statusCode).toBe(200);
    const doc = response.json<{ paths: Record<string, Record<string, unknown>> }>();
    const documented = new Set<string>();
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const method of Object.keys(operations)) {
        documented.add(`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`);
      }
    }
    expect([...apiRoutes(documented)].sort()).toEqual(TABLE.map((r) => r.route).sort());
  });

  it('lists in the table exactly the /api/v1 routes the app serves, hidden ones included', () => {
    const routes = registeredRoutes(t.app);
    // The parser works: routes outside the API are found too.
    expect(routes).toContain('GET /healthz');
    expect(routes).toContain('GET /api/openapi.json');
    const served = [...apiRoutes(routes)].filter((r) => !r.startsWith('HEAD '));
    expect(served.sort()).toEqual(TABLE.map((r) => r.route).sort());
  });
});

describe('installAccessControl on a bare Fastify instance', () => {
  const principal = (permissions: Permission[]): Principal => ({
    user: { id: randomUUID(), email: 'p@example.test', username: 'p', role: 'listener', createdAt: new Date() },
    permissions: new Set(permissions),
    scopes: null,
    sessionId: randomUUID(),
    apiKeyId: null,
    expiresAt: null,
  });

  function bareApp() {
    const authenticate = vi.fn(async (token: string): Promise<Principal> => {
      if (token === 'admin-token') return principal(['profile:read', 'users:manage']);
      if (token === 'reader-token') return principal(['profile:read']);
      throw new AppError(401, 'TOKEN_INVALID', 'The access token is not valid.');
    });
    const app = Fastify();
    installErrorHandling(app);
    installAccessControl(app, { authenticate });
    return { app, authenticate };
  }

  it('makes ready() fail when an /api/v1 route does not declare its access', async () => {
    const { app } = bareApp();
    app.register(
      async (api) => {
        api.get('/declared', { config: { access: 'profile:read' } }, async () => ({ ok: true }));
        api.get('/forgotten', async () => ({ secret: true }));
      },
      { prefix: '/api/v1' },
    );
    await expect(app.ready()).rejects.toThrow('Route GET /api/v1/forgotten does not declare its access.');
  });

  it('refuses a route added directly without access', async () => {
    const { app } = bareApp();
    await expect(async () => {
      app.post('/api/v1/things', async () => ({ secret: true }));
      await app.ready();
    }).rejects.toThrow(/does not declare its access/);
    await app.close();
  });

  it('starts when every /api/v1 route declares its access, and leaves other routes alone', async () => {
    const { app } = bareApp();
    await app.register(
      async (api) => {
        api.get('/open', { config: { access: 'public' } }, async () => ({ ok: true }));
        api.get('/closed', { config: { access: 'users:manage' } }, async () => ({ ok: true }));
      },
      { prefix: '/api/v1' },
    );
    app.get('/healthz', async () => ({ ok: true }));
    await app.ready();
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/api/v1/open' })).statusCode).toBe(200);
    await app.close();
  });

  it('answers 401 without credentials, 403 without the permission, and passes with it', async () => {
    const { app, authenticate } = bareApp();
    const handler = vi.fn(async () => ({ ok: true }));
    await app.register(
      async (api) => {
        api.get('/open', { config: { access: 'public' } }, handler);
        api.post('/closed', { config: { access: 'users:manage' } }, handler);
      },
      { prefix: '/api/v1' },
    );
    await app.ready();
    const closed = (headers: Record<string, string>, payload: string = '{}') =>
      app.inject({
        method: 'POST',
        url: '/api/v1/closed',
        headers: { 'content-type': 'application/json', ...headers },
        payload,
      });

    const anonymous = await closed({});
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().error.code).toBe('UNAUTHENTICATED');
    const basic = await closed({ authorization: 'Basic dXNlcjpwdw==' });
    expect(basic.statusCode).toBe(401);
    expect(basic.json().error.code).toBe('UNAUTHENTICATED');
    const invalid = await closed(bearer('nonsense'));
    expect(invalid.statusCode).toBe(401);
    expect(invalid.json().error.code).toBe('TOKEN_INVALID');
    const reader = await closed(bearer('reader-token'));
    expect(reader.statusCode).toBe(403);
    expect(reader.json().error.code).toBe('FORBIDDEN');
    expect(reader.json().error.message).toContain('users:manage');
    expect(handler).not.toHaveBeenCalled();

    // Access is checked before the body is parsed: a broken body from a stranger is still a 401.
    const brokenBody = await closed({}, '{not json');
    expect(brokenBody.statusCode).toBe(401);

    expect((await closed(bearer('admin-token'))).statusCode).toBe(200);
    expect(handler).toHaveBeenCalledTimes(1);

    // Public routes ignore credentials altogether: a stale token does not get in the way.
    authenticate.mockClear();
    expect((await app.inject({ method: 'GET', url: '/api/v1/open', headers: bearer('nonsense') })).statusCode).toBe(
      200,
    );
    expect(authenticate).not.toHaveBeenCalled();
    await app.close();
  });
});
