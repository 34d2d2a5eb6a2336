#!/usr/bin/env node
/**
 * Container smoke test: the Docker and Docker Compose commands of docs/operations.md, run with
 * podman, against the real Dockerfile and deploy/compose/server.yml.
 *
 * 1. Makes the Dockerfile's base image locally when it is missing (build-local-base.sh: no image
 *    registry is reachable here).
 * 2. Runs every `docker …` line of the "Docker" section as `podman …` with the flags this machine
 *    needs (runc, lowered ulimits, --pull=never, --format docker so HEALTHCHECK is kept) and the
 *    published port moved to a free loopback port: build, run, then waits for the image's own
 *    health check, creates an admin with `veza-server user create` inside the container, signs in
 *    over HTTP with the printed password, and stops the container, which must exit with code 0.
 * 3. Does the same with the first block of the "Docker Compose" section through podman-compose
 *    (`docker compose` → `podman-compose`): up --build, health, user create, sign-in, down.
 *
 * Containers and volumes it makes are removed at the end, whatever happens; it refuses to start
 * when one of those names already exists. Prints the time of each step. Exit code 0 on success.
 * Needs root, podman, runc, podman-compose and debootstrap (Debian packages of those names).
 *
 * Usage: node deploy/container/smoke.mjs
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { shBlocks } from './documented-commands.mjs';
import { PODMAN_FLAGS, ROOT, freePort, signIn, waitHealthy } from './smoke-kit.mjs';

const DOCS = path.join(ROOT, 'docs/operations.md');
const PODMAN_BUILD_FLAGS = [...PODMAN_FLAGS, '--pull=never', '--format', 'docker'];
const COMPOSE_PROJECT = 'veza-smoke';

const timings = [];
const cleanups = [];

/** Splits a documented command line into words; quotes are not needed by these commands and refused. */
function words(line) {
  if (/["'`$\\|;&<>]/.test(line)) throw new Error(`Not a plain command line: ${line}`);
  return line.split(/\s+/);
}

function run(command, args, { capture = false, env = process.env, allowFailure = false } = {}) {
  const result = spawnSync(command, args, {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    stdio: capture ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw new Error(`${command} could not run: ${result.error.message}`);
  if (result.status !== 0 && !allowFailure) {
    const output = capture ? `\n${result.stdout}${result.stderr}` : '';
    throw new Error(`${command} ${args.join(' ')} exited with ${result.status}${output}`);
  }
  return result;
}

async function step(name, work) {
  const started = Date.now();
  process.stdout.write(`▸ ${name}\n`);
  const result = await work();
  timings.push([name, (Date.now() - started) / 1000]);
  return result;
}

function assertAbsent(kind, name) {
  const exists = run('podman', [kind, 'exists', name], { capture: true, allowFailure: true }).status === 0;
  if (exists)
    throw new Error(`A ${kind} named ${name} already exists; remove it (podman ${kind} rm ${name}) and run again.`);
}

/** `docker X …` of the docs as `podman X …` with this machine's flags and the port on `port`. */
function asPodman(line, port) {
  const [docker, subcommand, ...rest] = words(line);
  if (docker !== 'docker') throw new Error(`Expected a docker command: ${line}`);
  const args = rest.map((word, index) =>
    rest[index - 1] === '-p' && word.endsWith(':8080') ? `127.0.0.1:${port}:8080` : word,
  );
  if (subcommand === 'build') return [subcommand, ...PODMAN_BUILD_FLAGS, ...args];
  if (subcommand === 'run') return [subcommand, ...PODMAN_FLAGS, ...args];
  return [subcommand, ...args];
}

async function dockerSection(markdown) {
  const commands = shBlocks(markdown, 'Docker').flat();
  const find = (prefix) => {
    const found = commands.filter((line) => line.startsWith(prefix));
    if (found.length !== 1)
      throw new Error(`Expected one "${prefix}…" line in the Docker section, found ${found.length}`);
    return found[0];
  };
  const runLine = find('docker run ');
  const container = /--name (\S+)/.exec(runLine)?.[1];
  const volume = /-v ([^:\s]+):\/data/.exec(runLine)?.[1];
  if (!container || !volume)
    throw new Error(`The documented docker run has no --name or -v <volume>:/data: ${runLine}`);
  assertAbsent('container', container);
  assertAbsent('volume', volume);
  cleanups.push(() => run('podman', ['volume', 'rm', '--force', volume], { capture: true, allowFailure: true }));
  cleanups.push(() => run('podman', ['rm', '--force', '--volumes', container], { capture: true, allowFailure: true }));

  const port = await freePort();
  await step('docker build (podman)', () => run('podman', asPodman(find('docker build '), port)));
  await step('docker run (podman) until healthy', async () => {
    run('podman', asPodman(runLine, port), { capture: true });
    await waitHealthy(container);
  });
  const createLine = find('docker exec ');
  const login = /--username (\S+)/.exec(createLine)?.[1] ?? '';
  await step('veza-server user create, then sign in', async () => {
    const created = run('podman', asPodman(createLine, port), { capture: true });
    await signIn(port, created.stdout, login);
  });
  await step('docker stop (podman)', () => {
    run('podman', asPodman(find('docker stop '), port), { capture: true });
    const exitCode = run('podman', ['inspect', '--format', '{{.State.ExitCode}}', container], { capture: true });
    if (exitCode.stdout.trim() !== '0') {
      const logs = run('podman', ['logs', container], { capture: true, allowFailure: true });
      throw new Error(
        `The container exited with ${exitCode.stdout.trim()} after SIGTERM\n${logs.stdout}${logs.stderr}`,
      );
    }
  });
}

async function composeSection(markdown) {
  const [commands] = shBlocks(markdown, 'Docker Compose');
  const composeArgs = (line) => {
    const [docker, compose, ...rest] = words(line);
    if (docker !== 'docker' || compose !== 'compose') throw new Error(`Expected a docker compose command: ${line}`);
    return [
      '--project-name',
      COMPOSE_PROJECT,
      '--podman-build-args',
      PODMAN_BUILD_FLAGS.join(' '),
      '--podman-run-args',
      PODMAN_FLAGS.join(' '),
      ...rest,
    ];
  };
  const find = (verb) => {
    const found = commands.filter((line) => line.split(/\s+/).includes(verb));
    if (found.length !== 1) throw new Error(`Expected one "docker compose … ${verb}" line, found ${found.length}`);
    return found[0];
  };
  const container = `${COMPOSE_PROJECT}_veza_1`;
  const volume = `${COMPOSE_PROJECT}_veza-data`;
  assertAbsent('container', container);
  assertAbsent('volume', volume);
  // podman-compose makes the project's network and its `down` leaves it.
  cleanups.push(() =>
    run('podman', ['network', 'rm', '--force', `${COMPOSE_PROJECT}_default`], { capture: true, allowFailure: true }),
  );
  cleanups.push(() => run('podman', ['volume', 'rm', '--force', volume], { capture: true, allowFailure: true }));
  cleanups.push(() => run('podman', ['rm', '--force', '--volumes', container], { capture: true, allowFailure: true }));
  cleanups.push(() =>
    run('podman', ['pod', 'rm', '--force', `pod_${COMPOSE_PROJECT}`], { capture: true, allowFailure: true }),
  );

  const port = await freePort();
  const env = { ...process.env, VEZA_HTTP_PORT: String(port) };
  await step('docker compose up (podman-compose) until healthy', async () => {
    run('podman-compose', composeArgs(find('up')), { capture: true, env });
    await waitHealthy(container);
  });
  const createLine = find('exec');
  const login = /--username (\S+)/.exec(createLine)?.[1] ?? '';
  await step('compose exec veza-server user create, then sign in', async () => {
    // podman-compose's exec needs -T when there is no terminal; docker compose does the same on its own.
    const args = composeArgs(createLine);
    args.splice(args.indexOf('exec') + 1, 0, '-T');
    const created = run('podman-compose', args, { capture: true, env });
    await signIn(port, created.stdout, login);
  });
  await step('docker compose down (podman-compose)', () => {
    run('podman-compose', composeArgs(find('down')), { capture: true, env });
    const left = run('podman', ['container', 'exists', container], { capture: true, allowFailure: true });
    if (left.status === 0) throw new Error(`${container} is still there after down`);
  });
}

async function main() {
  for (const tool of ['podman', 'podman-compose', 'debootstrap']) {
    if (run('sh', ['-c', `command -v ${tool}`], { capture: true, allowFailure: true }).status !== 0) {
      throw new Error(`${tool} is missing: apt-get install podman runc podman-compose debootstrap`);
    }
  }
  const markdown = fs.readFileSync(DOCS, 'utf8');
  await step('base image (build-local-base.sh)', () => run('bash', ['deploy/container/build-local-base.sh']));
  await dockerSection(markdown);
  await composeSection(markdown);
}

const started = Date.now();
let failed = false;
try {
  await main();
} catch (error) {
  failed = true;
  process.stderr.write(`✖ ${error instanceof Error ? error.message : String(error)}\n`);
} finally {
  for (const cleanup of cleanups.reverse()) cleanup();
}
for (const [name, seconds] of timings) process.stdout.write(`  ${seconds.toFixed(1).padStart(7)} s  ${name}\n`);
process.stdout.write(
  `${failed ? '✖ container smoke test failed' : '✔ container smoke test passed'} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
);
process.exitCode = failed ? 1 : 0;
