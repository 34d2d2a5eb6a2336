#!/usr/bin/env node
// The one entry point behind `npm start` / `npm test` (and the pnpm scripts): it needs only Node,
// so it runs on a fresh clone. It finds or fetches pnpm 10, installs, builds, then runs the job.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { ensureElectron } from './lib/electron-download.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PNPM_VERSION = '10.34.9';
const WINDOWS = process.platform === 'win32';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) fail(`Veza needs Node.js 20.19 or newer (this is ${process.version}).`);

function fail(message) {
  process.stderr.write(`\n✖ ${message}\n`);
  process.exit(1);
}

function step(message) {
  process.stderr.write(`\n▸ ${message}\n`);
}

/** pnpm 10 from PATH when present, else the pinned version through npx (no global install). */
function resolvePnpm() {
  const probe = spawnSync(WINDOWS ? 'pnpm.cmd' : 'pnpm', ['--version'], { encoding: 'utf8', shell: WINDOWS });
  if (probe.status === 0 && probe.stdout.trim().startsWith('10.')) return { command: 'pnpm', prefix: [] };
  return { command: 'npx', prefix: ['--yes', `pnpm@${PNPM_VERSION}`] };
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', shell: WINDOWS, ...options });
  if (result.error) fail(`${command} could not run: ${result.error.message}`);
  return result.status ?? 1;
}

let pnpm;
const runPnpm = (args, options) => {
  pnpm ??= resolvePnpm();
  return run(pnpm.command, [...pnpm.prefix, ...args], options);
};
const must = (status, what) => {
  if (status !== 0) fail(`${what} failed (exit ${status}).`);
};

function install(options) {
  step('Installing dependencies (pnpm install)');
  // Electron's own download never runs at install time; the desktop start fetches it on demand.
  const env = { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' };
  must(runPnpm(['install', '--frozen-lockfile'], { env, ...options }), 'pnpm install');
}

function setup() {
  install();
  step('Building (tsc -b)');
  must(runPnpm(['run', '--silent', 'build']), 'The build');
}

const SERVER_CLI = path.join(ROOT, 'apps', 'server', 'dist', 'cli.js');

/** True when node_modules holds an install at least as new as the lockfile. */
function installedFromLockfile() {
  try {
    return (
      statSync(path.join(ROOT, 'node_modules', '.modules.yaml')).mtimeMs >=
      statSync(path.join(ROOT, 'pnpm-lock.yaml')).mtimeMs
    );
  } catch {
    return false;
  }
}

/**
 * The server alone needs neither the desktop build nor a fresh install on every run: install when
 * node_modules is missing or older than the lockfile, then `tsc -b` (a fraction of a second when
 * the build is up to date). Everything goes to stderr, so the CLI's own output stays alone on stdout.
 */
function setupServer() {
  const toStderr = { stdio: ['inherit', 2, 'inherit'] };
  if (!installedFromLockfile()) install(toStderr);
  if (!existsSync(SERVER_CLI)) step('Building the server (tsc -b)');
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  must(run(process.execPath, [tsc, '-b', 'tsconfig.build.json'], toStderr), 'The server build');
}

/**
 * Runs the server in its own process group and passes it the first termination signal only.
 * Ctrl-C reaches npm and this script at once (and npm forwards it again): a second signal would
 * make the server skip its clean shutdown and leave the embedded PostgreSQL running.
 */
function runVezaServer(args) {
  const child = spawn(process.execPath, [SERVER_CLI, ...args], { cwd: ROOT, stdio: 'inherit', detached: !WINDOWS });
  let forwarded = false;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      if (forwarded) return;
      forwarded = true;
      child.kill(signal === 'SIGHUP' ? 'SIGTERM' : signal);
    });
  }
  child.on('error', (error) => fail(`The Veza server could not start: ${error.message}`));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

/** True when `command` (or the file an env variable names) runs and exits 0 for `args`. */
function runs(command, args) {
  const result = spawnSync(command, args, { stdio: 'ignore', shell: WINDOWS });
  return !result.error && result.status === 0;
}

const SYSTEM_CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/**
 * The media tests run the real ffmpeg, and the browser tests a real Chromium. ffmpeg must come
 * from the system (say so, clearly, before anything runs); without a system Chromium, Playwright
 * downloads its own, as it would on any developer machine.
 */
