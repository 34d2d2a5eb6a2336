/*
 * Every command line in a ```sh block of these files must be exercised by a test, so that a
 * documented command cannot break silently (documented-commands.test.ts checks it). Adding a
 * command to the docs means adding one line to DOCUMENTED_COMMANDS below.
 */

export const DOCUMENTED_FILES = ['README.md', 'docs/operations.md'] as const;

/**
 * How a documented command is exercised.
 * - run: documented-commands.test.ts runs the same command line in a fresh copy of the checkout
 *   (tracked and untracked files, no node_modules, no build: what a clone gives), in the
 *   environment run-documented.ts describes with ENV_SUBSTITUTIONS applied, and checks what
 *   `expect` names.
 * - test: another test runs it (or its exact equivalent); the file must exist and contain a test
 *   of that name.
 * - ci: .ci/run runs this exact line.
 * - script: a script that .ci/run runs reads the `## section` of the document and runs its sh
 *   blocks' lines as written, on a machine made for it (a container, a machine booting systemd);
 *   `note` says what differs from a reader's machine, when anything does.
 */
export type Exercise =
  | { kind: 'run'; expect: RunCheck; output?: RegExp }
  | { kind: 'test'; file: string; name: string }
  | { kind: 'ci' }
  | { kind: 'script'; file: string; section: string; note?: string };

/**
 * What a command run here must do.
 * - server: answers GET /readyz on its port; Ctrl-C (SIGINT to its process group, as a terminal
 *   sends it) makes it exit 0 with SERVER_STOP_LINE as its last line, its embedded PostgreSQL
 *   stopped and nothing of it left running.
 * - desktop: `npm start`: the server answers, Electron's download fails (no internet here: a
 *   closed port as the mirror) and says why, the browser host answers at the URL it printed and
 *   the browser was asked to open it; Ctrl-C stops everything, exit 0.
 * - account: exits 0 having created the account its --email/--username/--role name, printed its
 *   password, and that account signs in through the HTTP API of a server on the same data dir.
 * - completes: exits 0 (and prints `output` when given).
 */
export type RunCheck = 'server' | 'desktop' | 'account' | 'completes';

export interface DocumentedCommand {
  /** The line exactly as the docs write it, or a pattern for a family of lines. */
  command: string | RegExp;
  how: Exercise;
}

export const run = (expect: RunCheck, output?: RegExp): Exercise => ({ kind: 'run', expect, output });
export const coveredBy = (file: string, name: string): Exercise => ({ kind: 'test', file, name });
export const ranByCi = (): Exercise => ({ kind: 'ci' });
export const ranByScript = (file: string, section: string, note?: string): Exercise => ({
  kind: 'script',
  file,
  section,
  ...(note ? { note } : {}),
});

/**
 * The run-here commands execute in this order, in one fresh copy of the checkout: the first one
 * finds no node_modules and no build, as on a fresh clone. Lines that share a data dir (the same
 * VEZA_DATA_DIR value, or none: the copy's ./data) see each other's accounts, as they would for a
 * reader who runs them one after another; keep a session's lines in the order of the docs.
 */
