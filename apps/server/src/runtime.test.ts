import { EventEmitter } from 'node:events';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthSession } from '@veza/shared';
import { createTestDatabase } from './test-support/database.js';
import { loadConfig } from './infra/config.js';
import { clusterPaths, isProcessAlive, readPostmasterPid } from './infra/db/embedded-postgres.js';
import { createLogger } from './infra/logger.js';
import { startServer, type RunningServer } from './runtime.js';

/*
 * Always on an embedded PostgreSQL in a temp data dir, even when the run uses DATABASE_URL:
 * this covers the embedded start and stop that `veza-server serve` does (about 1 s).
 */

interface LogLine {
  msg?: string;
  req?: { method?: string; url?: string };
  [key: string]: unknown;
}

/** Collects the server's JSON log lines so the test can wait for "incoming request". */
class LogCapture extends EventEmitter {
  readonly lines: LogLine[] = [];
  write(chunk: string): void {
    for (const text of chunk.split('\n')) {
      if (text.trim() === '') continue;
      const line = JSON.parse(text) as LogLine;
      this.lines.push(line);
      this.emit('line', line);
    }
  }
  waitFor(predicate: (line: LogLine) => boolean, timeoutMs = 10_000): Promise<LogLine> {
    const seen = this.lines.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('line', onLine);
        reject(new Error('timed out waiting for a log line'));
      }, timeoutMs);
      const onLine = (line: LogLine): void => {
        if (!predicate(line)) return;
        clearTimeout(timer);
        this.off('line', onLine);
        resolve(line);
      };
      this.on('line', onLine);
    });
  }
}

const isRunning = async (pid: number): Promise<boolean> => isProcessAlive(pid);

let root: string;
let dataDir: string;
let server: RunningServer | undefined;
let postmasterPid: number | undefined;
const logs = new LogCapture();

beforeAll(async () => {
  // The temp dir itself is the data dir: as root, PostgreSQL runs as the postgres user, which
  // must be able to traverse every parent directory (mkdtemp makes them 0700).
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'veza-runtime-'));
  dataDir = root;
  const config = loadConfig({ VEZA_DATA_DIR: dataDir, VEZA_PORT: '0', VEZA_LOG_LEVEL: 'info' }, root);
  server = await startServer(config, { logger: createLogger('info', logs) });
  postmasterPid = (await readPostmasterPid(clusterPaths(dataDir).clusterDir))?.pid;
});

afterAll(async () => {
  await server?.close();
  // If the test failed before PostgreSQL stopped, stop the one this file started.
  if (postmasterPid !== undefined && (await isRunning(postmasterPid))) {
    process.kill(postmasterPid, 'SIGINT');
    for (let i = 0; i < 200 && (await isRunning(postmasterPid)); i++) await new Promise((r) => setTimeout(r, 50));
  }
  if (root) await fs.rm(root, { recursive: true, force: true });
});

interface Response {
  status: number;
  body: string;
  at: number;
}