function checkTestPrerequisites() {
  const ffmpeg = process.env.VEZA_FFMPEG ?? 'ffmpeg';
  const ffprobe = process.env.VEZA_FFPROBE ?? 'ffprobe';
  if (!runs(ffmpeg, ['-version']) || !runs(ffprobe, ['-version'])) {
    fail(
      'The tests need ffmpeg and ffprobe. Install them (Debian/Ubuntu: sudo apt install ffmpeg; ' +
        'macOS: brew install ffmpeg; Windows: winget install ffmpeg) or set VEZA_FFMPEG and VEZA_FFPROBE.',
    );
  }
  const chromium = process.env.VEZA_CHROMIUM ?? SYSTEM_CHROMIUM.find((candidate) => existsSync(candidate));
  if (!chromium) {
    step("No system Chromium: installing Playwright's (playwright-core install chromium)");
    must(runPnpm(['exec', 'playwright-core', 'install', 'chromium']), 'Installing Chromium for the browser tests');
  }
}
const job = process.argv[2];
// `pnpm veza-server -- user create …` passes the `--` on (npm drops it).
const extra = process.argv[3] === '--' ? process.argv.slice(4) : process.argv.slice(3);

// ---------------------------------------------------------------------------------------------
// The desktop app: Electron when its binary is (or can be made) available, else the browser host.

const DESKTOP = path.join(ROOT, 'apps', 'desktop');
const HOST_BUNDLE = path.join(DESKTOP, 'dist', 'host', 'host.mjs');
const WEB_PORT = process.env.VEZA_WEB_PORT ?? '5174';
/** Where a failed Electron download is remembered, so the next starts do not wait for it again. */
const ELECTRON_FAILURE_FILE = path.join(ROOT, 'data', 'electron-download.json');
const SQLITE_REBUILD_TIMEOUT_MS = 600_000;

function buildDesktop() {
  // The root build may build the desktop already; building twice would only cost time.
  const rootScripts = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts ?? {};
  if (String(rootScripts.build ?? '').includes('@veza/desktop')) return;
  step('Building the desktop app (pnpm --filter @veza/desktop build)');
  must(runPnpm(['--filter', '@veza/desktop', 'run', '--silent', 'build']), 'The desktop build');
}

/** The electron package of apps/desktop, or null when it is not installed at all. */
function electronPackageDir() {
  try {
    return path.dirname(createRequire(path.join(DESKTOP, 'package.json')).resolve('electron/package.json'));
  } catch {
    return null;
  }
}

/**
 * better-sqlite3 is compiled for Node (tests, the browser host); Electron needs a build for its
 * own ABI. Unless VEZA_SQLITE_BINDING already names one, `npx @electron/rebuild -w better-sqlite3`
 * builds it, the result is kept under data/electron/ and the Node build is put back, so the tests
 * and the browser host keep working. Core loads the Electron copy through VEZA_SQLITE_BINDING.
 */
function electronSqliteBinding(packageDir) {
  if (process.env.VEZA_SQLITE_BINDING) return process.env.VEZA_SQLITE_BINDING;
  const version = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')).version;
  const kept = path.join(
    ROOT,
    'data',
    'electron',
    `better_sqlite3-electron-${version}-${process.platform}-${process.arch}.node`,
  );
  if (existsSync(kept)) return kept;
  let nodeBuild;
  try {
    const sqliteDir = path.dirname(
      createRequire(path.join(DESKTOP, 'package.json')).resolve('better-sqlite3/package.json'),
    );
    nodeBuild = path.join(sqliteDir, 'build', 'Release', 'better_sqlite3.node');
  } catch {
    return null;
  }
  step('Building better-sqlite3 for Electron (npx @electron/rebuild -w better-sqlite3; once)');
  const backup = `${nodeBuild}.node-build`;
  copyFileSync(nodeBuild, backup);
  const result = spawnSync('npx', ['--yes', '@electron/rebuild', '-f', '-w', 'better-sqlite3', '-v', version], {
    cwd: DESKTOP,
    stdio: 'inherit',
    shell: WINDOWS,
    timeout: SQLITE_REBUILD_TIMEOUT_MS,
  });
  try {
    if (result.status === 0) {
      mkdirSync(path.dirname(kept), { recursive: true });
      copyFileSync(nodeBuild, kept);
    }
  } finally {
    renameSync(backup, nodeBuild);
  }
  if (result.status !== 0) {
    process.stderr.write('  better-sqlite3 could not be rebuilt for Electron; the app may not open its cache.\n');
    return null;
  }
  return kept;
}

/** Opens a URL in the user's browser when the platform has a way to; never fails. */
function openInBrowser(url) {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : WINDOWS
        ? ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]];
  try {
    const opener = spawn(command, args, { stdio: 'ignore', detached: true });
    opener.on('error', () => undefined);
    opener.unref();
  } catch {
    // No opener on this machine: the URL is printed anyway.
  }
}

/** Children this command started, stopped by PID on Ctrl-C or when one of them ends. */
const running = new Set();
let stopping = false;

