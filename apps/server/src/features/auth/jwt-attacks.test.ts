import { randomBytes, randomUUID } from 'node:crypto';
import {
  SignJWT,
  UnsecuredJWT,
  base64url,
  decodeJwt,
  exportSPKI,
  generateKeyPair,
  type CryptoKey,
  type JWTHeaderParameters,
  type JWTPayload,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthSession, User } from '@veza/shared';
import { ManualClock } from '../../infra/clock.js';
import { TEST_PUBLIC_URL, bearer, createTestApp, signUp, type TestApp } from '../../test-support/app.js';
import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_TTL_SECONDS, ACCESS_TOKEN_TYPE } from './access-tokens.js';

type Victim = AuthSession & { password: string };

const clock = new ManualClock();
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ clock });
});
afterAll(async () => {
  await t.close();
});

const me = (token: string) => t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(token) });

async function expectRefused(token: string, code: 'TOKEN_INVALID' | 'TOKEN_EXPIRED' = 'TOKEN_INVALID'): Promise<void> {
  const response = await me(token);
  expect(response.statusCode).toBe(401);
  const body = response.json();
  expect(body).toEqual({ error: { code, message: expect.any(String) } });
}

/** The claims of a real access token, as the server issued them. */
const claimsOf = (session: Victim): JWTPayload => decodeJwt(session.accessToken);

const HEADER: JWTHeaderParameters = { alg: 'HS256', typ: ACCESS_TOKEN_TYPE };

/** Signs arbitrary claims and header with `key` (the server's own secret unless told). */
function forge(claims: JWTPayload, header: JWTHeaderParameters = HEADER, key: Uint8Array | CryptoKey = t.jwtSecret) {
  return new SignJWT(claims).setProtectedHeader(header).sign(key);
}

const encodeSegment = (value: unknown): string => base64url.encode(JSON.stringify(value));

describe('control', () => {
  it('accepts the token the server issued, and a token re-signed from its exact claims', async () => {
    const victim = await signUp(t);
    const real = await me(victim.accessToken);
    expect(real.statusCode).toBe(200);
    expect(real.json<User>().id).toBe(victim.user.id);

    const claims = claimsOf(victim);
    expect(claims).toMatchObject({
      sub: victim.user.id,
      iss: TEST_PUBLIC_URL,
      aud: ACCESS_TOKEN_AUDIENCE,
      sid: expect.any(String),
    });
    // Proves the forging helper is sound: each attack below changes exactly one thing.
    const resigned = await me(await forge(claims));
    expect(resigned.statusCode).toBe(200);
    expect(resigned.json<User>().id).toBe(victim.user.id);
  });
});

