#!/usr/bin/env node
/**
 * The closest check of deploy/compose/postgres-nats.yml that can run here. The documented
 * `docker compose -f deploy/compose/postgres-nats.yml up -d --build` cannot: no image registry is
 * reachable, so the postgres and nats images cannot be pulled, and images of those names built
 * from Debian's packages would not be the official ones (the postgres image's entrypoint is what
 * reads POSTGRES_PASSWORD_FILE and runs the init scripts). What runs instead, each part taken
 * from the compose file or the guide rather than restated here:
 *
 * - The guide's commands that make the secrets, as written, in a temporary directory.
 * - As the postgres service: a new cluster of the machine's PostgreSQL, initialised as the image
 *   does on its first start (superuser `postgres`, password from the postgres_password secret,
 *   passwords required over TCP as from another container), then every script of
 *   deploy/compose/postgres-init executed the way the image's entrypoint executes them: as the
 *   postgres user, POSTGRES_USER set, the service's secrets at /run/secrets (a private mount
 *   namespace). It listens on 127.0.0.x:5432, the port the database_url secret names.
 * - As the nats service: the machine's NATS with JetStream on 127.0.0.1:4222.
 * - The veza service: the image Compose builds (the Dockerfile of its build context), run with the
 *   service's environment, its secrets as read-only bind mounts at /run/secrets (what Compose does
 *   with file secrets), its volume, health check and stop grace period. Its network is the host's,
 *   with `postgres` and `nats` resolving to the two above, where Compose would give it its own.
 * - The guide's `docker compose … exec veza veza-server user create …` as `podman exec`, a sign-in
 *   with the printed password, then: the server's database sessions are the role `veza`, which is
 *   not a superuser; it connected to NATS at nats:4222; `podman stop` ends it with exit code 0.
 *
 * Everything it makes (container, volume, image, cluster, files) is removed at the end. Needs
 * root, podman, runc, debootstrap, Debian's postgresql (initdb, pg_ctl, psql) and NATS on 4222.
 *
 * Usage: node deploy/container/postgres-nats-smoke.mjs [--keep-on-failure]
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { shBlocks } from './documented-commands.mjs';
import {
  PODMAN_FLAGS,
  ROOT,
  ensureBaseImage,
  freePort,
  onCleanup,
  run,
  signIn,
  smokeTest,
  step,
  waitHealthy,
} from './smoke-kit.mjs';

const DEADLINE_MINUTES = 20;
const COMPOSE_FILE = 'deploy/compose/postgres-nats.yml';
const NAME = 'veza-postgres-nats-smoke';
const IMAGE = `localhost/${NAME}`;
const VOLUME = `${NAME}_veza-data`;
const NATS = { host: '127.0.0.1', port: 4222 };

/** The keys of the veza service this script knows how to honour; another key must be handled here first. */
const VEZA_KEYS = [
  'build',
  'image',
  'restart',
  'depends_on',
  'ports',
  'environment',
  'secrets',
  'volumes',
  'stop_grace_period',
  'healthcheck',
];

/**
 * Runs the rest of its arguments with a fresh /run holding only the files of the directory given
 * first, at /run/secrets: a service's view of its Compose secrets, invisible to the rest of the
 * machine.
 */
const WITH_SECRETS = `set -eu
mount -t tmpfs -o mode=0755 compose-run /run
mkdir /run/secrets
cp -p "$0"/* /run/secrets/
exec "$@"`;

function requireTools(postgresBin) {
  if (process.getuid?.() !== 0) throw new Error('Run as root: it mounts the secrets in a private namespace');
  for (const tool of ['podman', 'runc', 'debootstrap', 'unshare', 'setpriv', 'psql']) {
    const found = spawnSync('sh', ['-c', `command -v ${tool} || test -x /usr/sbin/${tool}`], { stdio: 'ignore' });
    if (found.status !== 0) {
      throw new Error(`${tool} is missing: apt-get install podman runc debootstrap util-linux postgresql`);
    }
  }
  if (!postgresBin) throw new Error('No PostgreSQL server in /usr/lib/postgresql: apt-get install postgresql');
}

/** The newest PostgreSQL server of the machine (Debian keeps each major in /usr/lib/postgresql/<n>/bin). */
function machinePostgres() {
  const base = '/usr/lib/postgresql';
  const majors = fs.existsSync(base) ? fs.readdirSync(base).filter((name) => /^\d+$/.test(name)) : [];
  const newest = majors.map(Number).sort((a, b) => b - a)[0];
  return newest === undefined ? undefined : path.join(base, String(newest), 'bin');
}

