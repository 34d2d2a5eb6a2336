import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthSession } from '@veza/shared';
import type { VezaApp } from '../app.js';
import { createDb, type Db } from '../infra/db/db.js';
import { AppError } from '../infra/errors.js';
import { createLogger, type Logger } from '../infra/logger.js';
import { bearer, buildAppOn } from '../test-support/app.js';
import { createTestDatabase, type TestDatabase } from '../test-support/database.js';

let database: TestDatabase;
const apps: VezaApp[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  for (const app of apps) await app.close();
  await database.drop();
});

/** A log sink in memory, for asserting what reaches the logs. */
function memoryLog(): { logger: Logger; text: () => string } {
  const lines: string[] = [];
  const logger = createLogger('trace', { write: (line: string) => void lines.push(line) });
  return { logger, text: () => lines.join('') };
}

interface Options {
  db?: Db;
  logger?: Logger;
  corsOrigins?: string[];
  /** Adds routes before the app is made ready. */
  routes?: (app: VezaApp) => void;
}

async function makeApp(options: Options = {}): Promise<VezaApp> {
  const app = await buildAppOn(options.db ?? database.db, {
    config: { corsOrigins: options.corsOrigins ?? [] },
    deps: options.logger ? { logger: options.logger } : {},
  });
  options.routes?.(app);
  await app.ready();
  apps.push(app);
  return app;
}

function expectErrorBody(response: { statusCode: number; body: string }, status: number, code: string): string {
  expect(response.statusCode).toBe(status);
  const body = JSON.parse(response.body) as { error: { code: string; message: string } };
  expect(Object.keys(body)).toEqual(['error']);
  // Server errors also say which request they answer (its X-Request-Id), so it can be found in the log.
  expect(Object.keys(body.error).sort()).toEqual(
    status === 500 ? ['code', 'message', 'requestId'] : ['code', 'message'],
  );
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  expect(body.error.message.length).toBeGreaterThan(0);
  return body.error.message;
}

let counter = 0;
const newAccount = () => {
  counter += 1;
  const id = `${process.pid}e${counter}${randomBytes(3).toString('hex')}`;
  return { email: `e${id}@example.test`, username: `e${id}`, password: `pw-${randomBytes(12).toString('base64url')}` };
};

