import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { once } from 'node:events';
import { connect, type AddressInfo } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VezaApp } from '../../app.js';
import { loadConfig, type ServerConfig } from '../../infra/config.js';
import { createLogger } from '../../infra/logger.js';
import { createMetrics } from '../../infra/metrics.js';
import { startServer } from '../../runtime.js';
import { buildAppOn } from '../../test-support/app.js';
import { createTestDatabase, type TestDatabase } from '../../test-support/database.js';
import { decideScrape, isLoopback, type MetricsAccess } from './metrics-access.js';
import { listenForScrapes, type MetricsListener } from './metrics-listener.js';

const TOKEN = 'metrics-token-0123456789abcdef';
const MAIN: MetricsAccess = { token: undefined, where: 'main-port' };
const WITH_TOKEN: MetricsAccess = { token: TOKEN, where: 'main-port' };

describe('isLoopback', () => {
  it.each(['127.0.0.1', '127.8.9.10', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1'])('%s is this machine', (a) => {
    expect(isLoopback(a)).toBe(true);
  });
  it.each(['192.0.2.7', '10.0.0.1', '::ffff:192.0.2.7', 'fd00::2', '::', '128.0.0.1', 'localhost', '', undefined])(
    '%s is not',
    (address) => {
      expect(isLoopback(address)).toBe(false);
    },
  );
});