async function reachable(host, port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(1000);
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

/** A loopback address whose port `port` is free (the machine's own PostgreSQL may hold 127.0.0.1:5432). */
async function freeLoopbackAddress(port) {
  const first = 2 + Math.floor(Math.random() * 200);
  for (let offset = 0; offset < 50; offset++) {
    const host = `127.0.0.${first + offset}`;
    const free = await new Promise((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(port, host, () => server.close(() => resolve(true)));
    });
    if (free) return host;
  }
  throw new Error(`No loopback address with port ${port} free`);
}

/** `${NAME:-default}` of a compose value, with the defaults the file gives (no .env, no shell overrides). */
function interpolate(value) {
  return String(value).replace(/\$\{(\w+)(?::-([^}]*))?\}/g, (whole, name, fallback) => {
    if (fallback === undefined) throw new Error(`${COMPOSE_FILE}: ${whole} has no default to check with`);
    return fallback;
  });
}

/** A copy of the secret files a service lists, as the directory WITH_SECRETS puts at /run/secrets. */
function serviceSecrets(compose, service, composeDir, workdir) {
  const dir = path.join(workdir, 'run-secrets', service);
  fs.mkdirSync(dir, { recursive: true });
  for (const name of compose.services[service].secrets ?? []) {
    const file = compose.secrets?.[name]?.file;
    if (!file) throw new Error(`${COMPOSE_FILE}: the secret ${name} has no file`);
    fs.copyFileSync(path.join(composeDir, file), path.join(dir, name));
    fs.chmodSync(path.join(dir, name), fs.statSync(path.join(composeDir, file)).mode & 0o777);
  }
  return dir;
}

/** The guide's commands that make deploy/compose/secrets, run as written in `workdir`. */
async function makeSecrets(block, workdir) {
  const making = block.filter((line) => !line.startsWith('docker compose '));
  fs.mkdirSync(path.join(workdir, 'deploy/compose'), { recursive: true });
  await run('bash', ['-euo', 'pipefail', '-c', making.join('\n')], { cwd: workdir });
}

/** The postgres service's first start, with the machine's PostgreSQL; returns how to reach it as its superuser. */
async function startPostgres(compose, { bin, workdir, composeDir, secretsRoot, host }) {
  const service = compose.services.postgres;
  if (service.environment?.POSTGRES_PASSWORD_FILE !== '/run/secrets/postgres_password') {
    throw new Error(`${COMPOSE_FILE}: the postgres service no longer reads /run/secrets/postgres_password`);
  }
  const initDir = service.volumes
    ?.map((volume) => /^(\.\/[^:]+):\/docker-entrypoint-initdb\.d(:ro)?$/.exec(volume)?.[1])
    .find(Boolean);
  if (!initDir) throw new Error(`${COMPOSE_FILE}: the postgres service mounts no /docker-entrypoint-initdb.d`);
  const secrets = serviceSecrets(compose, 'postgres', secretsRoot, workdir);
  const asPostgres = ['setpriv', '--reuid=postgres', '--regid=postgres', '--init-groups', '--'];
  const withSecrets = ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', WITH_SECRETS, secrets];

  const data = path.join(workdir, 'postgres');
  fs.mkdirSync(data, { mode: 0o700 });
  await run('chown', ['postgres:postgres', data]);
  // As the image's initdb, except that TCP needs a password even from this machine: the veza
  // container reaches the image's server from another address, where the image asks for one.
  await run(withSecrets[0], [
    ...withSecrets.slice(1),
    ...asPostgres,
    path.join(bin, 'initdb'),
    '--pgdata',
    data,
    '--username=postgres',
    '--pwfile=/run/secrets/postgres_password',
    '--auth-local=trust',
    '--auth-host=scram-sha-256',
  ]);
  fs.appendFileSync(path.join(data, 'pg_hba.conf'), '\nhost all all all scram-sha-256\n');
  onCleanup('setpriv', [
    ...asPostgres.slice(1, -1),
    path.join(bin, 'pg_ctl'),
    '--pgdata',
    data,
    '-m',
    'fast',
    '-w',
    'stop',
  ]);
  await run(asPostgres[0], [
    ...asPostgres.slice(1),
    path.join(bin, 'pg_ctl'),
    '--pgdata',
    data,
    '-w',
    '-t',
    '60',
    '-l',
    path.join(data, 'server.log'),
    '-o',
    `-c listen_addresses=${host} -p 5432 -k ${data}`,
    'start',
  ]);

  // The entrypoint executes the executable *.sh files in name order (this check handles only those).
  const scripts = fs.readdirSync(path.join(composeDir, initDir)).sort();
  const initCopy = path.join(workdir, 'docker-entrypoint-initdb.d');
  fs.cpSync(path.join(composeDir, initDir), initCopy, { recursive: true });
  for (const script of scripts) {
    const file = path.join(initCopy, script);
    if (!script.endsWith('.sh') || (fs.statSync(file).mode & 0o111) === 0) {
      throw new Error(`${initDir}/${script}: only executable .sh init scripts are checked here; extend this script`);
    }
    await run(withSecrets[0], [
      ...withSecrets.slice(1),
      ...asPostgres,
      'env',
      'POSTGRES_USER=postgres',
      'POSTGRES_DB=postgres',
      `PGHOST=${data}`,
      'PGPORT=5432',
      file,
    ]);
  }
  return { socketDir: data };
}

