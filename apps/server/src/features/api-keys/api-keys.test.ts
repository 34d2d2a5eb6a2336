import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiKey, ApiKeyCreated, Permission, User } from '@veza/shared';
import { bearer, createTestApp, signUp, type TestApp } from '../../test-support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const createKey = (token: string, payload: unknown) =>
  t.app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: bearer(token), payload: payload as object });
const listKeys = (token: string) => t.app.inject({ method: 'GET', url: '/api/v1/api-keys', headers: bearer(token) });
const revokeKey = (token: string, id: string) =>
  t.app.inject({ method: 'DELETE', url: `/api/v1/api-keys/${id}`, headers: bearer(token) });
const me = (token: string) => t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(token) });

async function newKey(token: string, scopes: Permission[], name = 'test key'): Promise<ApiKeyCreated> {
  const response = await createKey(token, { name, scopes });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<ApiKeyCreated>();
}

function expectError(response: { statusCode: number; json: () => unknown }, status: number, code: string): string {
  expect(response.statusCode).toBe(status);
  const body = response.json() as { error: { code: string; message: string } };
  expect(body).toEqual({ error: { code, message: expect.any(String) } });
  return body.error.message;
}

describe('create', () => {
  it('answers 201 with the key once, prefixed vz_, and the key metadata', async () => {
    const owner = await signUp(t);
    const response = await createKey(owner.accessToken, { name: '  CI deploy  ', scopes: ['profile:read'] });
    expect(response.statusCode).toBe(201);
    const created = response.json<ApiKeyCreated>();
    expect(created.key).toMatch(/^vz_[A-Za-z0-9_-]{43}$/);
    expect(created.apiKey).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'CI deploy',
      scopes: ['profile:read'],
      prefix: created.key.slice(0, 10),
      createdAt: expect.any(String),
      lastUsedAt: null,
      revokedAt: null,
    });
    expect(created.apiKey).not.toHaveProperty('key');

    // Two keys never share a secret.
    const second = await newKey(owner.accessToken, ['profile:read']);
    expect(second.key).not.toBe(created.key);
  });

  it('does not store the key in plain text in any column', async () => {
    const owner = await signUp(t);
    const { key, apiKey } = await newKey(owner.accessToken, ['profile:read']);
    const { rows } = await t.database.db.query<{ row: string }>(
      'SELECT to_jsonb(k)::text AS row FROM api_keys k WHERE id = $1',
      [apiKey.id],
    );
    expect(rows).toHaveLength(1);
    const stored = rows[0]!.row;
    const secretPart = key.slice(10);
    expect(stored).not.toContain(key);
    expect(stored).not.toContain(secretPart);
    // Nor as bytes (bytea shows as hex in JSON), nor in any text encoding of the whole table.
    expect(stored).not.toContain(Buffer.from(key).toString('hex'));
    expect(stored).not.toContain(Buffer.from(secretPart).toString('hex'));
    const anywhere = await t.database.db.query<{ n: string }>(
      "SELECT count(*) AS n FROM api_keys k WHERE to_jsonb(k)::text LIKE '%' || $1 || '%' OR encode(k.key_hash, 'escape') LIKE '%' || $1 || '%'",
      [secretPart.slice(0, 20)],
    );
    expect(Number(anywhere.rows[0]!.n)).toBe(0);
  });

  it('refuses scopes beyond the creator role with 403, creating nothing', async () => {
    const listener = await signUp(t);
    for (const scopes of [['users:manage'], ['profile:read', 'users:manage'], ['tracks:upload']] as Permission[][]) {
      const message = expectError(
        await createKey(listener.accessToken, { name: 'escalate', scopes }),
        403,
        'FORBIDDEN',
      );
      expect(message).toContain(scopes[scopes.length - 1]);
    }
    expect((await listKeys(listener.accessToken)).json<{ apiKeys: ApiKey[] }>().apiKeys).toEqual([]);
  });

  it('lets an admin grant any scope', async () => {
    const admin = await signUp(t, 'admin');
    const created = await newKey(admin.accessToken, ['users:manage', 'moderation:act']);
    expect(created.apiKey.scopes).toEqual(['users:manage', 'moderation:act']);
  });

  it('does not let a key mint a key with more than its own scopes', async () => {
    const admin = await signUp(t, 'admin');
    const { key } = await newKey(admin.accessToken, ['api_keys:manage']);
    // The owner (admin) could grant this, but the key itself cannot.
    expectError(await createKey(key, { name: 'child', scopes: ['profile:read'] }), 403, 'FORBIDDEN');
    const child = await createKey(key, { name: 'child', scopes: ['api_keys:manage'] });
    expect(child.statusCode).toBe(201);
  });

  it('caps live keys per user at 50; revoking one makes room', async () => {
    const owner = await signUp(t);
    const ids: string[] = [];
    for (let i = 0; i < 50; i += 1) ids.push((await newKey(owner.accessToken, ['profile:read'], `key ${i}`)).apiKey.id);
    expectError(
      await createKey(owner.accessToken, { name: 'one too many', scopes: ['profile:read'] }),
      400,
      'BAD_REQUEST',
    );
    expect((await revokeKey(owner.accessToken, ids[0]!)).statusCode).toBe(204);
    expect((await createKey(owner.accessToken, { name: 'room again', scopes: ['profile:read'] })).statusCode).toBe(201);
  });

  it.each([
    [{ scopes: ['profile:read'] }, 'body.name'],
    [{ name: 'x'.repeat(1000), scopes: ['profile:read'] }, 'body.name'],
    [{ name: '', scopes: ['profile:read'] }, 'body.name'],
    [{ name: 'k' }, 'body.scopes'],
    [{ name: 'k', scopes: [] }, 'body.scopes'],
    [{ name: 'k', scopes: ['root'] }, 'body.scopes'],
    [{ name: 'k', scopes: ['profile:read', 'profile:read'] }, 'body.scopes'],
    [{ name: 'k', scopes: ['profile:read'], userId: '00000000-0000-4000-8000-000000000000' }, 'body.userId'],
  ])('refuses %j with 400 VALIDATION_FAILED naming %s', async (payload, field) => {
    const owner = await signUp(t);
    const message = expectError(await createKey(owner.accessToken, payload), 400, 'VALIDATION_FAILED');
    expect(message).toContain(field);
    expect((await listKeys(owner.accessToken)).json<{ apiKeys: ApiKey[] }>().apiKeys).toEqual([]);
  });
});

