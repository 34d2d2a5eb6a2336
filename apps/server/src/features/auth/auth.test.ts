import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthSession } from '@veza/shared';
import { bearer, createTestApp, signUp, type TestApp } from '../../test-support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url, payload: payload as object, headers });

describe('register', () => {
  it('creates a listener, hashes the password with argon2id and signs in', async () => {
    const response = await post('/api/v1/auth/register', {
      email: 'Ada@Example.test',
      username: 'ada',
      password: 'correct horse',
    });
    expect(response.statusCode).toBe(201);
    const body = response.json<AuthSession>();
    expect(body.user).toMatchObject({ email: 'Ada@Example.test', username: 'ada', role: 'listener' });
    expect(body.accessToken.split('.')).toHaveLength(3);
    expect(body.refreshToken).toMatch(/^vzr_/);
    expect(body).not.toHaveProperty('user.passwordHash');

    const { rows } = await t.database.db.query<{ password_hash: string }>(
      'SELECT password_hash FROM users WHERE id = $1',
      [body.user.id],
    );
    expect(rows[0]!.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(rows[0]!.password_hash).not.toContain('correct horse');
  });

  it('refuses an email or username that differs only in case', async () => {
    await post('/api/v1/auth/register', { email: 'bob@example.test', username: 'bob', password: 'password-1' });
    const sameEmail = await post('/api/v1/auth/register', {
      email: 'BOB@example.TEST',
      username: 'bobby',
      password: 'password-1',
    });
    expect(sameEmail.statusCode).toBe(409);
    expect(sameEmail.json().error.code).toBe('EMAIL_TAKEN');
    const sameName = await post('/api/v1/auth/register', {
      email: 'other@example.test',
      username: 'BOB',
      password: 'password-1',
    });
    expect(sameName.statusCode).toBe(409);
    expect(sameName.json().error.code).toBe('USERNAME_TAKEN');
  });

  it.each([
    [{ email: 'not-an-email', username: 'carol', password: 'password-1' }, 'body.email'],
    [{ email: 'c@example.test', username: 'c', password: 'password-1' }, 'body.username'],
    [{ email: 'c@example.test', username: 'carol', password: 'short' }, 'body.password'],
    [{ email: 'c@example.test', username: 'carol' }, 'body.password'],
    [{ email: 'c@example.test', username: 'carol', password: 'password-1', role: 'admin' }, 'body.role'],
    [{ email: 'c@example.test', username: 'car ol', password: 'password-1' }, 'body.username'],
  ])('rejects %j naming %s', async (payload, field) => {
    const response = await post('/api/v1/auth/register', payload);
    expect(response.statusCode).toBe(400);
    const { error } = response.json();
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toContain(field);
  });

  it.each([
    ['password', 'PASSWORD_TOO_COMMON', /most common passwords/],
    ['Password1', 'PASSWORD_TOO_COMMON', /most common passwords/],
    ['QWERTYUIOP', 'PASSWORD_TOO_COMMON', /most common passwords/],
    ['iloveyou', 'PASSWORD_TOO_COMMON', /most common passwords/],
    ['aaaaaaaaaaaa', 'PASSWORD_TOO_WEAK', /one character repeated/],
    ['          ', 'PASSWORD_TOO_WEAK', /only spaces/],
    ['weakling', 'PASSWORD_TOO_WEAK', /username or email/],
    ['Weak.One@example.test', 'PASSWORD_TOO_WEAK', /username or email/],
    ['weak.one', 'PASSWORD_TOO_WEAK', /username or email/],
  ])('refuses the password %j with %s and says why', async (password, code, why) => {
    const response = await post('/api/v1/auth/register', {
      email: 'weak.one@example.test',
      username: 'weakling',
      password,
    });
    expect(response.statusCode).toBe(400);
    const { error } = response.json<{ error: { code: string; message: string } }>();
    expect(error.code).toBe(code);
    expect(error.message).toMatch(why);
    const { rows } = await t.database.db.query('SELECT 1 FROM users WHERE username = $1', ['weakling']);
    expect(rows).toHaveLength(0);
  });

  it('answers a 1 MB password with a 400 before hashing it', async () => {
    const response = await post('/api/v1/auth/register', {
      email: 'huge@example.test',
      username: 'huge',
      password: 'x'.repeat(1_000_000),
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(response.json().error.message).toContain('body.password');
  });
});

describe('login', () => {
  it('accepts email or username, in any case', async () => {
    const user = await signUp(t);
    for (const login of [user.user.email, user.user.username, user.user.username.toUpperCase()]) {
      const response = await post('/api/v1/auth/login', { login, password: user.password });
      expect(response.statusCode, login).toBe(200);
      expect(response.json<AuthSession>().user.id).toBe(user.user.id);
    }
  });

  it('gives the same 401 for a wrong password and an unknown account', async () => {
    const user = await signUp(t);
    const wrongPassword = await post('/api/v1/auth/login', { login: user.user.username, password: 'wrong-password' });
    const unknown = await post('/api/v1/auth/login', { login: 'nobody-here', password: 'wrong-password' });
    expect(wrongPassword.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrongPassword.body).toBe(unknown.body);
    expect(unknown.json().error.code).toBe('INVALID_CREDENTIALS');
  });
});

describe('passwords with characters that look alike or show nothing', () => {
  it('refuses control characters at registration and still answers a login with one the usual way', async () => {
    const refused = await post('/api/v1/auth/register', {
      email: 'tab@example.test',
      username: 'tabby',
      password: 'correct horse\tbattery',
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toMatchObject({
      code: 'PASSWORD_TOO_WEAK',
      message: expect.stringMatching(/control/),
    });

    const user = await signUp(t);
    for (const password of [`${user.password}\u0000`, '\u0000\u0001\t\n', `\t${user.password}`]) {
      const login = await post('/api/v1/auth/login', { login: user.user.username, password });
      expect(login.statusCode, JSON.stringify(password)).toBe(401);
      expect(login.json().error.code).toBe('INVALID_CREDENTIALS');
    }
  });

  it('hashes the password exactly as typed: the look-alike spelling does not sign in', async () => {
    const typed = 'correct\u00a0horse \uff42attery\u200b';
    const created = await post('/api/v1/auth/register', {
      email: 'nbsp@example.test',
      username: 'nbsp',
      password: typed,
    });
    expect(created.statusCode).toBe(201);
    expect((await post('/api/v1/auth/login', { login: 'nbsp', password: typed })).statusCode).toBe(200);
    const lookAlike = await post('/api/v1/auth/login', { login: 'nbsp', password: 'correct horse battery' });
    expect(lookAlike.statusCode).toBe(401);
  });
});

describe('me', () => {
  it('returns the signed-in user and requires a token', async () => {
    const user = await signUp(t);
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(user.accessToken) });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toEqual(user.user);
    const anonymous = await t.app.inject({ method: 'GET', url: '/api/v1/me' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().error.code).toBe('UNAUTHENTICATED');
    const malformed = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: 'Basic abc' } });
    expect(malformed.statusCode).toBe(401);
  });
});

describe('refresh', () => {
  it('rotates: the new pair works and the old refresh token is spent', async () => {
    const user = await signUp(t);
    const first = await post('/api/v1/auth/refresh', { refreshToken: user.refreshToken });
    expect(first.statusCode).toBe(200);
    const next = first.json<AuthSession>();
    expect(next.refreshToken).not.toBe(user.refreshToken);
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(next.accessToken) });
    expect(me.statusCode).toBe(200);
    const again = await post('/api/v1/auth/refresh', { refreshToken: next.refreshToken });
    expect(again.statusCode).toBe(200);
  });

  it('stores refresh tokens hashed', async () => {
    const user = await signUp(t);
    const { rows } = await t.database.db.query<{ n: string }>(
      "SELECT count(*) AS n FROM refresh_tokens WHERE encode(token_hash, 'escape') LIKE '%' || $1 || '%'",
      [user.refreshToken.slice(4, 20)],
    );
    expect(Number(rows[0]!.n)).toBe(0);
  });

  it('revokes the whole family when a spent token is replayed after the grace window', async () => {
    const user = await signUp(t);
    const rotated = (await post('/api/v1/auth/refresh', { refreshToken: user.refreshToken })).json<AuthSession>();
    const child = (await post('/api/v1/auth/refresh', { refreshToken: rotated.refreshToken })).json<AuthSession>();
    // The first token's successor has been used: replaying it now is theft, not a race.
    const replay = await post('/api/v1/auth/refresh', { refreshToken: user.refreshToken });
    expect(replay.statusCode).toBe(401);
    expect(replay.json().error.code).toBe('REFRESH_TOKEN_REUSED');
    // Every descendant, and the access tokens of the session, are dead.
    const descendant = await post('/api/v1/auth/refresh', { refreshToken: child.refreshToken });
    expect(descendant.statusCode).toBe(401);
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(child.accessToken) });
    expect(me.statusCode).toBe(401);
    // Other sessions of the same user are untouched.
    const fresh = await post('/api/v1/auth/login', { login: user.user.username, password: user.password });
    expect(fresh.statusCode).toBe(200);
  });

  it('lets two concurrent refreshes with the same token both succeed', async () => {
    const user = await signUp(t);
    const [a, b] = await Promise.all([
      post('/api/v1/auth/refresh', { refreshToken: user.refreshToken }),
      post('/api/v1/auth/refresh', { refreshToken: user.refreshToken }),
    ]);
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    // Both successors stay usable: the legitimate client is not locked out.
    for (const response of [a, b]) {
      const next = await post('/api/v1/auth/refresh', { refreshToken: response.json<AuthSession>().refreshToken });
      expect(next.statusCode).toBe(200);
    }
  });

  it('refuses unknown and malformed refresh tokens', async () => {
    const unknown = await post('/api/v1/auth/refresh', { refreshToken: 'vzr_nope' });
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json().error.code).toBe('TOKEN_INVALID');
    const tooLong = await post('/api/v1/auth/refresh', { refreshToken: 'x'.repeat(10_000) });
    expect(tooLong.statusCode).toBe(400);
  });
});

describe('logout', () => {
  it('ends the session: refresh token and access token stop working', async () => {
    const user = await signUp(t);
    const out = await post('/api/v1/auth/logout', undefined, bearer(user.accessToken));
    expect(out.statusCode).toBe(204);
    expect((await post('/api/v1/auth/refresh', { refreshToken: user.refreshToken })).statusCode).toBe(401);
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(user.accessToken) })).statusCode,
    ).toBe(401);
  });
});