/** `podman run` for the veza service: what Compose would run, with the host's network standing in for Compose's. */
function vezaRunArgs(compose, { secretsBase, postgresHost, port }) {
  const veza = compose.services.veza;
  const unknown = Object.keys(veza).filter((key) => !VEZA_KEYS.includes(key));
  if (unknown.length > 0)
    throw new Error(`${COMPOSE_FILE}: the veza service has ${unknown.join(', ')}; handle it here`);
  const grace = /^(\d+)s$/.exec(veza.stop_grace_period ?? '')?.[1];
  if (!grace) throw new Error(`${COMPOSE_FILE}: stop_grace_period is not in seconds`);
  const args = ['run', '--detach', '--name', NAME, ...PODMAN_FLAGS, '--stop-timeout', grace];
  args.push('--network', 'host', '--add-host', `postgres:${postgresHost}`, '--add-host', `nats:${NATS.host}`);
  for (const [key, value] of Object.entries(veza.environment ?? {})) args.push('--env', `${key}=${interpolate(value)}`);
  // Compose's network would let it listen on 0.0.0.0:8080 of its own; on the host's, a free loopback port.
  args.push('--env', 'VEZA_HOST=127.0.0.1', '--env', `VEZA_PORT=${port}`);
  for (const name of veza.secrets ?? []) {
    const file = path.join(secretsBase, compose.secrets[name].file);
    args.push('--volume', `${file}:/run/secrets/${name}:ro`);
  }
  for (const volume of veza.volumes ?? []) {
    const [source, target] = volume.split(':');
    if (!compose.volumes || !(source in compose.volumes))
      throw new Error(`${COMPOSE_FILE}: ${volume} is no named volume`);
    args.push('--volume', `${NAME}_${source}:${target}`);
  }
  const [kind, ...test] = veza.healthcheck?.test ?? [];
  if (kind !== 'CMD') throw new Error(`${COMPOSE_FILE}: the veza health check is not a CMD list`);
  args.push('--health-cmd', JSON.stringify(test), '--health-interval', veza.healthcheck.interval ?? '30s');
  args.push(
    '--health-timeout',
    veza.healthcheck.timeout ?? '30s',
    '--health-retries',
    String(veza.healthcheck.retries ?? 3),
  );
  args.push('--health-start-period', veza.healthcheck.start_period ?? '0s');
  args.push(IMAGE);
  return args;
}

/** The roles of the server's sessions on the veza database, and whether the role `veza` is a superuser. */
async function databaseSessions(socketDir) {
  const psql = (sql) =>
    run('psql', ['--no-psqlrc', '-At', '-h', socketDir, '-p', '5432', '-U', 'postgres', '-d', 'veza', '-c', sql]);
  const roles = await psql(
    "SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = 'veza' AND backend_type = 'client backend' AND pid <> pg_backend_pid()",
  );
  const superuser = await psql("SELECT rolsuper FROM pg_roles WHERE rolname = 'veza'");
  return { roles: roles.stdout.trim().split('\n').filter(Boolean), superuser: superuser.stdout.trim() };
}