function startChild(label, command, args, options = {}) {
  // Own process group: Ctrl-C reaches only this script, which stops each child once, gracefully
  // (a second signal would make the server skip its clean shutdown).
  const child = spawn(command, args, { cwd: ROOT, detached: !WINDOWS, ...options });
  running.add(child);
  child.on('exit', (code, signal) => {
    running.delete(child);
    if (!stopping) {
      process.stderr.write(`\n▸ ${label} stopped (${signal ?? `exit ${code}`}); stopping the rest\n`);
      void stopAll(code ?? (signal ? 1 : 0));
    }
  });
  child.on('error', (error) => {
    running.delete(child);
    if (!stopping) fail(`${label} could not start: ${error.message}`);
  });
  return child;
}

async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  for (const child of running) child.kill('SIGTERM');
  const deadline = Date.now() + 15_000;
  while (running.size > 0 && Date.now() < deadline) await sleep(100);
  for (const child of running) child.kill('SIGKILL');
  process.exit(code);
}

async function waitForServer(url, server) {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) fail('The Veza server stopped during start-up.');
    try {
      if ((await fetch(`${url}/readyz`)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  fail(`The Veza server did not answer on ${url} within 2 minutes.`);
}

/** Starts dist/host/host.mjs and resolves with the URL it prints. */
function startBrowserHost(serverUrl) {
  const dataDir = path.join(ROOT, 'data', 'desktop-web');
  const host = startChild(
    'The browser host',
    process.execPath,
    [HOST_BUNDLE, '--port', WEB_PORT, '--data-dir', dataDir, '--server-url', serverUrl],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve) => {
    let text = '';
    host.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      text += chunk;
      const match = /Open (http:\/\/\S+) in your browser/.exec(text);
      if (match) resolve(match[1]);
    });
  });
}

async function startServerAndDesktop({ browserOnly }) {
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => void stopAll(0));
  const serverUrl = process.env.VEZA_PUBLIC_URL ?? `http://127.0.0.1:${process.env.VEZA_PORT ?? 8080}`;
  step(`Starting the Veza server with demo content on ${serverUrl} (Ctrl-C stops everything)`);
  const server = startChild('The Veza server', process.execPath, [SERVER_CLI, 'serve', '--demo', ...extra], {
    stdio: 'inherit',
  });
  await waitForServer(serverUrl, server);

  if (!browserOnly) {
    const packageDir = electronPackageDir();
    const { binary, fallback } = packageDir
      ? await ensureElectron({ packageDir, failureFile: ELECTRON_FAILURE_FILE, say: step })
      : {
          binary: null,
          fallback: 'The electron package is not installed; opening the desktop app in your browser instead',
        };
    if (binary) {
      const binding = electronSqliteBinding(packageDir);
      step('Starting the Veza desktop app (Electron)');
      startChild('The desktop app', binary, [DESKTOP], {
        stdio: 'inherit',
        env: { ...process.env, VEZA_SERVER_URL: serverUrl, ...(binding ? { VEZA_SQLITE_BINDING: binding } : {}) },
      });
      return;
    }
    step(fallback);
  } else {
    step('Starting the desktop app in browser mode (the browser host)');
  }
  if (!existsSync(HOST_BUNDLE))
    fail(`${path.relative(ROOT, HOST_BUNDLE)} is missing: the desktop build did not produce it.`);
  const url = await startBrowserHost(serverUrl);
  if (!browserOnly) openInBrowser(url);
}

switch (job) {
  case 'start':
    setup();
    buildDesktop();
    await startServerAndDesktop({ browserOnly: false });
    break;
  case 'dev:web':
    setup();
    buildDesktop();
    await startServerAndDesktop({ browserOnly: true });
    break;
  case 'serve':
    setupServer();
    runVezaServer(['serve', ...extra]);
    break;
  case 'veza-server':
    setupServer();
    runVezaServer(extra);
    break;
  case 'test': {
    setup();
    checkTestPrerequisites();
    step('Typechecking');
    must(runPnpm(['run', '--silent', 'typecheck']), 'Typechecking');
    step('Linting');
    must(runPnpm(['run', '--silent', 'lint']), 'Linting');
    step(
      process.env.DATABASE_URL
        ? 'Running the tests against DATABASE_URL'
        : 'Running the tests (against an embedded PostgreSQL)',
    );
    must(runPnpm(['exec', 'vitest', 'run', ...extra]), 'The tests');
    break;
  }
  case 'bench':
    setup();
    if (!existsSync(SERVER_CLI)) fail('The server build is missing.');
    must(run(process.execPath, [path.join(ROOT, 'scripts', 'bench', 'run.mjs'), ...extra]), 'The benchmarks');
    break;
  default:
    fail(`Unknown job "${job ?? ''}". Use: start | dev:web | serve | veza-server | test | bench`);
}
