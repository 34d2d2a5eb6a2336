import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { buildServer } from '../apps/server/src/test-support/built-cli.js';
import { spawnServer, stopChild, type ServerProcess } from '../apps/server/src/test-support/server-process.js';
import { freePort, readRepoFile, requireTool, runTool } from './tools.js';

/*
 * The reverse-proxy examples of deploy/proxy, run for real: nginx and Caddy on loopback, with TLS,
 * in front of a real server (embedded PostgreSQL), each carrying a WebSocket upgrade, HTTP
 * requests, a body larger than nginx's 1 MB default, and X-Forwarded-For from the address the
 * proxy sees. Only what cannot run here is rewritten in a temporary copy: the ports, the
 * certificate and the included headers file's path (each rewrite must match, so a changed
 * example fails here until this test follows it).
 *
 * Clients connect from distinct loopback addresses (127.0.0.x): the server behind the proxy
 * always sees 127.0.0.1, so only VEZA_TRUST_PROXY=true with the proxy's X-Forwarded-For tells
 * the clients apart.
 */

const AUTH_REQUESTS_PER_MINUTE = 5;

let workdir: string;
let server: ServerProcess;
let serverPort: number;

beforeAll(async () => {
  await buildServer();
  workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'veza-proxy-'));
  // As root the embedded PostgreSQL runs as `postgres`, which must be able to enter the data dir.
  fs.chmodSync(workdir, 0o711);
  const dataDir = path.join(workdir, 'data');
  fs.mkdirSync(dataDir, { mode: 0o711 });
  serverPort = await freePort();
  server = await spawnServer(dataDir, {
    VEZA_PORT: String(serverPort),
    VEZA_TRUST_PROXY: 'true',
    VEZA_AUTH_REQUESTS_PER_MINUTE: String(AUTH_REQUESTS_PER_MINUTE),
  });
});

afterAll(async () => {
  if (server) await stopChild(server.child);
  if (workdir) fs.rmSync(workdir, { recursive: true, force: true });
});

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

interface Target {
  port: number;
  /** TLS server name the proxy answers to. */
  servername: string;
}

/** One HTTPS request through the proxy, from `localAddress`. The proxies' test certificates are self-made. */
async function request(
  target: Target,
  method: string,
  urlPath: string,
  options: { body?: string | Buffer; headers?: Record<string, string>; localAddress?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const outgoing = https.request(
      {
        host: '127.0.0.1',
        port: target.port,
        servername: target.servername,
        localAddress: options.localAddress,
        method,
        path: urlPath,
        rejectUnauthorized: false,
        headers: { host: target.servername, ...options.headers },
      },
      (incoming) => {
        let body = '';
        incoming.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body }));
      },
    );
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}

const json = (value: unknown): { body: string; headers: Record<string, string> } => ({
  body: JSON.stringify(value),
  headers: { 'content-type': 'application/json' },
});

/** Registers a fresh account through the proxy and returns its access token and id. */
async function register(target: Target): Promise<{ token: string; userId: string }> {
  const name = `proxy${randomBytes(4).toString('hex')}`;
  const reply = await request(
    target,
    'POST',
    '/api/v1/auth/register',
    json({ email: `${name}@example.org`, username: name, password: randomBytes(18).toString('base64url') }),
  );
  expect(reply.status, reply.body).toBe(201);
  const session = JSON.parse(reply.body) as { accessToken: string; user: { id: string } };
  return { token: session.accessToken, userId: session.user.id };
}

/** The whole behaviour a proxy must have, checked through `target`. */
function behavesAsAReverseProxy(target: () => Target, clientAddresses: [string, string]): void {
  it('answers HTTP requests from the server', async () => {
    const reply = await request(target(), 'GET', '/readyz');
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toEqual({ status: 'ready' });
  });

  it('upgrades /api/v1/ws to the chat WebSocket, which welcomes a signed-in user', async () => {
    const { token, userId } = await register(target());
    // ws hands servername (TLS SNI) to tls.connect, but its types do not list it.
    const options: WebSocket.ClientOptions & { servername: string } = {
      servername: target().servername,
      headers: { host: target().servername },
      rejectUnauthorized: false,
    };
    const socket = new WebSocket(`wss://127.0.0.1:${target().port}/api/v1/ws`, options);
    try {
      const welcome = await new Promise<{ type: string; userId: string }>((resolve, reject) => {
        socket.once('error', reject);
        socket.once('unexpected-response', (_request, response) =>
          reject(new Error(`upgrade refused: ${response.statusCode}`)),
        );
        socket.once('open', () => socket.send(JSON.stringify({ type: 'hello', protocol: 1, token, cursors: {} })));
        socket.once('message', (data) => resolve(JSON.parse(String(data)) as { type: string; userId: string }));
      });
      expect(welcome.type).toBe('welcome');
      expect(welcome.userId).toBe(userId);
    } finally {
      socket.close();
    }
  });

  it('lets a body larger than 1 MB through to the server instead of refusing it itself', async () => {
    const big = JSON.stringify({ login: 'x'.repeat(2 * 1024 * 1024), password: 'x' });
    const reply = await request(target(), 'POST', '/api/v1/auth/login', {
      body: big,
      headers: { 'content-type': 'application/json' },
    });
    // The server's own coded 413, not the proxy's HTML page nor a 502 from an early close.
    expect(reply.status).toBe(413);
    expect(reply.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(reply.body)).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
  });

  it('sets X-Forwarded-For from the address it sees, whatever the client claims', async () => {
    const [spoofer, bystander] = clientAddresses;
    const failedLogin = (localAddress: string, forwardedFor: string): Promise<Reply> =>
      request(target(), 'POST', '/api/v1/auth/login', {
        ...json({ login: 'nobody-here', password: 'wrong password' }),
        headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
        localAddress,
      });
    // Each attempt claims another address; if the proxy passed that on, none would be limited.
    const statuses: number[] = [];
    for (let attempt = 0; attempt <= AUTH_REQUESTS_PER_MINUTE; attempt++) {
      statuses.push((await failedLogin(spoofer, `198.51.100.${attempt + 1}`)).status);
    }
    expect(statuses.slice(0, AUTH_REQUESTS_PER_MINUTE).every((status) => status === 401)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    // Another client behind the same proxy has its own budget: the server trusts the proxy's header.
    expect((await failedLogin(bystander, '198.51.100.1')).status).toBe(401);
  });
}

/** Resolves once `predicate` holds for the child's stderr, rejects when it exits first. */
async function waitForOutput(child: ChildProcess, predicate: (output: string) => boolean, what: string): Promise<void> {
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} not ready within 30 s:\n${output}`)), 30_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      if (predicate(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code}:\n${output}`));
    });
  });
}