async function main() {
  const bin = machinePostgres();
  requireTools(bin);
  if (!(await reachable(NATS.host, NATS.port))) throw new Error(`No NATS on ${NATS.host}:${NATS.port} (CI starts one)`);
  const compose = parse(fs.readFileSync(path.join(ROOT, COMPOSE_FILE), 'utf8'));
  const block = shBlocks(fs.readFileSync(path.join(ROOT, 'docs/operations.md'), 'utf8'), 'Docker Compose').find(
    (lines) => lines.some((line) => line.startsWith(`docker compose -f ${COMPOSE_FILE} up`)),
  );
  const execLine = block?.find((line) => line.startsWith(`docker compose -f ${COMPOSE_FILE} exec veza `));
  if (!block || !execLine)
    throw new Error(`The Docker Compose section has no block that runs ${COMPOSE_FILE} up and exec`);
  if (/["'`$\\|;&<>]/.test(execLine)) throw new Error(`Not a plain command line: ${execLine}`);
  const createArgs = execLine.split(/\s+/).slice(`docker compose -f ${COMPOSE_FILE} exec veza`.split(' ').length);
  const login = /--username (\S+)/.exec(execLine)?.[1];
  if (!login) throw new Error(`The documented exec line names no --username: ${execLine}`);

  for (const [kind, name] of [
    ['container', NAME],
    ['volume', VOLUME],
  ]) {
    if ((await run('podman', [kind, 'exists', name], { allowFailure: true })).status === 0) {
      throw new Error(`A ${kind} named ${name} exists: podman ${kind} rm --force ${name}, then run again`);
    }
  }
  const workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'veza-postgres-nats-'));
  fs.chmodSync(workdir, 0o755); // the postgres user works in it
  onCleanup(() => fs.rmSync(workdir, { recursive: true, force: true }));
  const composeDir = path.join(ROOT, path.dirname(COMPOSE_FILE));
  // The secrets the guide makes, beside a copy of the compose file's directory as the reader has it.
  const secretsRoot = path.join(workdir, path.dirname(COMPOSE_FILE));
  await step('the documented commands that make the secrets', () => makeSecrets(block, workdir));

  const postgresHost = await freeLoopbackAddress(5432);
  const { socketDir } = await step(
    `postgres service: the machine's PostgreSQL on ${postgresHost}:5432, init scripts`,
    () => startPostgres(compose, { bin, workdir, composeDir, secretsRoot, host: postgresHost }),
  );

  await step('base image (build-local-base.sh)', ensureBaseImage);
  onCleanup('podman', ['rmi', '--force', IMAGE]);
  const context = path.resolve(composeDir, compose.services.veza.build.context);
  await step('veza image (podman build of the build context)', () =>
    run('podman', ['build', ...PODMAN_FLAGS, '--pull=never', '--format', 'docker', '--tag', IMAGE, context]),
  );

  const port = await freePort();
  onCleanup('podman', ['volume', 'rm', '--force', VOLUME]);
  onCleanup('podman', ['rm', '--force', '--volumes', NAME]);
  await step('veza service (podman run) until healthy', async () => {
    await run('podman', vezaRunArgs(compose, { secretsBase: secretsRoot, postgresHost, port }));
    await waitHealthy(NAME);
  });
  await step('$ …exec veza veza-server user create (podman exec), then sign in', async () => {
    const created = await run('podman', ['exec', NAME, ...createArgs]);
    await signIn(port, created.stdout, login);
  });
  await step('on the postgres service as veza (not a superuser), on NATS at nats:4222', async () => {
    const logs = await run('podman', ['logs', NAME]);
    const entries = `${logs.stdout}${logs.stderr}`
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line));
    const ready = entries.find((entry) => entry.msg === 'veza-server ready');
    if (ready?.embeddedDb !== false) {
      throw new Error(
        'The server started its own embedded PostgreSQL instead of using DATABASE_URL_FILE (it does not read that file)',
      );
    }
    const { roles, superuser } = await databaseSessions(socketDir);
    if (roles.join(',') !== 'veza' || superuser !== 'f') {
      throw new Error(`The server's sessions are ${roles.join(', ') || 'none'}; veza superuser: ${superuser}`);
    }
    const nats = entries.find((entry) => entry.msg === 'NATS connected');
    if (nats?.server !== `nats:${NATS.port}`) {
      throw new Error(`The server did not connect to nats:${NATS.port}: ${JSON.stringify(nats)}`);
    }
  });
  await step('podman stop: exit code 0', async () => {
    await run('podman', ['stop', NAME]);
    const exit = (await run('podman', ['inspect', '--format', '{{.State.ExitCode}}', NAME])).stdout.trim();
    if (exit !== '0') throw new Error(`The veza container exited with ${exit} after SIGTERM`);
  });
}

await smokeTest('postgres-nats compose check', DEADLINE_MINUTES, main, {
  kept: `podman logs ${NAME}; the cluster and files stay in ${os.tmpdir()}/veza-postgres-nats-*`,
});
