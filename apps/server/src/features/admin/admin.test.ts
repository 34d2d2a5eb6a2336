import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role, User } from '@veza/shared';
import { bearer, createTestApp, signUp, type TestApp } from '../../test-support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const setRole = (token: string, id: string, payload: unknown) =>
  t.app.inject({
    method: 'PATCH',
    url: `/api/v1/admin/users/${id}`,
    headers: bearer(token),
    payload: payload as object,
  });
const me = (token: string) => t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(token) });

async function roleInDb(id: string): Promise<Role> {
  const { rows } = await t.database.db.query<{ role: Role }>('SELECT role FROM users WHERE id = $1', [id]);
  return rows[0]!.role;
}

function expectError(response: { statusCode: number; json: () => unknown }, status: number, code: string): string {
  expect(response.statusCode).toBe(status);
  const body = response.json() as { error: { code: string; message: string } };
  expect(body).toEqual({ error: { code, message: expect.any(String) } });
  return body.error.message;
}

describe('PATCH /api/v1/admin/users/:id', () => {
  it('lets an admin make a listener an artist, seen at once by the user with their existing token', async () => {
    const admin = await signUp(t, 'admin');
    const user = await signUp(t);
    expect((await me(user.accessToken)).json<User>().role).toBe('listener');

    const response = await setRole(admin.accessToken, user.user.id, { role: 'artist' });
    expect(response.statusCode).toBe(200);
    expect(response.json<User>()).toEqual({ ...user.user, role: 'artist' });
    expect(await roleInDb(user.user.id)).toBe('artist');

    // The access token was issued while a listener; the role is read per request, not from the token.
    const after = await me(user.accessToken);
    expect(after.statusCode).toBe(200);
    expect(after.json<User>().role).toBe('artist');
    // …and so are the permissions: an artist may grant tracks:upload, a listener may not.
    const key = await t.app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: bearer(user.accessToken),
      payload: { name: 'uploader', scopes: ['tracks:upload'] },
    });
    expect(key.statusCode).toBe(201);
  });

  it('takes permissions away at once: a demoted admin is refused with their existing token', async () => {
    const admin = await signUp(t, 'admin');
    const other = await signUp(t, 'admin');
    const target = await signUp(t);
    expect((await setRole(other.accessToken, target.user.id, { role: 'moderator' })).statusCode).toBe(200);

    expect((await setRole(admin.accessToken, other.user.id, { role: 'listener' })).statusCode).toBe(200);
    expectError(await setRole(other.accessToken, target.user.id, { role: 'artist' }), 403, 'FORBIDDEN');
    expect(await roleInDb(target.user.id)).toBe('moderator');
  });

  it.each(['listener', 'artist', 'moderator'] as const)('answers 403 to a %s, changing nothing', async (role) => {
    const caller = await signUp(t, role);
    const target = await signUp(t);
    expectError(await setRole(caller.accessToken, target.user.id, { role: 'admin' }), 403, 'FORBIDDEN');
    // Not even on themselves.
    expectError(await setRole(caller.accessToken, caller.user.id, { role: 'admin' }), 403, 'FORBIDDEN');
    expect(await roleInDb(target.user.id)).toBe('listener');
    expect(await roleInDb(caller.user.id)).toBe(role);
  });

  it('answers 401 without credentials', async () => {
    const target = await signUp(t);
    const response = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/admin/users/${target.user.id}`,
      payload: { role: 'admin' },
    });
    expectError(response, 401, 'UNAUTHENTICATED');
    expect(await roleInDb(target.user.id)).toBe('listener');
  });

  it('answers 404 for an unknown id', async () => {
    const admin = await signUp(t, 'admin');
    expectError(await setRole(admin.accessToken, randomUUID(), { role: 'artist' }), 404, 'NOT_FOUND');
  });

  it.each(['not-a-uuid', '123', `${randomUUID()}x`])('answers 400 naming params.id for id %s', async (id) => {
    const admin = await signUp(t, 'admin');
    const message = expectError(await setRole(admin.accessToken, id, { role: 'artist' }), 400, 'VALIDATION_FAILED');
    expect(message).toContain('params.id');
  });

  it.each([
    [{ role: 'superuser' }, 'body.role'],
    [{ role: 'ADMIN' }, 'body.role'],
    [{}, 'body.role'],
    [{ role: 'artist', email: 'x@example.test' }, 'body.email'],
  ])('answers 400 to %j naming %s', async (payload, field) => {
    const admin = await signUp(t, 'admin');
    const target = await signUp(t);
    const message = expectError(await setRole(admin.accessToken, target.user.id, payload), 400, 'VALIDATION_FAILED');
    expect(message).toContain(field);
    expect(await roleInDb(target.user.id)).toBe('listener');
  });

  it.each(['listener', 'artist', 'moderator'] as const)(
    'refuses an admin demoting themselves to %s (400)',
    async (role) => {
      const admin = await signUp(t, 'admin');
      expectError(await setRole(admin.accessToken, admin.user.id, { role }), 400, 'BAD_REQUEST');
      expect(await roleInDb(admin.user.id)).toBe('admin');
      expect((await me(admin.accessToken)).json<User>().role).toBe('admin');
    },
  );

  it('lets an admin demote another admin', async () => {
    const admin = await signUp(t, 'admin');
    const other = await signUp(t, 'admin');
    const response = await setRole(admin.accessToken, other.user.id, { role: 'listener' });
    expect(response.statusCode).toBe(200);
    expect(response.json<User>().role).toBe('listener');
    expect((await me(other.accessToken)).json<User>().role).toBe('listener');
  });
});