describe('decideScrape', () => {
  const from = (remoteAddress: string | undefined, headers: Record<string, string> = {}) => ({
    remoteAddress,
    headers,
  });

  it('serves the main port to this machine only, and not through a proxy, when no token is set', () => {
    expect(decideScrape(MAIN, from('127.0.0.1'))).toEqual({ allowed: true });
    expect(decideScrape(MAIN, from('::ffff:127.0.0.1'))).toEqual({ allowed: true });
    expect(decideScrape(MAIN, from('192.0.2.7'))).toMatchObject({ allowed: false, status: 403, code: 'FORBIDDEN' });
    expect(decideScrape(MAIN, from(undefined))).toMatchObject({ allowed: false, status: 403 });
    for (const header of ['x-forwarded-for', 'forwarded', 'x-real-ip']) {
      // The address a proxy sends is not believed; its presence alone says "through a proxy".
      expect(decideScrape(MAIN, from('127.0.0.1', { [header]: '127.0.0.1' })), header).toMatchObject({
        allowed: false,
        status: 403,
        code: 'FORBIDDEN',
        message: expect.stringContaining('proxy') as string,
      });
    }
  });

  it('serves its own listener to anyone who reaches it when no token is set', () => {
    expect(decideScrape({ token: undefined, where: 'own-listener' }, from('192.0.2.7'))).toEqual({ allowed: true });
  });

  it('asks for the token from everyone when one is set, this machine included', () => {
    const challenge = { 'www-authenticate': 'Bearer realm="veza-metrics"' };
    expect(decideScrape(WITH_TOKEN, from('127.0.0.1'))).toEqual({
      allowed: false,
      status: 401,
      code: 'UNAUTHENTICATED',
      message: 'Metrics need "Authorization: Bearer <VEZA_METRICS_TOKEN>".',
      headers: challenge,
    });
    for (const authorization of [
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN.slice(0, -1)}`,
      'Bearer ',
      `Basic ${TOKEN}`,
      `Bearer ${TOKEN} extra`,
      TOKEN,
    ]) {
      expect(decideScrape(WITH_TOKEN, from('127.0.0.1', { authorization })), authorization).toMatchObject({
        allowed: false,
        status: 401,
        code: 'TOKEN_INVALID',
        headers: challenge,
      });
    }
    expect(decideScrape(WITH_TOKEN, from('192.0.2.7', { authorization: `Bearer ${TOKEN}` }))).toEqual({
      allowed: true,
    });
    expect(decideScrape(WITH_TOKEN, from('192.0.2.7', { authorization: `bearer ${TOKEN}` }))).toEqual({
      allowed: true,
    });
  });
});

/** This machine's first address that is not loopback: a connection to it comes from it. */
function externalIPv4(): string {
  for (const addresses of Object.values(networkInterfaces()))
    for (const address of addresses ?? []) if (address.family === 'IPv4' && !address.internal) return address.address;
  throw new Error('This test needs a network interface with a non-loopback IPv4 address (os.networkInterfaces()).');
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A GET on a real connection to `host` (the server then sees that address as the peer). */
function get(host: string, port: number, urlPath: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path: urlPath, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.once('error', reject);
    req.end();
  });
}

const errorOf = (answer: Answer): { code: string; message: string } =>
  (JSON.parse(answer.body) as { error: { code: string; message: string } }).error;

describe('/metrics over real connections', () => {
  let database: TestDatabase;
  const apps: VezaApp[] = [];
  const external = externalIPv4();

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await database.drop();
  });

  /** An app on every interface (`::` is dual-stack: IPv4 peers appear as ::ffff:a.b.c.d). */
  async function listening(config: Partial<ServerConfig> = {}): Promise<number> {
    const app = await buildAppOn(database.db, { config });
    apps.push(app);
    await app.listen({ host: '::', port: 0 });
    return (app.server.address() as AddressInfo).port;
  }

  it('without a token: answers a connection from loopback, refuses one from another address with 403', async () => {
    const port = await listening();
    const local = await get('127.0.0.1', port, '/metrics');
    expect(local.status).toBe(200);
    expect(local.body).toContain('# TYPE veza_ws_connections gauge');

    const remote = await get(external, port, '/metrics');
    expect(remote.status).toBe(403);
    expect(errorOf(remote)).toEqual({
      code: 'FORBIDDEN',
      message:
        'Metrics are served only to this machine. Set VEZA_METRICS_TOKEN or VEZA_METRICS_LISTEN to scrape from elsewhere (docs/operations.md, "Metrics").',
    });
    // What a proxy on this machine would send on behalf of a visitor.
    expect((await get('127.0.0.1', port, '/metrics', { 'x-forwarded-for': '127.0.0.1' })).status).toBe(403);
  });

  it('with a token: asks for it from everyone, and answers whoever sends it', async () => {
    const port = await listening({ metricsToken: TOKEN });
    const without = await get('127.0.0.1', port, '/metrics');
    expect(without.status).toBe(401);
    expect(without.headers['www-authenticate']).toBe('Bearer realm="veza-metrics"');
    expect(errorOf(without).code).toBe('UNAUTHENTICATED');
    expect(errorOf(await get(external, port, '/metrics', { authorization: 'Bearer wrong-token' })).code).toBe(
      'TOKEN_INVALID',
    );
    const remote = await get(external, port, '/metrics', { authorization: `Bearer ${TOKEN}` });
    expect(remote.status).toBe(200);
    expect(remote.body).toContain('# TYPE veza_ws_connections gauge');
  });

  it('with a listen address of its own: the main port does not serve /metrics at all', async () => {
    const port = await listening({ metricsListen: { host: '127.0.0.1', port: 0 } });
    const answer = await get('127.0.0.1', port, '/metrics');
    expect(answer.status).toBe(404);
    expect(errorOf(answer).code).toBe('ROUTE_NOT_FOUND');
    expect((await get('127.0.0.1', port, '/healthz')).status).toBe(200);
  });
});

describe('the metrics listener (VEZA_METRICS_LISTEN)', () => {
  const listeners: MetricsListener[] = [];
  afterAll(async () => {
    for (const listener of listeners) await listener.close();
  });
  const external = externalIPv4();

  async function listener(token?: string, firstRequestTimeoutMs = 10_000): Promise<number> {
    const metrics = createMetrics();
    metrics.chatMessagesStored.inc(3);
    const started = await listenForScrapes({
      address: { host: '0.0.0.0', port: 0 },
      registry: metrics.registry,
      token,
      logger: createLogger('silent'),
      firstRequestTimeoutMs,
    });
    listeners.push(started);
    return Number(new URL(started.url).port);
  }

  it('serves GET /metrics to whoever reaches it, and nothing else', async () => {
    const port = await listener();
    const remote = await get(external, port, '/metrics?x=1', { 'x-request-id': 'scrape-1' });
    expect(remote.status).toBe(200);
    expect(remote.headers['content-type']).toContain('text/plain');
    expect(remote.headers['x-request-id']).toBe('scrape-1');
    expect(remote.body).toMatch(/^veza_chat_messages_stored_total 3$/m);
    for (const other of ['/', '/healthz', '/metrics/x', '/api/v1/me']) {
      const answer = await get('127.0.0.1', port, other);
      expect(answer.status, other).toBe(404);
      expect(errorOf(answer).code).toBe('ROUTE_NOT_FOUND');
    }
  });

  it('closes a connection that sends no request once the first-request bound has passed', async () => {
    const port = await listener(undefined, 100);
    const idle = connect(port, '127.0.0.1');
    await once(idle, 'connect');
    // This side never ends it: only the server's bound can (Node's own wait is 60 s and more).
    const [hadError] = (await once(idle, 'close')) as [boolean];
    expect(hadError).toBe(false);
    expect((await get('127.0.0.1', port, '/metrics')).status).toBe(200);
  });

  it('asks for the token when one is set', async () => {
    const port = await listener(TOKEN);
    expect(errorOf(await get('127.0.0.1', port, '/metrics')).code).toBe('UNAUTHENTICATED');
    expect((await get(external, port, '/metrics', { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
  });
});

describe('veza-server with VEZA_METRICS_LISTEN', () => {
  it('serves /metrics there, behind the token, and not on the main port; closes it on shutdown', async () => {
    const database = await createTestDatabase();
    const dataDir = await mkdtemp(path.join(tmpdir(), 'veza-metrics-listen-'));
    const config = loadConfig({
      DATABASE_URL: database.connectionString,
      VEZA_DATA_DIR: dataDir,
      VEZA_PORT: '0',
      VEZA_METRICS_LISTEN: '127.0.0.1:0',
      VEZA_METRICS_TOKEN: TOKEN,
    });
    const server = await startServer(config, { logger: createLogger('silent'), print: () => undefined });
    try {
      const main = new URL(server.url);
      expect((await get(main.hostname, Number(main.port), '/metrics')).status).toBe(404);
      const metricsUrl = new URL(server.metricsUrl!);
      expect(metricsUrl.pathname).toBe('/metrics');
      const port = Number(metricsUrl.port);
      expect(port).not.toBe(Number(main.port));
      expect((await get('127.0.0.1', port, '/metrics')).status).toBe(401);
      const scraped = await get('127.0.0.1', port, '/metrics', { authorization: `Bearer ${TOKEN}` });
      expect(scraped.status).toBe(200);
      expect(scraped.body).toContain('veza_db_pool_max_connections');
    } finally {
      await server.close();
      await database.drop();
      await rm(dataDir, { recursive: true, force: true });
    }
    await expect(get('127.0.0.1', Number(new URL(server.metricsUrl!).port), '/metrics')).rejects.toThrow(
      /ECONNREFUSED/,
    );
  });
});