describe('error shape', () => {
  let app: VezaApp;
  let log: ReturnType<typeof memoryLog>;
  beforeAll(async () => {
    log = memoryLog();
    app = await makeApp({
      logger: log.logger,
      routes: (instance) => {
        instance.get('/api/v1/test/boom', { config: { access: 'public' } }, async () => {
          throw new Error('connection to 10.1.2.3 failed for user veza password hunter2');
        });
        instance.get('/api/v1/test/type-error', { config: { access: 'public' } }, async () => {
          const missing = undefined as unknown as { field: string };
          return missing.field;
        });
        instance.get('/api/v1/test/app-error', { config: { access: 'public' } }, async () => {
          throw new AppError(409, 'EMAIL_TAKEN', 'An account with this email already exists.', { 'x-test': 'yes' });
        });
      },
    });
  });

  it('answers an unknown route with 404 ROUTE_NOT_FOUND, without echoing the query string', async () => {
    for (const url of ['/nope', '/api/v1/nope', '/api/v2/me']) {
      expectErrorBody(await app.inject({ method: 'GET', url }), 404, 'ROUTE_NOT_FOUND');
    }
    const message = expectErrorBody(
      await app.inject({ method: 'GET', url: '/api/v1/nope?token=secret-value' }),
      404,
      'ROUTE_NOT_FOUND',
    );
    expect(message).toContain('/api/v1/nope');
    expect(message).not.toContain('secret-value');
    // A known path with the wrong method is not found either.
    expectErrorBody(await app.inject({ method: 'PUT', url: '/api/v1/me' }), 404, 'ROUTE_NOT_FOUND');
  });

  it('answers invalid JSON with 400 BAD_REQUEST', async () => {
    for (const payload of ['{"login": "a",', '{bad json}', 'nul']) {
      const response = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        headers: { 'content-type': 'application/json' },
        payload,
      });
      expectErrorBody(response, 400, 'BAD_REQUEST');
    }
  });

  it('answers an empty JSON body with 400 BAD_REQUEST', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: '',
    });
    expectErrorBody(response, 400, 'BAD_REQUEST');
  });

  it('answers an unsupported content type with 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    for (const contentType of ['application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data']) {
      const response = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        headers: { 'content-type': contentType },
        payload: '<login>a</login>',
      });
      expectErrorBody(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
    }
  });

  it('answers a body over 1 MiB with 413 PAYLOAD_TOO_LARGE, and one just under it normally', async () => {
    const over = JSON.stringify({ login: 'a', password: 'x'.repeat(1024 * 1024) });
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: over,
    });
    expectErrorBody(response, 413, 'PAYLOAD_TOO_LARGE');

    const under = JSON.stringify({ login: 'a', password: 'x'.repeat(1024 * 1024 - 100) });
    expect(Buffer.byteLength(under)).toBeLessThanOrEqual(1024 * 1024);
    const accepted = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: under,
    });
    // Parsed, then refused by the schema (password too long): the body limit is 1 MiB, not less.
    expect(expectErrorBody(accepted, 400, 'VALIDATION_FAILED')).toContain('body.password');
  });

  it('answers an unknown field with 400 VALIDATION_FAILED naming it', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { login: 'someone', password: 'password-1', rememberMe: true },
    });
    expect(expectErrorBody(response, 400, 'VALIDATION_FAILED')).toContain('body.rememberMe');
  });

  it('answers a missing field and a wrong type with 400 VALIDATION_FAILED naming it', async () => {
    const missing = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { login: 'someone' } });
    expect(expectErrorBody(missing, 400, 'VALIDATION_FAILED')).toContain('body.password');
    const wrongType = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { login: 'someone', password: { $ne: null } },
    });
    expect(expectErrorBody(wrongType, 400, 'VALIDATION_FAILED')).toContain('body.password');
  });

  it('answers an unexpected error with a bare 500 INTERNAL_ERROR and logs it in full', async () => {
    for (const url of ['/api/v1/test/boom', '/api/v1/test/type-error']) {
      const response = await app.inject({ method: 'GET', url });
      const message = expectErrorBody(response, 500, 'INTERNAL_ERROR');
      expect(message).toBe('Something went wrong on the server.');
      for (const leak of ['hunter2', '10.1.2.3', 'password', 'field', 'stack', 'at ', '.ts', 'TypeError']) {
        expect(response.body).not.toContain(leak);
      }
    }
    // The detail is kept for the operator.
    expect(log.text()).toContain('connection to 10.1.2.3 failed');
    expect(log.text()).toMatch(/"stack":"Error: connection to 10\.1\.2\.3 failed[^"]*\\n\s+at /);
  });

  it("carries the request's id in a 500's body, as in its X-Request-Id header and its log line", async () => {
    const sent = await app.inject({
      method: 'GET',
      url: '/api/v1/test/boom',
      headers: { 'x-request-id': 'support-ticket-4711' },
    });
    expect(sent.headers['x-request-id']).toBe('support-ticket-4711');
    expect(JSON.parse(sent.body)).toMatchObject({
      error: { code: 'INTERNAL_ERROR', requestId: 'support-ticket-4711' },
    });
    const logged = log
      .text()
      .split('\n')
      .filter((line) => line.includes('"msg":"unhandled error"'))
      .map((line) => JSON.parse(line) as { reqId: string });
    expect(logged.map((line) => line.reqId)).toContain('support-ticket-4711');

    // Without one, the server makes one up, and the body and the header agree on it.
    const made = await app.inject({ method: 'GET', url: '/api/v1/test/boom' });
    const { requestId } = (JSON.parse(made.body) as { error: { requestId: string } }).error;
    expect(requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(made.headers['x-request-id']).toBe(requestId);
  });

  it("sends an AppError's status, code, message and headers as they are", async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/test/app-error' });
    expect(expectErrorBody(response, 409, 'EMAIL_TAKEN')).toBe('An account with this email already exists.');
    expect(response.headers['x-test']).toBe('yes');
  });

  it('answers 401 with the same shape', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/me' });
    expectErrorBody(response, 401, 'UNAUTHENTICATED');
  });
});

