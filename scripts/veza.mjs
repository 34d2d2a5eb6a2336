#!/usr/bin/env node
// The one entry point behind `npm start` / `npm test` (and the pnpm scripts): it needs only Node,
// so it runs on a fresh clone. It finds or fetches pnpm 10, installs, builds, then runs the job.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PNPM_VERSION = '10.34.9';
const WINDOWS = process.platform === 'win32';

const [major] = process.versions.node.split('.').map(Number);
if (major < 20) fail(`Veza needs Node.js 20 or newer (this is ${process.version}).`);

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

const pnpm = resolvePnpm();
const runPnpm = (args, options) => run(pnpm.command, [...pnpm.prefix, ...args], options);
const must = (status, what) => {
  if (status !== 0) fail(`${what} failed (exit ${status}).`);
};

function setup() {
  step('Installing dependencies (pnpm install)');
  // Electron's own download never runs at install time; the desktop start fetches it on demand.
  const env = { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' };
  must(runPnpm(['install', '--frozen-lockfile'], { env }), 'pnpm install');
  step('Building (tsc -b)');
  must(runPnpm(['run', '--silent', 'build']), 'The build');
}

/** Runs a long-lived child and passes termination signals on, so its shutdown stays graceful. */
function runForeground(command, args, env = process.env) {
  const child = spawn(command, args, { cwd: ROOT, stdio: 'inherit', env });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

const SERVER_CLI = path.join(ROOT, 'apps', 'server', 'dist', 'cli.js');

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
const extra = process.argv.slice(3);

switch (job) {
  case 'start':
    setup();
    step('Starting the Veza server with demo content (Ctrl-C stops it)');
    runForeground(process.execPath, [SERVER_CLI, 'serve', '--demo', ...extra]);
    break;
  case 'server':
    setup();
    runForeground(process.execPath, [SERVER_CLI, 'serve', ...extra]);
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
    fail(`Unknown job "${job ?? ''}". Use: start | server | test | bench`);
}
