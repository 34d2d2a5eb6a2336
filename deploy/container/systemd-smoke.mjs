#!/usr/bin/env node
/**
 * systemd and reverse-proxy smoke test: the "systemd" and "Reverse proxy" sections of
 * docs/operations.md, run line by line as written, as root on a Debian machine that boots systemd
 * (a podman container with systemd as PID 1).
 *
 * 1. Builds the machine (systemd-machine.Containerfile: Debian's systemd, nginx, Caddy, ffmpeg,
 *    git) on the Dockerfile's locally made base, boots it, and clones the committed HEAD of this
 *    repository into /root/veza (mode 0700, as on a fresh machine).
 * 2. Runs every command line of the systemd section's sh block in /root/veza with bash, in order
 *    (the build, the user, the files, the first admin, the unit). Then: the unit is enabled and
 *    active, and the server runs as `veza` inside its sandbox (read-only root).
 * 3. nginx: makes a self-signed certificate where deploy/proxy/nginx.conf expects certbot's (the
 *    guide's certbot step needs a public name and Let's Encrypt), runs the nginx block, then from
 *    outside the machine: on port 80 a certbot challenge file is served and the rest redirected;
 *    through TLS, /readyz, the admin's sign-in with the printed password, and a chat WebSocket
 *    that gets its welcome.
 * 4. Caddy: switches the machine from nginx to Caddy, puts a self-signed certificate in Caddy's
 *    storage where its ACME client would have saved one (no ACME server is reachable here), runs
 *    the Caddy block with the unchanged Caddyfile, and the same three checks through Caddy.
 * 5. `systemctl stop veza`: the server exits with status 0 within the unit's stop timeout and
 *    leaves no process for systemd to kill.
 *
 * The container gets CAP_SYS_ADMIN: without it systemd cannot make the mount namespaces of the
 * unit's sandbox (ProtectSystem=strict, PrivateTmp, PrivateDevices…) and silently starts the
 * service without them, which would test less than a real machine runs.
 *
 * Everything it makes (container, machine image, the base image when it made it, temporary
 * files) is removed at the end, whatever happens; it gives up after DEADLINE_MINUTES. Prints the
 * time of each step. Exit code 0 on success. Needs root, podman, runc, debootstrap and git, and
 * the npm registry and Debian's mirror from inside the container.
 *
 * Usage: node deploy/container/systemd-smoke.mjs [--keep-on-failure]
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { shBlocks } from './documented-commands.mjs';
import {
  PODMAN_FLAGS,
  ROOT,
  ensureBaseImage,
  freePort,
  onCleanup,
  run,
  smokeTest,
  step,
  stopSignal,
} from './smoke-kit.mjs';

const DEADLINE_MINUTES = 30;
const NAME = 'veza-systemd-smoke';
const IMAGE = `localhost/${NAME}`;
const CHECKOUT = '/root/veza';
/** How long the server may take to answer /readyz after `systemctl enable --now` (the unit's TimeoutStartSec). */
const READY_WITHIN_MS = 120_000;

/** A command as root in the machine: a login shell's user, in the checkout unless told otherwise. */
const inMachine = (line, { cwd = CHECKOUT, input, allowFailure } = {}) =>
  run(
    'podman',
    ['exec', ...(input === undefined ? [] : ['-i']), '-w', cwd, NAME, 'bash', '-euo', 'pipefail', '-c', line],
    { input, allowFailure },
  );

function requireTools() {
  if (process.getuid?.() !== 0) throw new Error('Run as root: podman runs a container that boots systemd');
  for (const tool of ['podman', 'runc', 'debootstrap', 'git']) {
    const found = spawnSync('sh', ['-c', `command -v ${tool} || test -x /usr/sbin/${tool}`], { stdio: 'ignore' });
    if (found.status !== 0) throw new Error(`${tool} is missing: apt-get install podman runc debootstrap git`);
  }
}

