import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthSession } from '@veza/shared';
import { ManualClock } from '../../infra/clock.js';
import { createTestApp, signUp, type TestApp } from '../../test-support/app.js';
import { DEFAULT_LOGIN_THROTTLE, LoginThrottle } from './login-throttle.js';

const WINDOW_MS = 60_000;

interface Response {
  statusCode: number;
  headers: Record<string, unknown>;
  json: <T = unknown>() => T;
}

function expectRateLimited(response: Response): number {
  expect(response.statusCode).toBe(429);
  expect(response.json()).toEqual({ error: { code: 'RATE_LIMITED', message: expect.any(String) } });
  const retryAfter = Number(response.headers['retry-after']);
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThan(0);
  return retryAfter;
}

describe('failed-login throttle through the API', () => {
  const clock = new ManualClock();
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      clock,
      limits: {
        loginThrottle: { windowMs: WINDOW_MS, maxFailuresPerIp: 20, maxFailuresPerAccount: 20 },
        authRequestsPerMinute: 1000,
      },
    });
  });
  afterAll(async () => {
    await t.close();
  });

  const login = (login: string, password: string, ip: string) =>
    t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { login, password }, remoteAddress: ip });

  it('closes an attacked account to the attacking IP only, and reopens it after the window', async () => {
    const victim = await signUp(t);
    const attacker = '203.0.113.10';
    for (let i = 0; i < 20; i += 1) {
      const response = await login(victim.user.username, `wrong-${i}`, attacker);
      expect(response.statusCode, `attempt ${i + 1}`).toBe(401);
      expect(response.json<{ error: { code: string } }>().error.code).toBe('INVALID_CREDENTIALS');
    }

    // The 21st attempt is refused before the password is even checked: the right one fails too.
    const retryAfter = expectRateLimited(await login(victim.user.username, victim.password, attacker));
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_MS / 1000);
    expectRateLimited(await login(victim.user.email, victim.password, attacker));

    // The owner, from elsewhere, signs in normally.
    const owner = await login(victim.user.username, victim.password, '198.51.100.20');
    expect(owner.statusCode).toBe(200);
    expect(owner.json<AuthSession>().user.id).toBe(victim.user.id);

    // Time passes within the window: Retry-After counts down, still refused.
    clock.advance(30_000);
    const later = expectRateLimited(await login(victim.user.username, victim.password, attacker));
    expect(later).toBeLessThanOrEqual(retryAfter - 29);

    clock.advance(WINDOW_MS);
    const reopened = await login(victim.user.username, victim.password, attacker);
    expect(reopened.statusCode).toBe(200);
  });

  it('closes an IP that fails 20 times across different accounts, for every account', async () => {
    const sprayer = '203.0.113.20';
    for (let i = 0; i < 20; i += 1) {
      const response = await login(`nobody-${i}`, 'wrong-password', sprayer);
      expect(response.statusCode, `attempt ${i + 1}`).toBe(401);
    }
    const anyone = await signUp(t);
    expectRateLimited(await login(anyone.user.username, anyone.password, sprayer));
    // No single account reached its limit, so others are not affected.
    expect((await login(anyone.user.username, anyone.password, '198.51.100.21')).statusCode).toBe(200);
    expect((await login('nobody-0', 'wrong-password', '198.51.100.21')).statusCode).toBe(401);

    clock.advance(WINDOW_MS + 1);
    expect((await login(anyone.user.username, anyone.password, sprayer)).statusCode).toBe(200);
  });

  it('counts an account under its email and username together, across IPs', async () => {
    const victim = await signUp(t);
    // Ten failures from each of two IPs: neither IP reaches its own limit, the account does.
    for (let i = 0; i < 10; i += 1) {
      expect((await login(victim.user.email, 'wrong-password', '203.0.113.31')).statusCode).toBe(401);
      expect((await login(victim.user.username.toUpperCase(), 'wrong-password', '203.0.113.32')).statusCode).toBe(401);
    }
    expectRateLimited(await login(victim.user.username, victim.password, '203.0.113.31'));
    expectRateLimited(await login(victim.user.email, victim.password, '203.0.113.32'));
    // The IPs are closed only for this account.
    const other = await signUp(t);
    expect((await login(other.user.username, other.password, '203.0.113.31')).statusCode).toBe(200);
    clock.advance(WINDOW_MS + 1);
  });

  it('counts throttled attempts in veza_auth_logins_total', async () => {
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/^veza_auth_logins_total\{result="throttled"\} [1-9]\d*$/m);
    expect(metrics.body).toMatch(/^veza_auth_logins_total\{result="failure"\} [1-9]\d*$/m);
  });
});