describe('startServer', () => {
  it('serves on an embedded PostgreSQL in the data dir', async () => {
    expect(server!.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(postmasterPid).toBeGreaterThan(0);
    expect(await isRunning(postmasterPid!)).toBe(true);
    const ready = await fetch(`${server!.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(logs.lines.find((l) => l.msg === 'veza-server ready')).toMatchObject({ embeddedDb: true });
    // The JWT secret was generated on first start.
    expect((await fs.stat(path.join(dataDir, 'jwt-secret'))).mode & 0o777).toBe(0o600);
  });

  it('connects to its embedded database as a role that is not a superuser', async () => {
    const { port } = (await readPostmasterPid(clusterPaths(dataDir).clusterDir))!;
    const password = (await fs.readFile(clusterPaths(dataDir).passwordFile, 'utf8')).trim();
    const admin = new pg.Client({
      connectionString: `postgres://veza:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ role: string; superuser: boolean }>(
        `SELECT DISTINCT a.usename AS role, r.rolsuper AS superuser
           FROM pg_stat_activity a JOIN pg_roles r ON r.rolname = a.usename
          WHERE a.datname = 'veza' AND a.backend_type = 'client backend'`,
      );
      expect(rows).toEqual([{ role: 'veza_app', superuser: false }]);
    } finally {
      await admin.end();
    }
  });

  it('finishes an in-flight request on close(), then refuses connections and stops PostgreSQL', async () => {
    const { port } = new URL(server!.url);
    const body = JSON.stringify({
      email: 'inflight@example.test',
      username: 'inflight',
      password: 'in-flight-password',
    });
    const cut = 20;

    // A keep-alive client: close() must not wait out its keep-alive timeout once the response is sent.
    const request = http.request({
      host: '127.0.0.1',
      port: Number(port),
      method: 'POST',
      path: '/api/v1/auth/register',
      agent: new http.Agent({ keepAlive: true }),
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    });
    const response = new Promise<Response>((resolve, reject) => {
      request.on('error', reject);
      request.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, at: performance.now() }));
      });
    });

    // Send the headers and part of the body: the request is routed and waits for the rest.
    request.write(body.slice(0, cut));
    await logs.waitFor((l) => l.msg === 'incoming request' && l.req?.url === '/api/v1/auth/register');

    let closedAt: number | undefined;
    const closeCalledAt = performance.now();
    const closing = server!.close().then(() => {
      closedAt = performance.now();
    });
    // close() must wait for the request, which cannot finish before the rest of its body arrives.
    await new Promise((r) => setTimeout(r, 300));
    expect(closedAt).toBeUndefined();
    // Meanwhile a new connection is not accepted.
    await expect(fetch(`${server!.url}/healthz`)).rejects.toMatchObject({
      cause: expect.objectContaining({ code: 'ECONNREFUSED' }),
    });
    request.end(body.slice(cut));

    const result = await response;
    expect(result.status, result.body).toBe(201);
    expect(JSON.parse(result.body) as AuthSession).toMatchObject({ user: { username: 'inflight' } });

    await closing;
    expect(closedAt).toBeGreaterThanOrEqual(result.at);
    expect(closedAt! - closeCalledAt).toBeLessThan(10_000);

    await expect(fetch(`${server!.url}/healthz`)).rejects.toMatchObject({
      cause: expect.objectContaining({ code: 'ECONNREFUSED' }),
    });

    // The last line says the server stopped, once everything has closed.
    expect(logs.lines.at(-1)).toMatchObject({ level: 30, msg: 'veza-server stopped' });
    expect(logs.lines.at(-1)!.uptimeSeconds).toEqual(expect.any(Number));
    expect(logs.lines.filter((l) => l.msg === 'veza-server stopped')).toHaveLength(1);

    // The embedded PostgreSQL is stopped and the data dir released by the time close() resolves.
    expect(await isRunning(postmasterPid!)).toBe(false);
    expect(await readPostmasterPid(clusterPaths(dataDir).clusterDir)).toBeUndefined();
    await expect(fs.stat(path.join(dataDir, 'owner.pid'))).rejects.toMatchObject({ code: 'ENOENT' });

    // A second close() is harmless, and says nothing more.
    await server!.close();
    expect(logs.lines.filter((l) => l.msg === 'veza-server stopped')).toHaveLength(1);
  });
});

describe('startServer on an external DATABASE_URL', () => {
  it('warns at start when it connects as a superuser', async () => {
    const database = await createTestDatabase({ migrated: false });
    const externalDataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'veza-runtime-external-'));
    const capture = new LogCapture();
    try {
      const config = loadConfig(
        {
          DATABASE_URL: database.connectionString,
          VEZA_DATA_DIR: externalDataDir,
          VEZA_PORT: '0',
          VEZA_LOG_LEVEL: 'info',
        },
        externalDataDir,
      );
      const external = await startServer(config, { logger: createLogger('info', capture) });
      await external.close();
      const warning = capture.lines.find((line) => line.msg?.includes('a PostgreSQL superuser'));
      expect(warning).toMatchObject({ level: 40 });
    } finally {
      await database.drop();
      await fs.rm(externalDataDir, { recursive: true, force: true });
    }
  });
});
