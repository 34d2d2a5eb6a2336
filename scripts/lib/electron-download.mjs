// Fetching the Electron binary for `npm start`, and remembering when that fails: on a machine
// without internet, every start would otherwise wait for the same failure before opening the app
// in the browser. Plain Node (no build step): scripts/veza.mjs imports it on a fresh clone.
import { spawn } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';

/** How long a failed download keeps the next starts from trying again. */
export const RETRY_AFTER_MS = 24 * 60 * 60 * 1000;
export const INSTALL_TIMEOUT_MS = 180_000;
const PROBE_TIMEOUT_MS = 5_000;
const DEFAULT_MIRROR = 'https://github.com/electron/electron/releases/download/';

/** Error codes that mean the download server could not be reached at all. */
const UNREACHABLE = {
  ENOTFOUND: 'no DNS answer',
  EAI_AGAIN: 'no DNS answer',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'no answer',
  ENETUNREACH: 'network unreachable',
  EHOSTUNREACH: 'host unreachable',
};

/** The server Electron's installer (@electron/get) downloads from, with the same precedence. */
export function downloadServer(env = process.env) {
  const mirror =
    env.npm_config_electron_mirror ||
    env.NPM_CONFIG_ELECTRON_MIRROR ||
    env.npm_package_config_electron_mirror ||
    env.ELECTRON_MIRROR ||
    DEFAULT_MIRROR;
  try {
    const url = new URL(mirror);
    const port = Number(url.port) || (url.protocol === 'http:' ? 80 : 443);
    return { host: url.hostname, port, label: url.port ? `${url.hostname}:${url.port}` : url.hostname };
  } catch {
    return null;
  }
}

const unreachable = (server, what) => `no internet connection: ${server.label} could not be reached (${what})`;

/**
 * Why the installer failed, in words. Its output names the network error when the HTTP client
 * reports one; undici only says "fetch failed", so then the download server is probed to tell a
 * missing connection from a failure on the server's side.
 */
export async function explainInstallerFailure(output, server) {
  const named = Object.keys(UNREACHABLE).find((code) => output.includes(code));
  if (named && server) return unreachable(server, UNREACHABLE[named]);
  if (server) {
    const problem = await probe(server);
    if (problem) return unreachable(server, problem);
  }
  const firstError = output
    .split('\n')
    .map((line) => line.trim())
    .find((line) => /error|failed/i.test(line) && !line.startsWith('at '));
  return firstError?.slice(0, 200) ?? 'the installer failed without saying why';
}

/** Resolves the host and opens a TCP connection to it: the reason it cannot, or null. */
async function probe({ host, port }) {
  try {
    await lookup(host);
  } catch (error) {
    return UNREACHABLE[error.code] ?? 'no DNS answer';
  }
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: PROBE_TIMEOUT_MS });
    socket.once('connect', () => {
      socket.destroy();
      resolve(null);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(`no answer within ${PROBE_TIMEOUT_MS / 1000} s`);
    });
    socket.once('error', (error) => resolve(UNREACHABLE[error.code] ?? error.message));
  });
}

/**
 * The Electron executable when it is on disk, else null. Read from path.txt: the package's own
 * `require('electron')` starts a download with no time limit when the binary is missing.
 */