/** Replaces `from` with `to` in `text`, failing when `from` is not there. */
function rewrite(text: string, from: string | RegExp, to: string): string {
  const found = typeof from === 'string' ? text.includes(from) : from.test(text);
  if (!found) throw new Error(`The example no longer contains ${String(from)}: update deploy/proxy.test.ts with it`);
  return typeof from === 'string' ? text.replaceAll(from, to) : text.replace(from, to);
}

describe('nginx (deploy/proxy/nginx.conf)', () => {
  let nginx: ChildProcess | undefined;
  let target: Target;
  let httpPort: number;
  let mainConfig: string;
  let errorLog: string;

  beforeAll(async () => {
    const nginxBin = requireTool('nginx', 'nginx');
    const openssl = requireTool('openssl', 'openssl');
    const dir = path.join(workdir, 'nginx');
    fs.mkdirSync(dir);
    const cert = path.join(dir, 'cert.pem');
    const key = path.join(dir, 'key.pem');
    const made = runTool(openssl, [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=veza.example.org',
      '-keyout', key, '-out', cert,
    ]); // prettier-ignore
    expect(made.status, made.stderr).toBe(0);

    httpPort = await freePort();
    target = { port: await freePort(), servername: 'veza.example.org' };
    const headers = path.join(dir, 'veza-proxy-headers.conf');
    fs.writeFileSync(headers, readRepoFile('deploy/proxy/nginx-proxy-headers.conf'));
    let site = readRepoFile('deploy/proxy/nginx.conf');
    site = rewrite(site, /^ {4}listen \[::\]:80;\n/m, '');
    site = rewrite(site, /^ {4}listen \[::\]:443 ssl http2;\n/m, '');
    site = rewrite(site, 'listen 80;', `listen 127.0.0.1:${httpPort};`);
    site = rewrite(site, 'listen 443 ssl http2;', `listen 127.0.0.1:${target.port} ssl http2;`);
    site = rewrite(site, '/etc/letsencrypt/live/veza.example.org/fullchain.pem', cert);
    site = rewrite(site, '/etc/letsencrypt/live/veza.example.org/privkey.pem', key);
    site = rewrite(site, '/etc/nginx/veza-proxy-headers.conf', headers);
    site = rewrite(site, 'server 127.0.0.1:8080;', `server 127.0.0.1:${serverPort};`);
    fs.writeFileSync(path.join(dir, 'veza.conf'), site);

    // The rest of a normal nginx.conf, everything under the test's directory.
    errorLog = path.join(dir, 'error.log');
    mainConfig = path.join(dir, 'nginx.conf');
    const temp = (name: string): string => path.join(dir, name);
    fs.writeFileSync(
      mainConfig,
      [
        'daemon off;',
        'worker_processes 1;',
        `pid ${temp('nginx.pid')};`,
        `error_log ${errorLog} notice;`,
        'events { worker_connections 64; }',
        'http {',
        '  access_log off;',
        `  client_body_temp_path ${temp('client_body')};`,
        `  proxy_temp_path ${temp('proxy')};`,
        `  fastcgi_temp_path ${temp('fastcgi')};`,
        `  uwsgi_temp_path ${temp('uwsgi')};`,
        `  scgi_temp_path ${temp('scgi')};`,
        `  include ${path.join(dir, 'veza.conf')};`,
        '}',
        '',
      ].join('\n'),
    );
    // Workers run as nobody when nginx starts as root: they must reach the temp directories.
    fs.chmodSync(dir, 0o755);

    const checked = runTool(nginxBin, ['-t', '-c', mainConfig, '-e', errorLog]);
    expect(checked.status, checked.stderr).toBe(0);

    nginx = spawn(nginxBin, ['-c', mainConfig, '-e', errorLog], { stdio: ['ignore', 'pipe', 'pipe'] });
    // nginx says nothing on its console when it is up; its error log at `notice` does.
    const started = new Promise<void>((resolve, reject) => {
      const deadline = Date.now() + 30_000;
      const poll = (): void => {
        const log = fs.existsSync(errorLog) ? fs.readFileSync(errorLog, 'utf8') : '';
        if (/start worker process/.test(log)) resolve();
        else if (nginx?.exitCode !== null || Date.now() > deadline) reject(new Error(`nginx did not start:\n${log}`));
        else setTimeout(poll, 50);
      };
      poll();
    });
    await started;
  });

  afterAll(async () => {
    if (nginx) await stopChild(nginx);
  });

  it('passes nginx -t', () => {
    const checked = runTool(requireTool('nginx', 'nginx'), ['-t', '-c', mainConfig, '-e', errorLog]);
    expect(checked.status, checked.stderr).toBe(0);
    expect(checked.stderr).toMatch(/test is successful/);
  });

  it('redirects plain HTTP to HTTPS', async () => {
    const reply = await new Promise<http.IncomingMessage>((resolve, reject) =>
      http
        .get({ host: '127.0.0.1', port: httpPort, path: '/api/v1/x', headers: { host: 'veza.example.org' } }, resolve)
        .on('error', reject),
    );
    reply.resume();
    expect(reply.statusCode).toBe(301);
    expect(reply.headers.location).toBe('https://veza.example.org/api/v1/x');
  });

  it('streams media without buffering and sends request bodies on as they arrive', () => {
    const site = readRepoFile('deploy/proxy/nginx.conf');
    const media = /location \/media\/ \{([^}]*)\}/.exec(site)?.[1] ?? '';
    expect(media).toMatch(/proxy_buffering off;/);
    expect(site).toMatch(/proxy_request_buffering off;/);
    const uploadMb = Number(/client_max_body_size (\d+)m;/.exec(site)?.[1]);
    expect(uploadMb).toBeGreaterThan(500); // VEZA_UPLOAD_MAX_MB's default
  });

  behavesAsAReverseProxy(() => target, ['127.0.0.2', '127.0.0.3']);
});

