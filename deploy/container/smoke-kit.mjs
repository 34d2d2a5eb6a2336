/**
 * What the deployment smoke scripts share: commands run to their end under one deadline, timed
 * steps, and cleanups that run whatever happens (an error, the deadline, SIGINT or SIGTERM).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../scripts/lib/process.mjs';

export { freePort };

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The flags podman needs on these machines (DESIGN.md: crun fails, default ulimits are too high). */
export const PODMAN_FLAGS = ['--runtime', 'runc', '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=4096:4096'];
/** How long a veza container may take to pass its image's HEALTHCHECK (migrations on a fresh volume included). */
const HEALTHY_WITHIN_MS = 180_000;

const deadline = new AbortController();
const timings = [];
const cleanups = [];

/** The signal every command and request of the script stops on. */
export const stopSignal = deadline.signal;

/**
 * Runs a command to its end and returns its output; throws with the output's tail when it fails.
 * It is killed when the script's deadline passes or the script is interrupted.
 */
export async function run(command, args, { input, allowFailure = false, env, cwd = ROOT } = {}) {
  deadline.signal.throwIfAborted();
  const child = spawn(command, args, { cwd, env, signal: deadline.signal, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
  child.stdin.on('error', () => {});
  child.stdin.end(input);
  const status = await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve(code ?? signal));
  });
  if (status !== 0 && !allowFailure) {
    const tail = `${stdout}${stderr}`.trimEnd().split('\n').slice(-60).join('\n');
    throw new Error(`${command} ${args.join(' ')} exited with ${status}\n${tail}`);
  }
  return { status, stdout, stderr };
}

/**
 * The Dockerfile's base image, made by build-local-base.sh when missing (and then removed at the
 * end; one that was there before is kept). Returns its name.
 */
export async function ensureBaseImage() {
  const version = /^ARG NODE_VERSION=(\S+)$/m.exec(fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'))?.[1];
  if (!version) throw new Error('The Dockerfile has no ARG NODE_VERSION line');
  const image = `docker.io/library/node:${version}-bookworm-slim`;
  const existed = (await run('podman', ['image', 'exists', image], { allowFailure: true })).status === 0;
  if (!existed) onCleanup('podman', ['rmi', '--force', image]);
  const made = await run('bash', ['deploy/container/build-local-base.sh']);
  if (made.stdout.trim().split('\n').at(-1) !== image) throw new Error(`build-local-base.sh made ${made.stdout}`);
  return image;
}

/** Registers a synchronous cleanup (a command or a function), run in reverse order at the end. */
export function onCleanup(commandOrFunction, args = []) {
  cleanups.push(
    typeof commandOrFunction === 'function'
      ? commandOrFunction
      : () => spawnSync(commandOrFunction, args, { stdio: 'ignore', timeout: 60_000 }),
  );
}

/** Runs `work`, printing its name first and keeping its duration for the summary. */
export async function step(name, work) {
  const started = Date.now();
  process.stdout.write(`▸ ${name}\n`);
  const result = await work();
  timings.push([name, (Date.now() - started) / 1000]);
  return result;
}

/** Polls the image's own HEALTHCHECK (`podman healthcheck run`) until it passes; the container's logs when it does not. */
export async function waitHealthy(container) {
  const deadline = Date.now() + HEALTHY_WITHIN_MS;
  while (Date.now() < deadline) {
    if ((await run('podman', ['healthcheck', 'run', container], { allowFailure: true })).status === 0) return;
    await sleep(1000);
  }
  const logs = await run('podman', ['logs', container], { allowFailure: true });
  throw new Error(`${container} was not healthy within ${HEALTHY_WITHIN_MS / 1000} s\n${logs.stdout}${logs.stderr}`);
}

/** Takes the password `veza-server user create` printed and signs in with it over HTTP as the admin it made. */
export async function signIn(port, createOutput, login) {
  const password = /^Password: (\S+)$/m.exec(createOutput)?.[1];
  if (!password) throw new Error(`veza-server user create printed no password:\n${createOutput}`);
  const response = await fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login, password }),
  });
  const body = await response.json();
  if (response.status !== 200 || typeof body.accessToken !== 'string' || body.user?.role !== 'admin') {
    throw new Error(`Sign-in as ${login} answered ${response.status}: ${JSON.stringify(body)}`);
  }
}

/**
 * Runs `main` within `deadlineMinutes`, then every cleanup (unless it failed and the command
 * line has --keep-on-failure, which prints `kept` instead), then the timings; sets the exit code.
 */
export async function smokeTest(title, deadlineMinutes, main, { kept = '' } = {}) {
  const started = Date.now();
  const giveUp = setTimeout(
    () => deadline.abort(new Error(`gave up after ${deadlineMinutes} minutes`)),
    deadlineMinutes * 60_000,
  );
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => deadline.abort(new Error(`stopped by ${signal}`)));
  }
  let failed = false;
  try {
    await main();
  } catch (error) {
    failed = true;
    const reason = deadline.signal.aborted ? deadline.signal.reason : error;
    process.stderr.write(`✖ ${reason instanceof Error ? reason.message : String(reason)}\n`);
  } finally {
    clearTimeout(giveUp);
    if (failed && process.argv.includes('--keep-on-failure')) process.stdout.write(`  kept for a look: ${kept}\n`);
    else for (const cleanup of cleanups.reverse()) cleanup();
  }
  for (const [name, seconds] of timings) process.stdout.write(`  ${seconds.toFixed(1).padStart(7)} s  ${name}\n`);
  const total = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(`${failed ? `✖ ${title} failed` : `✔ ${title} passed`} in ${total} s\n`);
  process.exitCode = failed ? 1 : 0;
}