describe('request rate limit on credential routes (@fastify/rate-limit)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ limits: { authRequestsPerMinute: 5 } });
  });
  afterAll(async () => {
    await t.close();
  });

  let counter = 0;
  const register = (ip: string) => {
    counter += 1;
    return t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/register',
      payload: { email: `rl${counter}@example.test`, username: `rl_user_${counter}`, password: 'password-1' },
      remoteAddress: ip,
    });
  };

  it('answers the 6th register from one IP within a minute with 429 RATE_LIMITED in the standard shape', async () => {
    const ip = '192.0.2.50';
    for (let i = 0; i < 5; i += 1) {
      const response = await register(ip);
      expect(response.statusCode, `request ${i + 1}`).toBe(201);
      expect(response.headers['x-ratelimit-remaining']).toBe(String(4 - i));
    }
    const sixth = await register(ip);
    const retryAfter = expectRateLimited(sixth);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Nothing was created by the refused request.
    const { rows } = await t.database.db.query<{ n: string }>('SELECT count(*) AS n FROM users WHERE email = $1', [
      `rl${counter}@example.test`,
    ]);
    expect(Number(rows[0]!.n)).toBe(0);

    // Another IP is not affected.
    expect((await register('192.0.2.51')).statusCode).toBe(201);

    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain('veza_rate_limited_total{route="/api/v1/auth/register"} 1');
  });

  it('limits login as well', async () => {
    const ip = '192.0.2.60';
    for (let i = 0; i < 5; i += 1) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { login: 'nobody', password: 'wrong-password' },
        remoteAddress: ip,
      });
      expect(response.statusCode).toBe(401);
    }
    expectRateLimited(
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { login: 'nobody', password: 'wrong-password' },
        remoteAddress: ip,
      }),
    );
  });
});