/** Boots the machine with systemd as PID 1 and waits until systemd says it is up. */
async function bootMachine(ports) {
  onCleanup('podman', ['rm', '--force', '--time', '10', NAME]);
  await run('podman', [
    'run',
    '--detach',
    '--name',
    NAME,
    ...PODMAN_FLAGS,
    '--systemd=always',
    '--cap-add',
    'SYS_ADMIN',
    '--publish',
    `127.0.0.1:${ports.https}:443`,
    '--publish',
    `127.0.0.1:${ports.http}:80`,
    IMAGE,
    '/sbin/init',
  ]);
  const bootedBy = Date.now() + 60_000;
  while (Date.now() < bootedBy) {
    const state = await run('podman', ['exec', NAME, 'systemctl', 'is-system-running', '--wait'], {
      allowFailure: true,
    });
    const answer = state.stdout.trim();
    if (answer === 'running') return;
    if (answer === 'degraded') {
      const failed = await run('podman', ['exec', NAME, 'systemctl', '--failed', '--no-pager'], { allowFailure: true });
      throw new Error(`The machine booted with failed units:\n${failed.stdout}`);
    }
    await sleep(250);
  }
  throw new Error('systemd in the machine did not finish booting within 60 s');
}

/** A fresh clone of the committed HEAD in /root/veza, which only root can enter. */
async function cloneRepository(workdir) {
  const head = (await run('git', ['rev-parse', 'HEAD'])).stdout.trim();
  const dirty = (await run('git', ['status', '--porcelain', '--untracked-files=no'])).stdout.trim();
  if (dirty !== '') process.stdout.write(`  (uncommitted changes are not tested: the clone is of HEAD ${head})\n`);
  const bundle = path.join(workdir, 'veza.bundle');
  await run('git', ['bundle', 'create', bundle, 'HEAD']);
  await inMachine('cat > /root/veza.bundle', { cwd: '/root', input: fs.readFileSync(bundle) });
  await inMachine(`git clone --quiet /root/veza.bundle ${CHECKOUT} && rm /root/veza.bundle`, { cwd: '/root' });
  const mode = (await inMachine('stat -c %a /root')).stdout.trim();
  if (mode !== '700') throw new Error(`/root is ${mode} in the machine, not 700 as on Debian`);
  return head;
}

/** Runs each documented line in order; returns the output of the one matching `keep`. */
async function runDocumented(lines, keep) {
  let kept = '';
  for (const line of lines) {
    const result = await step(`$ ${line.length > 110 ? `${line.slice(0, 107)}...` : line}`, () => inMachine(line));
    if (keep?.test(line)) kept = result.stdout;
  }
  return kept;
}

async function checkService() {
  const enabled = (await inMachine('systemctl is-enabled veza', { allowFailure: true })).stdout.trim();
  const active = (await inMachine('systemctl is-active veza', { allowFailure: true })).stdout.trim();
  if (enabled !== 'enabled' || active !== 'active') {
    const status = await inMachine('systemctl status veza --no-pager; journalctl -u veza --no-pager | tail -40', {
      allowFailure: true,
    });
    throw new Error(`veza.service is ${enabled} and ${active}\n${status.stdout}`);
  }
  // The sandbox is in force: the server runs as veza with a read-only file system around it.
  const pid = (await inMachine('systemctl show --property MainPID --value veza')).stdout.trim();
  const user = (await inMachine(`stat -c %U /proc/${pid}`)).stdout.trim();
  const root = (await inMachine(`awk '$5 == "/" { print $6 }' /proc/${pid}/mountinfo`)).stdout.trim();
  if (user !== 'veza') throw new Error(`The server runs as ${user}, not veza`);
  if (!root.split(',').includes('ro'))
    throw new Error(`The server's / is mounted ${root}: ProtectSystem is not in force`);
}

