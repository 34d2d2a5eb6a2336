import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, signUp, type TestApp } from '../test-support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('request validation', () => {
  it.each([
    [{ name: 42, scopes: ['profile:read'] }, 'body.name'],
    [{ name: 'ci', scopes: 'profile:read' }, 'body.scopes'],
    [{ name: true, scopes: ['profile:read'] }, 'body.name'],
  ])('does not coerce body types: %j', async (payload, field) => {
    const user = await signUp(t);
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: bearer(user.accessToken),
      payload,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('VALIDATION_FAILED');
    expect(response.json().error.message).toContain(field);
  });

  it('still validates path parameters, which are always strings', async () => {
    const admin = await signUp(t, 'admin');
    const response = await t.app.inject({
      method: 'PATCH',
      url: '/api/v1/admin/users/not-a-uuid',
      headers: bearer(admin.accessToken),
      payload: { role: 'artist' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toContain('params.id');
  });
});