export const DOCUMENTED_COMMANDS: readonly DocumentedCommand[] = [
  // README "Running your own server". The CLI comes first: creating the first admin must work
  // as the very first command on a fresh clone (the bin of a workspace package is linked before
  // it is built, so `pnpm exec veza-server` could not).
  {
    command:
      'VEZA_DATA_DIR=/srv/veza npm run veza-server -- user create --email you@example.org --username you --role admin',
    how: run('account'),
  },
  { command: 'VEZA_DATA_DIR=/srv/veza VEZA_HOST=0.0.0.0 NODE_ENV=production npm run serve', how: run('server') },
  // README "Two commands".
  { command: 'npm start', how: run('desktop') },
  { command: 'npm test', how: ranByCi() },
  // docs/operations.md "Bootstrapping the first admin", then "The command line" in the order of
  // the docs, on the copy's ./data.
  {
    command: 'npm run veza-server -- user create --email you@example.org --username you --role admin',
    how: run('account'),
  },
  { command: 'npm run veza-server -- --version', how: run('completes', /^veza-server \d+\.\d+\.\d+$/m) },
  { command: 'npm run veza-server -- user create --email sam@example.org --username sam', how: run('account') },
  {
    command: 'npm run veza-server -- user list',
    how: run('completes', /\bsam\s+sam@example\.org\s+listener\s+active\b/),
  },
  {
    command: 'npm run veza-server -- user set-role --username sam --role moderator',
    how: run('completes', /is now moderator \(was listener\)/),
  },
  {
    command: 'npm run veza-server -- user reset-password --email sam@example.org',
    how: run('completes', /Password: \S{12,}/),
  },
  { command: 'npm run veza-server -- user disable --username sam', how: run('completes', /^Disabled sam /m) },
  { command: 'npm run veza-server -- user enable --username sam', how: run('completes', /^Enabled sam /m) },
  // docs/operations.md "Docker" and the first "Docker Compose" block: podman runs them as written
  // (the `docker` name and this machine's runtime flags aside) on an image built from the
  // Dockerfile over a locally made Debian base (no registry is reachable here).
  { command: /^docker (build|run|exec|stop) /, how: ranByScript('deploy/container/smoke.mjs', 'Docker') },
  {
    command: /^docker compose -f deploy\/compose\/server\.yml /,
    how: ranByScript('deploy/container/smoke.mjs', 'Docker Compose'),
  },
  // The second "Docker Compose" block: its secrets lines run in a temp dir; the compose file's
  // postgres and nats images cannot be pulled here, so the closest check runs its veza service.
  {
    command:
      /^(install -d -m 0700 deploy\/compose\/secrets|openssl rand -hex 32 > deploy\/compose\/secrets\/|echo "postgres:\/\/veza:|chmod 0644 deploy\/compose\/secrets)/,
    how: coveredBy(
      'deploy/container.test.ts',
      'create every secret the compose file names, readable by the containers only through a root-only directory',
    ),
  },
  {
    command: /^docker compose -f deploy\/compose\/postgres-nats\.yml /,
    how: ranByScript(
      'deploy/container/postgres-nats-smoke.mjs',
      'Docker Compose',
      'no postgres or nats image can be pulled here: the Dockerfile image runs with the compose ' +
        "file's environment, secrets and volume against the machine's PostgreSQL (set up as the " +
        "image's init scripts do) and NATS; the documented exec runs as podman exec",
    ),
  },
  // docs/operations.md "systemd" and "Reverse proxy": every line as written, in order, as root in
  // a 0700 clone on a Debian machine booting systemd (podman); certbot's certificate is a
  // self-signed one at the same paths.
  {
    command:
      /^(npx --yes pnpm@[\d.]+ |useradd --system .* veza$|install (-d )?-m 0[0-7]{3} (-o veza )?-g veza |runuser -u veza -- |install -m 0644 deploy\/systemd\/veza\.service |systemctl (daemon-reload|enable --now veza)$)/,
    how: ranByScript('deploy/container/systemd-smoke.mjs', 'systemd'),
  },
  {
    command: /^(install -m 0644 deploy\/proxy\/|nginx -t$|caddy validate |systemctl reload (nginx|caddy)$)/,
    how: ranByScript('deploy/container/systemd-smoke.mjs', 'Reverse proxy'),
  },
  // docs/operations.md "Metrics".
  { command: 'openssl rand -hex 32', how: run('completes', /^[0-9a-f]{64}$/m) },
  {
    command: 'promtool check rules deploy/prometheus/veza-alerts.yml',
    how: coveredBy(
      'apps/server/src/features/health/metrics.promtool.test.ts',
      'check rules: the alert rules are valid',
    ),
  },
  {
    command: 'promtool test rules deploy/prometheus/veza-alerts.test.yml',
    how: coveredBy(
      'apps/server/src/features/health/metrics.promtool.test.ts',
      'test rules: each alert fires when it should, and only then',
    ),
  },
];

/**
 * The last line a server run here prints when Ctrl-C has stopped it: the server logs it once
 * everything has closed (apps/server/src/runtime.ts), so a reader knows the stop was complete.
 */
export const SERVER_STOP_LINE = /veza-server stopped/;

/**
 * Variables set on a documented command line, as the test applies them. A variable missing here
 * fails the test: decide whether it is safe as written or needs a stand-in.
 */
export const ENV_SUBSTITUTIONS: Record<string, (value: string, stand: StandIns) => string> = {
  // A temp dir instead of /srv/veza: the same one for the same value, so lines that share a data
  // dir in the docs share one in the test.
  VEZA_DATA_DIR: (value, stand) => stand.dataDir(value),
  // Loopback instead of 0.0.0.0: the test's servers are not reachable from the network.
  VEZA_HOST: () => '127.0.0.1',
  // A free port instead of the documented one, so that runs never collide.
  VEZA_PORT: (_value, stand) => String(stand.port),
  NODE_ENV: (value) => value,
  VEZA_LOG_LEVEL: (value) => value,
  VEZA_ELECTRON_RETRY: (value) => value,
};

export interface StandIns {
  /** A temp dir standing for the documented data dir `value`. */
  dataDir(value: string): string;
  /** A free port for this run's server. */
  port: number;
}