/** One HTTPS request to the machine's port 443 as `servername`, trusting only the machine's certificate. */
function request(target, method, urlPath, body) {
  return new Promise((resolve, reject) => {
    const outgoing = https.request(
      {
        host: '127.0.0.1',
        port: target.port,
        servername: target.servername,
        ca: target.ca,
        method,
        path: urlPath,
        headers: { host: target.servername, ...(body ? { 'content-type': 'application/json' } : {}) },
        signal: stopSignal,
      },
      (incoming) => {
        let text = '';
        incoming.setEncoding('utf8').on('data', (chunk) => (text += chunk));
        incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, text }));
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** /readyz, the admin's sign-in and a chat WebSocket, all through the proxy in front of the server. */
async function checkThroughProxy(target, admin) {
  let ready = { status: 0, text: '' };
  const readyBy = Date.now() + READY_WITHIN_MS;
  while (Date.now() < readyBy) {
    ready = await request(target, 'GET', '/readyz').catch((error) => ({ status: 0, text: String(error) }));
    if (ready.status === 200) break;
    await sleep(500);
  }
  if (ready.status !== 200 || JSON.parse(ready.text).status !== 'ready') {
    throw new Error(`/readyz through the proxy answered ${ready.status}: ${ready.text.slice(0, 500)}`);
  }

  const signIn = await request(target, 'POST', '/api/v1/auth/login', admin);
  const session = signIn.status === 200 ? JSON.parse(signIn.text) : undefined;
  if (typeof session?.accessToken !== 'string' || session.user?.role !== 'admin') {
    throw new Error(`Sign-in as ${admin.login} through the proxy answered ${signIn.status}: ${signIn.text}`);
  }

  const socket = new WebSocket(`wss://127.0.0.1:${target.port}/api/v1/ws`, {
    servername: target.servername,
    ca: target.ca,
    headers: { host: target.servername },
  });
  try {
    const welcome = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('No welcome on the WebSocket within 30 s')), 30_000);
      socket.once('error', reject);
      socket.once('unexpected-response', (_request, response) =>
        reject(new Error(`The WebSocket upgrade through the proxy was refused: ${response.statusCode}`)),
      );
      socket.once('open', () =>
        socket.send(JSON.stringify({ type: 'hello', protocol: 1, token: session.accessToken, cursors: {} })),
      );
      socket.once('message', (data) => {
        clearTimeout(timer);
        resolve(JSON.parse(String(data)));
      });
    });
    if (welcome.type !== 'welcome' || welcome.userId !== session.user.id) {
      throw new Error(`The WebSocket answered hello with ${JSON.stringify(welcome)}`);
    }
  } finally {
    socket.close();
  }
}

/** One plain HTTP GET to the machine's port 80 as `host`. */
function plainGet(port, host, urlPath) {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: urlPath, headers: { host }, signal: stopSignal }, (incoming) => {
        let text = '';
        incoming.setEncoding('utf8').on('data', (chunk) => (text += chunk));
        incoming.on('end', () => resolve({ status: incoming.statusCode, location: incoming.headers.location, text }));
      })
      .on('error', reject);
  });
}

/**
 * Port 80 of the nginx example: a file certbot's webroot plugin leaves in /var/www/html for a
 * renewal is served, anything else is redirected to HTTPS.
 */
async function checkPlainHttp(port, name) {
  const token = randomBytes(16).toString('hex');
  await inMachine(
    `install -d /var/www/html/.well-known/acme-challenge && echo ${token} > /var/www/html/.well-known/acme-challenge/${token}`,
  );
  const challenge = await plainGet(port, name, `/.well-known/acme-challenge/${token}`);
  if (challenge.status !== 200 || challenge.text.trim() !== token) {
    throw new Error(`certbot's challenge file answered ${challenge.status}: ${challenge.text.slice(0, 200)}`);
  }
  const other = await plainGet(port, name, '/api/v1/health?x=1');
  if (other.status !== 301 || other.location !== `https://${name}/api/v1/health?x=1`) {
    throw new Error(`Plain HTTP answered ${other.status} ${other.location ?? ''} instead of a redirect to HTTPS`);
  }
}