describe('forged and tampered access tokens', () => {
  const attacks: Array<[string, (victim: Victim) => Promise<string>]> = [
    ['alg "none" (unsigned)', async (victim) => new UnsecuredJWT(claimsOf(victim)).encode()],
    [
      'alg "none" with the typ header and a leftover signature',
      async (victim) => {
        const [, , signature] = victim.accessToken.split('.');
        const header = encodeSegment({ alg: 'none', typ: ACCESS_TOKEN_TYPE });
        return `${header}.${encodeSegment(claimsOf(victim))}.${signature}`;
      },
    ],
    [
      'alg "NONE" in upper case with an empty signature',
      async (victim) => `${encodeSegment({ alg: 'NONE', typ: ACCESS_TOKEN_TYPE })}.${encodeSegment(claimsOf(victim))}.`,
    ],
    [
      'RS256 signed with a fresh RSA key',
      async (victim) => {
        const { privateKey } = await generateKeyPair('RS256');
        return forge(claimsOf(victim), { alg: 'RS256', typ: ACCESS_TOKEN_TYPE }, privateKey);
      },
    ],
    [
      'HS256 signed with the PEM text of an RSA public key as secret (key confusion)',
      async (victim) => {
        const { publicKey } = await generateKeyPair('RS256', { extractable: true });
        const pem = await exportSPKI(publicKey);
        return forge(claimsOf(victim), HEADER, new TextEncoder().encode(pem));
      },
    ],
    ['HS256 signed with a wrong key', async (victim) => forge(claimsOf(victim), HEADER, randomBytes(32))],
    [
      'HS512 signed with the right key (algorithm not pinned)',
      async (victim) => forge(claimsOf(victim), { alg: 'HS512', typ: ACCESS_TOKEN_TYPE }),
    ],
    [
      'a tampered payload claiming role admin, signature kept',
      async (victim) => {
        const [header, , signature] = victim.accessToken.split('.');
        return `${header}.${encodeSegment({ ...claimsOf(victim), role: 'admin' })}.${signature}`;
      },
    ],
    [
      "a tampered payload with another user's sub, signature kept",
      async (victim) => {
        const other = await signUp(t);
        const [header, , signature] = victim.accessToken.split('.');
        return `${header}.${encodeSegment({ ...claimsOf(victim), sub: other.user.id })}.${signature}`;
      },
    ],
    ['a signature stripped off', async (victim) => victim.accessToken.split('.').slice(0, 2).join('.') + '.'],
    ['a wrong aud', async (victim) => forge({ ...claimsOf(victim), aud: 'veza-admin' })],
    [
      'no aud',
      async (victim) => {
        const { aud: _aud, ...claims } = claimsOf(victim);
        return forge(claims);
      },
    ],
    ['a wrong iss', async (victim) => forge({ ...claimsOf(victim), iss: 'http://evil.test' })],
    ['typ "JWT"', async (victim) => forge(claimsOf(victim), { alg: 'HS256', typ: 'JWT' })],
    ['no typ header', async (victim) => forge(claimsOf(victim), { alg: 'HS256' })],
    [
      'no sid',
      async (victim) => {
        const { sid: _sid, ...claims } = claimsOf(victim);
        return forge(claims);
      },
    ],
    ['a numeric sid', async (victim) => forge({ ...claimsOf(victim), sid: 42 })],
    [
      'no sub',
      async (victim) => {
        const { sub: _sub, ...claims } = claimsOf(victim);
        return forge(claims);
      },
    ],
    [
      'no exp',
      async (victim) => {
        const { exp: _exp, ...claims } = claimsOf(victim);
        return forge(claims);
      },
    ],
    ['a sid that names no session', async (victim) => forge({ ...claimsOf(victim), sid: randomUUID() })],
    [
      "another user's session id under the victim's sub",
      async (victim) => {
        const other = await signUp(t);
        return forge({ ...claimsOf(victim), sid: claimsOf(other).sid });
      },
    ],
    ['a refresh token presented as an access token', async (victim) => victim.refreshToken],
    ['garbage with three dots-separated parts', async () => 'abc.def.ghi'],
  ];

  it.each(attacks)('refuses %s with 401 TOKEN_INVALID', async (_name, build) => {
    const victim = await signUp(t);
    await expectRefused(await build(victim));
    // The attack did not damage the victim's real session.
    expect((await me(victim.accessToken)).statusCode).toBe(200);
  });
});

describe('expiry', () => {
  it('accepts a token until 15 minutes after issue, then answers TOKEN_EXPIRED', async () => {
    const victim = await signUp(t);
    const claims = claimsOf(victim);
    expect(claims.exp! - claims.iat!).toBe(ACCESS_TOKEN_TTL_SECONDS);
    expect(ACCESS_TOKEN_TTL_SECONDS).toBe(15 * 60);

    clock.advance(ACCESS_TOKEN_TTL_SECONDS * 1000 - 1_000);
    expect((await me(victim.accessToken)).statusCode).toBe(200);

    clock.advance(2_000);
    await expectRefused(victim.accessToken, 'TOKEN_EXPIRED');

    // The session itself is alive: the refresh token still gets a working access token.
    const refreshed = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refreshToken: victim.refreshToken },
    });
    expect(refreshed.statusCode).toBe(200);
    expect((await me(refreshed.json<AuthSession>().accessToken)).statusCode).toBe(200);
  });

  it('refuses a token signed with the right key whose exp has passed', async () => {
    const victim = await signUp(t);
    const now = Math.floor(clock.now().getTime() / 1000);
    await expectRefused(await forge({ ...claimsOf(victim), iat: now - 3600, exp: now - 1 }), 'TOKEN_EXPIRED');
  });
});

describe('revoked sessions', () => {
  it('refuses a still-unexpired access token once its session is logged out', async () => {
    const victim = await signUp(t);
    expect((await me(victim.accessToken)).statusCode).toBe(200);
    const out = await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: bearer(victim.accessToken) });
    expect(out.statusCode).toBe(204);
    await expectRefused(victim.accessToken);
    // Re-signing the same claims with the right key does not bring the session back.
    await expectRefused(await forge(claimsOf(victim)));
  });

  it('refuses the token once the session is revoked in the database, leaving other sessions alone', async () => {
    const victim = await signUp(t);
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { login: victim.user.username, password: victim.password },
    });
    expect(login.statusCode).toBe(200);
    const second = login.json<AuthSession>();

    await t.database.db.query("UPDATE auth_sessions SET revoked_at = now(), revoked_reason = 'admin' WHERE id = $1", [
      claimsOf(victim).sid,
    ]);
    await expectRefused(victim.accessToken);
    expect((await me(second.accessToken)).statusCode).toBe(200);
  });

  it('refuses the token of a deleted user', async () => {
    const victim = await signUp(t);
    await t.database.db.query('DELETE FROM users WHERE id = $1', [victim.user.id]);
    await expectRefused(victim.accessToken);
  });
});