describe('LoginThrottle', () => {
  const limits = { windowMs: 60_000, maxFailuresPerIp: 5, maxFailuresPerAccount: 3 };

  it('allows attempts below the limits', () => {
    const throttle = new LoginThrottle(new ManualClock(), limits);
    expect(throttle.retryAfterSeconds('ip-a', 'alice')).toBe(0);
    throttle.recordFailure('ip-a', 'alice');
    throttle.recordFailure('ip-a', 'alice');
    expect(throttle.retryAfterSeconds('ip-a', 'alice')).toBe(0);
  });

  it('closes an IP after maxFailuresPerIp failures, for every account, with the seconds left', () => {
    const clock = new ManualClock();
    const throttle = new LoginThrottle(clock, { ...limits, maxFailuresPerAccount: 100 });
    for (let i = 0; i < 4; i += 1) throttle.recordFailure('ip-a', `account-${i}`);
    expect(throttle.retryAfterSeconds('ip-a', 'fresh')).toBe(0);
    throttle.recordFailure('ip-a', 'account-4');
    expect(throttle.retryAfterSeconds('ip-a', 'fresh')).toBe(60);
    expect(throttle.retryAfterSeconds('ip-a', 'account-0')).toBe(60);
    expect(throttle.retryAfterSeconds('ip-b', 'account-0')).toBe(0);

    clock.advance(10_500);
    expect(throttle.retryAfterSeconds('ip-a', 'fresh')).toBe(50);
  });

  it('closes an account after maxFailuresPerAccount failures, only to the IPs that failed against it', () => {
    const throttle = new LoginThrottle(new ManualClock(), { ...limits, maxFailuresPerIp: 100 });
    throttle.recordFailure('ip-a', 'alice');
    throttle.recordFailure('ip-b', 'alice');
    expect(throttle.retryAfterSeconds('ip-a', 'alice')).toBe(0);
    throttle.recordFailure('ip-c', 'alice');

    for (const ip of ['ip-a', 'ip-b', 'ip-c']) expect(throttle.retryAfterSeconds(ip, 'alice')).toBe(60);
    // The owner, from an IP that never failed, gets through.
    expect(throttle.retryAfterSeconds('ip-owner', 'alice')).toBe(0);
    // The attacking IPs may still try other accounts.
    expect(throttle.retryAfterSeconds('ip-a', 'bob')).toBe(0);
  });

  it('opens again when the window ends, and starts a fresh window on the next failure', () => {
    const clock = new ManualClock();
    const throttle = new LoginThrottle(clock, limits);
    for (let i = 0; i < 5; i += 1) throttle.recordFailure('ip-a', 'alice');
    expect(throttle.retryAfterSeconds('ip-a', 'alice')).toBeGreaterThan(0);

    clock.advance(59_999);
    expect(throttle.retryAfterSeconds('ip-a', 'alice')).toBe(1);
    clock.advance(1);
    expect(throttle.retryAfterSeconds('ip-a', 'alice')).toBe(0);

    // Fixed windows: the old count is gone, one new failure is far from the limit.
    throttle.recordFailure('ip-a', 'alice');
    expect(throttle.retryAfterSeconds('ip-a', 'alice')).toBe(0);
    throttle.recordFailure('ip-a', 'alice');
    throttle.recordFailure('ip-a', 'alice');
    // Three failures reach the account limit again, in the new window.
    expect(throttle.retryAfterSeconds('ip-a', 'alice')).toBe(60);
  });

  it('keeps windows of different keys apart', () => {
    const clock = new ManualClock();
    const throttle = new LoginThrottle(clock, limits);
    for (let i = 0; i < 3; i += 1) throttle.recordFailure('ip-a', 'alice');
    clock.advance(30_000);
    for (let i = 0; i < 3; i += 1) throttle.recordFailure('ip-b', 'bob');
    expect(throttle.retryAfterSeconds('ip-a', 'alice')).toBe(30);
    expect(throttle.retryAfterSeconds('ip-b', 'bob')).toBe(60);
    clock.advance(30_000);
    expect(throttle.retryAfterSeconds('ip-a', 'alice')).toBe(0);
    expect(throttle.retryAfterSeconds('ip-b', 'bob')).toBe(30);
  });

  it('drops expired windows once it holds many, so memory stays bounded', () => {
    const clock = new ManualClock();
    const throttle = new LoginThrottle(clock, limits);
    const sizes = () => {
      const maps = throttle as unknown as { byIp: Map<string, unknown>; byAccount: Map<string, unknown> };
      return maps.byIp.size + maps.byAccount.size;
    };
    for (let i = 0; i < 40_000; i += 1) throttle.recordFailure(`old-ip-${i}`, `old-account-${i}`);
    expect(sizes()).toBe(80_000);
    clock.advance(limits.windowMs);
    for (let i = 0; i < 20_000; i += 1) throttle.recordFailure(`new-ip-${i}`, `new-account-${i}`);
    expect(sizes()).toBeLessThanOrEqual(100_000);
    expect(sizes()).toBeGreaterThan(0);
    // Live windows survive the sweep.
    for (let i = 0; i < 2; i += 1) throttle.recordFailure('new-ip-0', 'new-account-0');
    expect(throttle.retryAfterSeconds('new-ip-0', 'new-account-0')).toBe(60);
  });

  it('defaults to 20 failures per IP and per account in a one-minute window', () => {
    expect(DEFAULT_LOGIN_THROTTLE).toEqual({ windowMs: 60_000, maxFailuresPerIp: 20, maxFailuresPerAccount: 20 });
    const throttle = new LoginThrottle(new ManualClock());
    for (let i = 0; i < 19; i += 1) throttle.recordFailure('ip-a', 'alice');
    expect(throttle.retryAfterSeconds('ip-a', 'alice')).toBe(0);
    throttle.recordFailure('ip-a', 'alice');
    expect(throttle.retryAfterSeconds('ip-a', 'alice')).toBe(60);
  });
});