/** The nginx example's server_name and certificate paths, as the reader's copy has them. */
function nginxSite() {
  const config = fs.readFileSync(path.join(ROOT, 'deploy/proxy/nginx.conf'), 'utf8');
  const setting = (key) => {
    const value = new RegExp(`^\\s*${key}\\s+([^;\\s]+);`, 'm').exec(config)?.[1];
    if (!value) throw new Error(`deploy/proxy/nginx.conf has no ${key}`);
    return value;
  };
  return { name: setting('server_name'), certificate: setting('ssl_certificate'), key: setting('ssl_certificate_key') };
}

/** A self-signed certificate for `name` at `certificate`/`key` in the machine; returns its PEM. */
async function makeCertificate(name, certificate, key, owner) {
  const dirs = [...new Set([path.posix.dirname(certificate), path.posix.dirname(key)])].join(' ');
  await inMachine(
    [
      `install -d -m 0755 ${dirs}`,
      `openssl req -x509 -newkey rsa:2048 -nodes -days 90 -subj /CN=${name} -addext subjectAltName=DNS:${name} -keyout ${key} -out ${certificate} 2>/dev/null`,
      `chmod 0600 ${key}`,
      ...(owner ? [`chown ${owner}:${owner} ${certificate} ${key}`] : []),
    ].join(' && '),
  );
  return (await inMachine(`cat ${certificate}`)).stdout;
}

