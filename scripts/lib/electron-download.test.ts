import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RETRY_AFTER_MS, ensureElectron, readFailure, recordFailure, shouldTryDownload } from './electron-download.mjs';

/*
 * The real Electron installer (the package's install.js with @electron/get) runs against mirrors
 * on loopback: a closed port, a name that cannot resolve, a server that answers 404 and one that
 * never answers. It runs from a copy of the package without its binary, so the test behaves the
 * same where Electron is installed, and never writes into node_modules.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const HOUR = 60 * 60 * 1000;
const T0 = Date.parse('2026-12-07T12:00:00Z');

let work: string;
let packageDir: string;
let electronVersion: string;
const servers: Server[] = [];
const sockets = new Set<Socket>();

/** The electron package's installer and metadata, with its two dependencies linked beside it. */
async function copyElectronInstaller(target: string): Promise<void> {
  const desktopRequire = createRequire(path.join(ROOT, 'apps', 'desktop', 'package.json'));
  const source = path.dirname(desktopRequire.resolve('electron/package.json'));
  await fs.mkdir(target, { recursive: true });
  for (const file of ['install.js', 'package.json', 'checksums.json']) {
    await fs.copyFile(path.join(source, file), path.join(target, file));
  }
  for (const dependency of ['@electron/get', '@electron-internal/extract-zip']) {
    const resolved = findPackage(source, dependency);
    const link = path.join(target, 'node_modules', dependency);
    await fs.mkdir(path.dirname(link), { recursive: true });
    await fs.symlink(resolved, link, 'dir');
  }
}

/** Where Node would find `name` from `from` (its exports hide package.json from require.resolve). */
function findPackage(from: string, name: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`${name} is not installed next to ${from}`);
  }
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function listen(server: Server): Promise<number> {
  servers.push(server);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** The environment of a start that downloads from `mirror` into an empty cache. */
function envWithMirror(mirror: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/electron/i.test(key) && key !== 'VEZA_ELECTRON_RETRY'),
  );
  return {
    ...inherited,
    ELECTRON_MIRROR: mirror,
    electron_config_cache: path.join(work, 'cache'),
    // @electron/get downloads into a temp dir, which a killed installer leaves behind.
    TMPDIR: path.join(work, 'tmp'),
    ...extra,
  };
}

async function failureFileIn(name: string): Promise<string> {
  const dir = path.join(work, name, 'data');
  await fs.mkdir(dir, { recursive: true });
  return path.join(dir, 'electron-download.json');
}

beforeAll(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'veza-electron-download-'));
  packageDir = path.join(work, 'electron');
  await copyElectronInstaller(packageDir);
  await fs.mkdir(path.join(work, 'tmp'));
  electronVersion = JSON.parse(await fs.readFile(path.join(packageDir, 'package.json'), 'utf8')).version;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  if (work) await fs.rm(work, { recursive: true, force: true });
});