describe('security headers and CORS', () => {
  let app: VezaApp;
  beforeAll(async () => {
    app = await makeApp();
  });

  const expectHelmetHeaders = (response: { headers: Record<string, unknown> }, label: string) => {
    expect(response.headers['x-content-type-options'], label).toBe('nosniff');
    expect(response.headers['x-frame-options'], label).toBe('SAMEORIGIN');
    expect(response.headers['referrer-policy'], label).toBe('no-referrer');
    expect(response.headers['strict-transport-security'], label).toMatch(/max-age=\d+/);
    expect(response.headers['content-security-policy'], label).toContain("default-src 'self'");
    expect(response.headers['x-powered-by'], label).toBeUndefined();
  };

  it('sets helmet headers on answers and on routing and validation errors', async () => {
    for (const [method, url] of [
      ['GET', '/healthz'],
      ['GET', '/api/openapi.json'],
      ['GET', '/nope'],
      ['POST', '/api/v1/auth/login'],
    ] as const) {
      expectHelmetHeaders(await app.inject({ method, url }), `${method} ${url}`);
    }
  });

  it('sets helmet headers on 401 and 403 answers from the access check too', async () => {
    const anonymous = await app.inject({ method: 'GET', url: '/api/v1/me' });
    expect(anonymous.statusCode).toBe(401);
    expectHelmetHeaders(anonymous, 'anonymous GET /api/v1/me');
    const badToken = await app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer('a.b.c') });
    expect(badToken.statusCode).toBe(401);
    expectHelmetHeaders(badToken, 'bad token GET /api/v1/me');

    const account = newAccount();
    const session = (
      await app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: account })
    ).json<AuthSession>();
    const forbidden = await app.inject({
      method: 'PATCH',
      url: `/api/v1/admin/users/${session.user.id}`,
      headers: bearer(session.accessToken),
      payload: { role: 'admin' },
    });
    expect(forbidden.statusCode).toBe(403);
    expectHelmetHeaders(forbidden, 'listener PATCH /api/v1/admin/users/:id');
  });

  it('is closed to cross-origin callers by default', async () => {
    const origin = 'https://evil.example';
    const simple = await app.inject({ method: 'GET', url: '/healthz', headers: { origin } });
    expect(simple.statusCode).toBe(200);
    expect(simple.headers['access-control-allow-origin']).toBeUndefined();
    expect(simple.headers['access-control-allow-credentials']).toBeUndefined();

    const preflight = await app.inject({
      method: 'OPTIONS',
      url: '/api/v1/auth/login',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    expect(preflight.headers['access-control-allow-methods']).toBeUndefined();

    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { origin },
      payload: { login: 'someone', password: 'password-1' },
    });
    expect(login.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('opens only to the configured origins', async () => {
    const open = await makeApp({ corsOrigins: ['https://app.example'] });
    const allowed = await open.inject({ method: 'GET', url: '/healthz', headers: { origin: 'https://app.example' } });
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example');
    const other = await open.inject({ method: 'GET', url: '/healthz', headers: { origin: 'https://evil.example' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();

    const preflight = await open.inject({
      method: 'OPTIONS',
      url: '/api/v1/me',
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(preflight.statusCode).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('https://app.example');
  });

  it('lets an allowed origin read 401 answers, so a browser client can tell an expired token', async () => {
    const open = await makeApp({ corsOrigins: ['https://app.example'] });
    for (const headers of [{}, bearer('a.b.c')]) {
      const response = await open.inject({
        method: 'GET',
        url: '/api/v1/me',
        headers: { origin: 'https://app.example', ...headers },
      });
      expect(response.statusCode).toBe(401);
      expect(response.headers['access-control-allow-origin']).toBe('https://app.example');
    }
  });
});

describe('operations endpoints', () => {
  let app: VezaApp;
  beforeAll(async () => {
    app = await makeApp();
  });

  it('GET /healthz answers 200 ok', async () => {
    const response = await app.inject({ method: 'GET', url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('GET /readyz answers 200 when the database answers', async () => {
    const response = await app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ready' });
  });

  it('GET /readyz answers 503 SERVICE_UNAVAILABLE when the database does not, while /healthz stays up', async () => {
    const db = createDb({ connectionString: database.connectionString, max: 1 });
    const unready = await makeApp({ db });
    expect((await unready.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    await db.close();
    expectErrorBody(await unready.inject({ method: 'GET', url: '/readyz' }), 503, 'SERVICE_UNAVAILABLE');
    expect((await unready.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  it('GET /metrics exposes request durations by route template and login counts', async () => {
    const account = newAccount();
    expect((await app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: account })).statusCode).toBe(201);
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { login: account.username, password: account.password },
    });
    expect(login.statusCode).toBe(200);
    await app.inject({ method: 'GET', url: '/no/such/path-1234567' });

    const response = await app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/plain');
    expect(response.body).toContain('# TYPE veza_http_request_duration_seconds histogram');
    expect(response.body).toMatch(
      /^veza_http_request_duration_seconds_count\{method="POST",route="\/api\/v1\/auth\/login",status_code="200"\} 1$/m,
    );
    expect(response.body).toContain('# TYPE veza_auth_logins_total counter');
    expect(response.body).toMatch(/^veza_auth_logins_total\{result="success"\} 1$/m);
    // Unmatched URLs share one label, so a scanner cannot blow up the series count.
    expect(response.body).toContain('route="unmatched"');
    expect(response.body).not.toContain('path-1234567');
  });

  it('GET /api/openapi.json is an OpenAPI 3.1 document of the API', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(response.statusCode).toBe(200);
    const doc = response.json<{
      openapi: string;
      paths: Record<string, Record<string, { security?: unknown }>>;
      components: { securitySchemes: Record<string, unknown> };
    }>();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/api/v1/auth/login']?.post).toBeDefined();
    expect(doc.paths['/api/v1/me']?.get?.security).toEqual([{ bearer: [] }]);
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    // The document does not describe itself.
    expect(doc.paths['/api/openapi.json']).toBeUndefined();
  });

  it('GET /api/docs answers 200 with an HTML page', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/docs' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/html');
    expect(response.body).toMatch(/<html/i);
  });
});

describe('log redaction', () => {
  it('never writes passwords or tokens to the log, even at trace level', async () => {
    const log = memoryLog();
    const app = await makeApp({ logger: log.logger });
    const account = newAccount();
    const registered = await app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: account });
    expect(registered.statusCode).toBe(201);
    const first = registered.json<AuthSession>();

    // A login carrying a (stale) Authorization header, a failed login, a refresh and an authenticated call.
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: bearer(first.accessToken),
      payload: { login: account.email, password: account.password },
    });
    expect(login.statusCode).toBe(200);
    const session = login.json<AuthSession>();
    const wrongPassword = `wrong-${randomBytes(9).toString('base64url')}`;
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { login: account.email, password: wrongPassword },
        })
      ).statusCode,
    ).toBe(401);
    const refreshed = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refreshToken: session.refreshToken },
    });
    expect(refreshed.statusCode).toBe(200);
    expect(
      (await app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(session.accessToken) })).statusCode,
    ).toBe(200);
    expect(
      (
        await app.inject({
          method: 'GET',
          url: '/api/v1/me',
          headers: { authorization: 'Bearer not-a-real-token-xyz' },
        })
      ).statusCode,
    ).toBe(401);

    const text = log.text();
    // The log was written: requests are there.
    expect(text).toContain('incoming request');
    expect(text).toContain('/api/v1/auth/login');
    for (const secret of [
      account.password,
      wrongPassword,
      first.accessToken,
      first.refreshToken,
      session.accessToken,
      session.refreshToken,
      refreshed.json<AuthSession>().refreshToken,
      'not-a-real-token-xyz',
    ]) {
      expect(text).not.toContain(secret);
    }
  });

  it('blanks secret fields wherever the app logs them', () => {
    const log = memoryLog();
    log.logger.info(
      {
        req: { headers: { authorization: 'Bearer header-secret', cookie: 'sid=cookie-secret' } },
        password: 'top-level-password',
        user: { password: 'nested-password', passwordHash: '$argon2id$hash-secret' },
        session: { accessToken: 'access-secret', refreshToken: 'refresh-secret', token: 'token-secret' },
        config: { databaseUrl: 'postgres://u:db-secret@h/db', secret: 'plain-secret' },
        apiKey: 'vz_key-secret',
      },
      'something happened',
    );
    const text = log.text();
    expect(text).toContain('something happened');
    expect(text).toContain('[redacted]');
    for (const secret of [
      'header-secret',
      'cookie-secret',
      'top-level-password',
      'nested-password',
      'hash-secret',
      'access-secret',
      'refresh-secret',
      'token-secret',
      'db-secret',
      'plain-secret',
      'key-secret',
    ]) {
      expect(text).not.toContain(secret);
    }
  });
});