/** The Caddyfile's site address: the first unindented line that opens a block. */
function caddySite() {
  const site = /^([a-z0-9.-]+)\s*\{$/m.exec(fs.readFileSync(path.join(ROOT, 'deploy/proxy/Caddyfile'), 'utf8'))?.[1];
  if (!site) throw new Error('deploy/proxy/Caddyfile names no site');
  return site;
}

/** What Caddy's ACME client stores after getting a certificate from Let's Encrypt, for `site`. */
async function seedCaddyCertificate(site) {
  const home = (await inMachine('getent passwd caddy | cut -d: -f6')).stdout.trim();
  const dir = `${home}/.local/share/caddy/certificates/acme-v02.api.letsencrypt.org-directory/${site}`;
  await inMachine(`install -d -o caddy -g caddy -m 0700 ${dir}`);
  const pem = await makeCertificate(site, `${dir}/${site}.crt`, `${dir}/${site}.key`, 'caddy');
  const meta = JSON.stringify({ sans: [site], issuer_data: { url: '' } });
  await inMachine(`cat > ${dir}/${site}.json && chown caddy:caddy ${dir}/${site}.json`, { input: meta });
  return pem;
}

async function checkStop() {
  const since = (await inMachine('date +%s')).stdout.trim();
  await inMachine('systemctl stop veza');
  const state = (await inMachine('systemctl show --property ActiveState,Result,ExecMainCode,ExecMainStatus veza'))
    .stdout;
  const value = (key) => new RegExp(`^${key}=(.*)$`, 'm').exec(state)?.[1];
  const journal = (await inMachine(`journalctl -u veza --since @${since} --no-pager -o cat`)).stdout;
  // ExecMainCode 1 is CLD_EXITED: the server exited by itself rather than being killed.
  if (
    value('ActiveState') !== 'inactive' ||
    value('Result') !== 'success' ||
    value('ExecMainCode') !== '1' ||
    value('ExecMainStatus') !== '0'
  ) {
    throw new Error(`veza.service did not stop cleanly:\n${state}\n${journal}`);
  }
  if (/Killing process|SIGKILL/.test(journal)) throw new Error(`systemd had to kill what the server left:\n${journal}`);
}

async function main() {
  requireTools();
  const operations = fs.readFileSync(path.join(ROOT, 'docs/operations.md'), 'utf8');
  const [systemdLines, ...extra] = shBlocks(operations, 'systemd');
  if (extra.length > 0) throw new Error('The systemd section has more than one sh block: run the others here too');
  const proxyBlocks = shBlocks(operations, 'Reverse proxy');
  const nginxLines = proxyBlocks.find((block) => block.some((line) => /^nginx -t\b/.test(line)));
  const caddyLines = proxyBlocks.find((block) => block.some((line) => /^caddy validate\b/.test(line)));
  if (!nginxLines || !caddyLines || proxyBlocks.length !== 2) {
    throw new Error('The Reverse proxy section no longer has one nginx and one Caddy sh block: update this script');
  }
  const createLine = systemdLines.filter((line) => /\buser create\b/.test(line));
  const login = /--username (\S+)/.exec(createLine[0] ?? '')?.[1];
  if (createLine.length !== 1 || !login)
    throw new Error('The systemd block has no single `user create --username` line');

  const workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'veza-systemd-smoke-'));
  onCleanup(() => fs.rmSync(workdir, { recursive: true, force: true }));
  const exists = await run('podman', ['container', 'exists', NAME], { allowFailure: true });
  if (exists.status === 0)
    throw new Error(`A container named ${NAME} exists: podman rm --force ${NAME}, then run again`);
  const ports = { https: await freePort(), http: await freePort() };

  const base = await step('base image (build-local-base.sh)', ensureBaseImage);
  onCleanup('podman', ['rmi', '--force', IMAGE]);
  await step('machine image (systemd, nginx, caddy, ffmpeg, git)', () =>
    run('podman', [
      'build',
      ...PODMAN_FLAGS,
      '--pull=never',
      '--build-arg',
      `BASE=${base}`,
      '--file',
      'deploy/container/systemd-machine.Containerfile',
      '--tag',
      IMAGE,
      workdir,
    ]),
  );
  await step('boot the machine (systemd as PID 1)', () => bootMachine(ports));
  const head = await step('git clone into /root/veza', () => cloneRepository(workdir));
  process.stdout.write(`  commit ${head}\n`);

  const created = await runDocumented(systemdLines, /\buser create\b/);
  const password = /^Password: (\S+)$/m.exec(created)?.[1];
  if (!password) throw new Error(`The documented user create printed no password:\n${created}`);
  const admin = { login, password };
  await step('veza.service enabled, active, as veza, sandboxed', checkService);

  const nginx = nginxSite();
  const nginxCa = await step(`self-signed certificate at ${nginx.certificate}`, () =>
    makeCertificate(nginx.name, nginx.certificate, nginx.key),
  );
  await runDocumented(nginxLines);
  await step('nginx on port 80: certbot’s challenges answered, the rest sent to HTTPS', () =>
    checkPlainHttp(ports.http, nginx.name),
  );
  await step('through nginx: /readyz, admin sign-in, WebSocket', () =>
    checkThroughProxy({ port: ports.https, servername: nginx.name, ca: nginxCa }, admin),
  );

  const site = caddySite();
  await step('switch the machine from nginx to Caddy', () =>
    inMachine('systemctl disable --now nginx && systemctl enable --now caddy'),
  );
  const caddyCa = await step('self-signed certificate in Caddy’s storage', () => seedCaddyCertificate(site));
  await runDocumented(caddyLines);
  await step('through Caddy: /readyz, admin sign-in, WebSocket', () =>
    checkThroughProxy({ port: ports.https, servername: site, ca: caddyCa }, admin),
  );

  await step('systemctl stop veza: exits 0, nothing left to kill', checkStop);
}

await smokeTest('systemd smoke test', DEADLINE_MINUTES, main, {
  kept: `podman exec -it ${NAME} bash; then podman rm --force ${NAME} && podman rmi ${IMAGE}`,
});