describe('the Electron download of npm start', () => {
  it('says "no internet connection" when the download server refuses, and remembers it for a day', async () => {
    const port = await closedPort();
    const failureFile = await failureFileIn('refused');
    const env = envWithMirror(`http://127.0.0.1:${port}/`);
    const said: string[] = [];

    const first = await ensureElectron({ packageDir, failureFile, env, now: () => T0, say: (m) => said.push(m) });

    expect(first.binary).toBeNull();
    const reason = `no internet connection: 127.0.0.1:${port} could not be reached (connection refused)`;
    expect(first.fallback).toContain(`Electron could not be downloaded: ${reason}.`);
    expect(first.fallback).toContain('VEZA_ELECTRON_RETRY=1 npm start');
    expect(first.fallback).toContain(path.relative(process.cwd(), failureFile));
    expect(first.fallback).toContain('Opening the desktop app in your browser instead.');
    expect(said).toEqual(['The Electron binary is missing: downloading it with Electron’s installer']);
    expect(readFailure(failureFile)).toEqual({ failedAt: T0, reason, electronVersion });

    // 23 hours later: the installer does not run, and the message says when it failed and why.
    said.length = 0;
    const later = await ensureElectron({
      packageDir,
      failureFile,
      env,
      now: () => T0 + 23 * HOUR,
      say: (m) => said.push(m),
    });
    expect(said).toEqual([]);
    expect(later.fallback).toContain(`Electron could not be downloaded 23 hours ago: ${reason}.`);

    // A day later it tries again, and the new failure restarts the day.
    const nextDay = await ensureElectron({
      packageDir,
      failureFile,
      env,
      now: () => T0 + RETRY_AFTER_MS,
      say: (m) => said.push(m),
    });
    expect(said).toHaveLength(1);
    expect(nextDay.fallback).toContain(reason);
    expect(readFailure(failureFile)?.failedAt).toBe(T0 + RETRY_AFTER_MS);
  });

  it('tries at once with VEZA_ELECTRON_RETRY=1, or when the file is deleted', async () => {
    const port = await closedPort();
    const failureFile = await failureFileIn('forced');
    recordFailure(failureFile, { reason: 'an earlier failure', electronVersion }, T0);
    const said: string[] = [];
    const say = (m: string): number => said.push(m);
    const env = envWithMirror(`http://127.0.0.1:${port}/`);

    await ensureElectron({ packageDir, failureFile, env, now: () => T0 + HOUR, say });
    expect(said).toEqual([]);

    const forced = envWithMirror(`http://127.0.0.1:${port}/`, { VEZA_ELECTRON_RETRY: '1' });
    await ensureElectron({ packageDir, failureFile, env: forced, now: () => T0 + HOUR, say });
    expect(said).toHaveLength(1);
    expect(readFailure(failureFile)?.reason).toContain('connection refused');

    await fs.rm(failureFile);
    await ensureElectron({ packageDir, failureFile, env, now: () => T0 + 2 * HOUR, say });
    expect(said).toHaveLength(2);
  });

  it('tries again when the Electron version changed since the failure', () => {
    const failureFile = path.join(work, 'version', 'electron-download.json');
    recordFailure(failureFile, { reason: 'an earlier failure', electronVersion: '1.0.0' }, T0);
    expect(shouldTryDownload({ file: failureFile, electronVersion, env: {}, now: T0 + HOUR })).toEqual({
      tryNow: true,
    });
    recordFailure(failureFile, { reason: 'an earlier failure', electronVersion }, T0);
    expect(shouldTryDownload({ file: failureFile, electronVersion, env: {}, now: T0 + HOUR }).tryNow).toBe(false);
  });

  it('says "no internet connection" when the download server has no DNS answer', async () => {
    const failureFile = await failureFileIn('dns');
    // .invalid never resolves (RFC 6761), with or without a network.
    const env = envWithMirror('http://veza-electron-mirror.invalid/');
    const result = await ensureElectron({ packageDir, failureFile, env, now: () => T0 });
    expect(result.fallback).toContain(
      'Electron could not be downloaded: no internet connection: veza-electron-mirror.invalid could not be reached (no DNS answer).',
    );
  });

  it("gives the installer's first error line when the server answers but the download fails", async () => {
    const requests: string[] = [];
    const port = await listen(
      createServer((request, response) => {
        requests.push(request.url ?? '');
        response.writeHead(404).end();
      }),
    );
    const failureFile = await failureFileIn('not-found');
    const result = await ensureElectron({
      packageDir,
      failureFile,
      env: envWithMirror(`http://127.0.0.1:${port}/`),
      now: () => T0,
    });
    expect(requests).toEqual([
      `/v${electronVersion}/electron-v${electronVersion}-${process.platform}-${process.arch}.zip`,
    ]);
    expect(result.fallback).toMatch(
      /Electron could not be downloaded: HTTPError: Response code 404 \(Not Found\) for http:/,
    );
    expect(existsSync(failureFile)).toBe(true);
  });

  it('stops an installer that gets no answer and says so', async () => {
    let connected!: () => void;
    const accepted = new Promise<void>((resolve) => (connected = resolve));
    const server = createServer(() => connected());
    const port = await listen(server);
    const failureFile = await failureFileIn('silent');
    const result = await ensureElectron({
      packageDir,
      failureFile,
      env: { ...envWithMirror(`http://127.0.0.1:${port}/`) },
      now: () => T0,
      timeoutMs: 2_000,
    });
    await accepted;
    expect(result.fallback).toContain(`no internet connection: 127.0.0.1:${port} did not answer within 2 s`);
  });
});