describe('list', () => {
  it('lists my keys, newest first, never with the secret, and not other users keys', async () => {
    const owner = await signUp(t);
    const other = await signUp(t);
    const first = await newKey(owner.accessToken, ['profile:read'], 'first');
    const second = await newKey(owner.accessToken, ['profile:read', 'api_keys:manage'], 'second');
    const theirs = await newKey(other.accessToken, ['profile:read'], 'theirs');

    const response = await listKeys(owner.accessToken);
    expect(response.statusCode).toBe(200);
    const { apiKeys } = response.json<{ apiKeys: ApiKey[] }>();
    expect(apiKeys.map((k) => k.id).sort()).toEqual([first.apiKey.id, second.apiKey.id].sort());
    expect(apiKeys.find((k) => k.id === second.apiKey.id)).toEqual(second.apiKey);
    for (const item of apiKeys) expect(Object.keys(item).sort()).toEqual(Object.keys(first.apiKey).sort());
    for (const secret of [first.key, second.key, theirs.key]) {
      expect(response.body).not.toContain(secret);
      expect(response.body).not.toContain(secret.slice(10));
    }
  });
});

describe('use', () => {
  it('authenticates /me as its owner with Authorization: Bearer vz_…, and records last use', async () => {
    const owner = await signUp(t);
    const { key, apiKey } = await newKey(owner.accessToken, ['profile:read']);
    const response = await me(key);
    expect(response.statusCode).toBe(200);
    expect(response.json<User>()).toEqual(owner.user);
    // The scheme is case-insensitive.
    const lower = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `bearer ${key}` } });
    expect(lower.statusCode).toBe(200);

    const listed = (await listKeys(owner.accessToken)).json<{ apiKeys: ApiKey[] }>().apiKeys;
    expect(listed.find((k) => k.id === apiKey.id)!.lastUsedAt).not.toBeNull();
  });

  it('refuses a key that was never issued, and one with a single character changed', async () => {
    const owner = await signUp(t);
    const { key } = await newKey(owner.accessToken, ['profile:read']);
    const flipped = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
    expectError(await me(flipped), 401, 'TOKEN_INVALID');
    expectError(await me(`vz_${'a'.repeat(43)}`), 401, 'TOKEN_INVALID');
  });

  it('is limited to its scopes: without profile:read, /me is 403', async () => {
    const owner = await signUp(t);
    const { key } = await newKey(owner.accessToken, ['api_keys:manage']);
    expectError(await me(key), 403, 'FORBIDDEN');
    // …while what it was granted works.
    expect((await listKeys(key)).statusCode).toBe(200);

    const readOnly = await newKey(owner.accessToken, ['profile:read']);
    expect((await me(readOnly.key)).statusCode).toBe(200);
    expectError(await listKeys(readOnly.key), 403, 'FORBIDDEN');
  });

  it("is limited by its owner's current role: a scope the owner lost stops working at once", async () => {
    const admin = await signUp(t, 'admin');
    const owner = await signUp(t, 'artist');
    const { key } = await newKey(owner.accessToken, ['api_keys:manage', 'tracks:upload']);
    // Still an artist: the key may pass on tracks:upload.
    expect((await createKey(key, { name: 'child', scopes: ['tracks:upload'] })).statusCode).toBe(201);

    const demote = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/admin/users/${owner.user.id}`,
      headers: bearer(admin.accessToken),
      payload: { role: 'listener' },
    });
    expect(demote.statusCode).toBe(200);
    expectError(await createKey(key, { name: 'child', scopes: ['tracks:upload'] }), 403, 'FORBIDDEN');
  });

  it('cannot log out: API keys have no session (400)', async () => {
    const owner = await signUp(t);
    const { key } = await newKey(owner.accessToken, ['profile:read']);
    const message = expectError(
      await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: bearer(key) }),
      400,
      'BAD_REQUEST',
    );
    expect(message).toMatch(/revoke/i);
    // The key and the owner's session are untouched.
    expect((await me(key)).statusCode).toBe(200);
    expect((await me(owner.accessToken)).statusCode).toBe(200);
  });
});

describe('revoke', () => {
  it('answers 204, after which the key gives 401 and shows as revoked', async () => {
    const owner = await signUp(t);
    const { key, apiKey } = await newKey(owner.accessToken, ['profile:read']);
    const kept = await newKey(owner.accessToken, ['profile:read']);
    expect((await me(key)).statusCode).toBe(200);

    const response = await revokeKey(owner.accessToken, apiKey.id);
    expect(response.statusCode).toBe(204);
    expect(response.body).toBe('');
    expectError(await me(key), 401, 'TOKEN_INVALID');
    expect((await me(kept.key)).statusCode).toBe(200);

    const listed = (await listKeys(owner.accessToken)).json<{ apiKeys: ApiKey[] }>().apiKeys;
    expect(listed.find((k) => k.id === apiKey.id)!.revokedAt).not.toBeNull();
    expect(listed.find((k) => k.id === kept.apiKey.id)!.revokedAt).toBeNull();

    // Revoking twice is a 404: there is no active key with this id any more.
    expectError(await revokeKey(owner.accessToken, apiKey.id), 404, 'NOT_FOUND');
  });

  it("answers 404 for someone else's key, which keeps working", async () => {
    const owner = await signUp(t);
    const intruder = await signUp(t, 'admin');
    const { key, apiKey } = await newKey(owner.accessToken, ['profile:read']);
    expectError(await revokeKey(intruder.accessToken, apiKey.id), 404, 'NOT_FOUND');
    expect((await me(key)).statusCode).toBe(200);
  });

  it('answers 404 for an unknown id and 400 for a malformed one', async () => {
    const owner = await signUp(t);
    expectError(await revokeKey(owner.accessToken, '00000000-0000-4000-8000-000000000000'), 404, 'NOT_FOUND');
    const message = expectError(await revokeKey(owner.accessToken, 'not-a-uuid'), 400, 'VALIDATION_FAILED');
    expect(message).toContain('params.id');
  });

  it('lets a key revoke itself', async () => {
    const owner = await signUp(t);
    const { key, apiKey } = await newKey(owner.accessToken, ['api_keys:manage', 'profile:read']);
    expect((await revokeKey(key, apiKey.id)).statusCode).toBe(204);
    expectError(await me(key), 401, 'TOKEN_INVALID');
  });
});