describe('Caddy (deploy/proxy/Caddyfile)', () => {
  let caddy: ChildProcess | undefined;
  let target: Target;

  beforeAll(async () => {
    const caddyBin = requireTool('caddy', 'caddy');
    const dir = path.join(workdir, 'caddy');
    fs.mkdirSync(dir);
    target = { port: await freePort(), servername: 'localhost' };
    const httpPort = await freePort();
    let site = readRepoFile('deploy/proxy/Caddyfile');
    site = rewrite(site, /^veza\.example\.org \{$/m, `https://localhost:${target.port} {`);
    site = rewrite(site, 'reverse_proxy 127.0.0.1:8080 {', `reverse_proxy 127.0.0.1:${serverPort} {`);
    // Here: no admin endpoint, certificates from Caddy's own local CA (not installed anywhere),
    // loopback only, and its state in the test's directory.
    const global = [
      '{',
      '\tadmin off',
      '\tlocal_certs',
      '\tskip_install_trust',
      '\tdefault_bind 127.0.0.1',
      `\thttp_port ${httpPort}`,
      `\thttps_port ${target.port}`,
      `\tstorage file_system ${path.join(dir, 'data')}`,
      '}',
      '',
    ].join('\n');
    const config = path.join(dir, 'Caddyfile');
    fs.writeFileSync(config, global + site);
    const env = { ...process.env, HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir };
    caddy = spawn(caddyBin, ['run', '--config', config, '--adapter', 'caddyfile'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await waitForOutput(caddy, (output) => output.includes('serving initial configuration'), 'caddy');
  });

  afterAll(async () => {
    if (caddy) await stopChild(caddy);
  });

  it('passes caddy validate as shipped', () => {
    const dir = path.join(workdir, 'caddy-validate');
    fs.mkdirSync(dir);
    const env = { ...process.env, HOME: dir, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir };
    const checked = runTool(
      requireTool('caddy', 'caddy'),
      ['validate', '--config', 'deploy/proxy/Caddyfile', '--adapter', 'caddyfile'],
      { cwd: path.resolve(import.meta.dirname, '..'), env },
    );
    expect(checked.status, checked.stderr).toBe(0);
    expect(checked.stdout + checked.stderr).toMatch(/Valid configuration/);
  });

  it('streams responses at once and accepts uploads above VEZA_UPLOAD_MAX_MB’s default', () => {
    const site = readRepoFile('deploy/proxy/Caddyfile');
    expect(site).toMatch(/flush_interval -1/);
    expect(Number(/max_size (\d+)MB/.exec(site)?.[1])).toBeGreaterThan(500);
  });

  behavesAsAReverseProxy(() => target, ['127.0.0.4', '127.0.0.5']);
});