export function electronBinary(packageDir) {
  try {
    const relative = readFileSync(path.join(packageDir, 'path.txt'), 'utf8').trim();
    const binary = path.join(packageDir, 'dist', relative);
    return relative && existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

/**
 * The Electron binary of `packageDir`, downloaded with Electron's installer when it is missing,
 * unless the same version failed to download less than a day ago (remembered in `failureFile`).
 * Resolves with the binary, or with the words that say why the browser opens instead.
 */
export async function ensureElectron({
  packageDir,
  failureFile,
  env = process.env,
  now = Date.now,
  say = () => {},
  timeoutMs = INSTALL_TIMEOUT_MS,
}) {
  const existing = electronBinary(packageDir);
  if (existing) return { binary: existing, fallback: null };
  const electronVersion = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')).version;
  const file = path.relative(process.cwd(), failureFile);
  const decision = shouldTryDownload({ file: failureFile, electronVersion, env, now: now() });
  if (!decision.tryNow) {
    const { failure, retryAt } = decision;
    return { binary: null, fallback: explainFallback({ ...failure, retryAt, file, now: now() }) };
  }
  say('The Electron binary is missing: downloading it with Electron’s installer');
  const reason =
    (await installElectron(packageDir, { env, timeoutMs })) ??
    (electronBinary(packageDir) ? null : 'the installer finished but no binary is on disk');
  if (reason === null) {
    forgetFailure(failureFile);
    return { binary: electronBinary(packageDir), fallback: null };
  }
  const failedAt = now();
  recordFailure(failureFile, { reason, electronVersion }, failedAt);
  return {
    binary: null,
    fallback: explainFallback({ reason, failedAt, retryAt: failedAt + RETRY_AFTER_MS, file, now: failedAt }),
  };
}

/**
 * Runs Electron's own installer (the package's install.js), bounded in time. Resolves with null
 * when the binary is in place, else with the reason in words.
 */
export async function installElectron(packageDir, { env = process.env, timeoutMs = INSTALL_TIMEOUT_MS } = {}) {
  const server = downloadServer(env);
  const child = spawn(process.execPath, [path.join(packageDir, 'install.js')], {
    cwd: packageDir,
    env: { ...env, ELECTRON_SKIP_BINARY_DOWNLOAD: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk) => (output += chunk));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  const status = await new Promise((resolve) => {
    child.once('error', (error) => {
      output += `${error.message}\n`;
      resolve(null);
    });
    child.once('close', (code) => resolve(code));
  });
  clearTimeout(timer);
  if (timedOut) {
    const where = server ? server.label : 'the download server';
    return `no internet connection: ${where} did not answer within ${timeoutMs / 1000} s`;
  }
  if (status !== 0) return explainInstallerFailure(output, server);
  return null;
}

/** The remembered failure, or null when there is none (or the file is unreadable: then retry). */
export function readFailure(file) {
  try {
    const failure = JSON.parse(readFileSync(file, 'utf8'));
    const failedAt = Date.parse(failure.failedAt);
    if (Number.isNaN(failedAt) || typeof failure.reason !== 'string') return null;
    return { failedAt, reason: failure.reason, electronVersion: String(failure.electronVersion ?? '') };
  } catch {
    return null;
  }
}

export function recordFailure(file, { reason, electronVersion }, now = Date.now()) {
  mkdirSync(path.dirname(file), { recursive: true });
  const failure = { failedAt: new Date(now).toISOString(), reason, electronVersion };
  writeFileSync(file, `${JSON.stringify(failure, null, 2)}\n`);
}

export function forgetFailure(file) {
  if (existsSync(file)) rmSync(file);
}

/**
 * Whether this start should try the download: yes unless the same Electron version failed less
 * than a day ago. VEZA_ELECTRON_RETRY=1 (or deleting the file) forces a new attempt.
 */
export function shouldTryDownload({ file, electronVersion, env = process.env, now = Date.now() }) {
  if (env.VEZA_ELECTRON_RETRY === '1') return { tryNow: true };
  const failure = readFailure(file);
  if (!failure || failure.electronVersion !== electronVersion) return { tryNow: true };
  const retryAt = failure.failedAt + RETRY_AFTER_MS;
  if (now >= retryAt || now < failure.failedAt) return { tryNow: true };
  return { tryNow: false, failure, retryAt };
}

/** The words a person reads when the download failed now or is skipped after an earlier failure. */
export function explainFallback({ reason, failedAt, retryAt, file, now = Date.now() }) {
  const when = failedAt === undefined || now - failedAt < 60_000 ? '' : ` ${formatAgo(now - failedAt)} ago`;
  return (
    `Electron could not be downloaded${when}: ${reason}.\n` +
    `  The next starts do not try again before ${new Date(retryAt).toLocaleString()}; ` +
    `VEZA_ELECTRON_RETRY=1 npm start (or deleting ${file}) tries now.\n` +
    '  Opening the desktop app in your browser instead.'
  );
}

function formatAgo(ms) {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.round(minutes / 60);
  return hours === 1 ? '1 hour' : `${hours} hours`;
}
