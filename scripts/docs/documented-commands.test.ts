import { existsSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterPaths, findLivePostmaster, isProcessAlive } from '../../apps/server/src/infra/db/embedded-postgres.js';
import { readFailure } from '../lib/electron-download.mjs';
import { REPO_ROOT, freshCheckout } from '../test-support/fresh-checkout.js';
import {
  DOCUMENTED_COMMANDS,
  DOCUMENTED_FILES,
  SERVER_STOP_LINE,
  type DocumentedCommand,
  type RunCheck,
} from './documented-commands.js';
import { entryFor, matches, stale, uncovered, where } from './coverage.js';
import { extractCommands, type DocumentedLine } from './extract-commands.js';
import { stopLeftoverServer, whatRuns, type Running } from '../test-support/server-processes.js';
import { ShellRun, killLeftovers, refusesConnections, until, untilOk } from '../test-support/shell-run.js';
import { Sandbox, type PreparedRun } from './run-documented.js';

/*
 * Every command in a ```sh block of README.md and docs/operations.md is exercised: run here on a
 * fresh copy of the checkout, or by the test or CI step the table in documented-commands.ts names.
 */

const documented: DocumentedLine[] = DOCUMENTED_FILES.flatMap((file) =>
  extractCommands(readFileSync(path.join(REPO_ROOT, file), 'utf8'), file),
);

const entryOf = (line: DocumentedLine): DocumentedCommand | undefined => entryFor(line, DOCUMENTED_COMMANDS);

describe('the commands of the docs', () => {
  it('are found in the shell code blocks', () => {
    // Guards the extraction itself: the README's own two commands must be among them.
    expect(documented.map((line) => line.command)).toEqual(expect.arrayContaining(['npm start', 'npm test']));
  });

  it('each have an entry in scripts/docs/documented-commands.ts', () => {
    expect(uncovered(documented, DOCUMENTED_COMMANDS).join('\n\n')).toBe('');
  });

  it('have no entry left without a documented command', () => {
    expect(stale(documented, DOCUMENTED_COMMANDS).map((entry) => String(entry.command))).toEqual([]);
  });

  const coveredElsewhere = documented.flatMap((line) => {
    const how = entryOf(line)?.how;
    return how && how.kind !== 'run' ? [{ line, how }] : [];
  });
  it.each(coveredElsewhere.map(({ line, how }) => ({ name: where(line), line, how })))(
    '$name: the test or CI step that runs it exists',
    ({ line, how }) => {
      if (how.kind === 'test') {
        const file = path.join(REPO_ROOT, how.file);
        expect(existsSync(file), `${how.file} does not exist`).toBe(true);
        const source = readFileSync(file, 'utf8');
        const named = [`'${how.name}'`, `"${how.name}"`, `\`${how.name}\``].some((quoted) => source.includes(quoted));
        expect(named, `${how.file} has no test named "${how.name}"`).toBe(true);
      } else if (how.kind === 'script') {
        const file = path.join(REPO_ROOT, how.file);
        expect(existsSync(file), `${how.file} does not exist`).toBe(true);
        const steps = readFileSync(path.join(REPO_ROOT, '.ci/run'), 'utf8').split('\n');
        expect(
          steps.map((step) => step.trim()),
          `.ci/run does not run ${how.file}`,
        ).toContain(`node ${how.file}`);
        // The script reads the lines it runs from the section itself, so docs and script cannot drift.
        const source = readFileSync(file, 'utf8');
        expect(
          source.includes('shBlocks(') && source.includes(`'${how.section}')`),
          `${how.file} does not read the "${how.section}" section with shBlocks`,
        ).toBe(true);
        const section = readFileSync(path.join(REPO_ROOT, line.file), 'utf8').split('\n## ');
        expect(
          section.some((part) => part.startsWith(`${how.section}\n`) && part.includes(line.command)),
          `${where(line)} is not in the "${how.section}" section the script reads`,
        ).toBe(true);
      } else {
        const steps = readFileSync(path.join(REPO_ROOT, '.ci/run'), 'utf8').split('\n');
        expect(
          steps.map((step) => step.trim()),
          '.ci/run does not run it',
        ).toContain(line.command);
      }
    },
  );
});

// -------------------------------------------------------------------------------------------
// The commands run here, in the order of DOCUMENTED_COMMANDS, on one fresh copy of the checkout.

const runHere = DOCUMENTED_COMMANDS.flatMap((entry) =>
  entry.how.kind === 'run'
    ? documented.filter((line) => matches(entry, line.command)).map((line) => ({ line, how: entry.how }))
    : [],
);

/** The first command installs and builds everything it needs on the fresh copy. */
const FIRST_RUN_MS = 10 * 60_000;
const STOP_MS = 60_000;

let checkout: string;
let sandbox: Sandbox;
const dataDirsUsed = new Set<string>();

describe('the commands of the docs, run on a fresh copy of the checkout', () => {
  beforeAll(async () => {
    checkout = await freshCheckout('veza-docs-checkout-');
    sandbox = await Sandbox.create(checkout);
  }, 120_000);

  afterAll(async () => {
    killLeftovers();
    for (const dataDir of dataDirsUsed) {
      await stopLeftoverServer(dataDir);
      // As root the copy is out of the postgres user's reach, so each cluster lives under
      // /var/lib/veza/clusters with <data dir>/postgres a symlink to it: remove it with its data dir.
      const cluster = await fs.readlink(clusterPaths(dataDir).clusterDir).catch(() => undefined);
      if (cluster) await fs.rm(cluster, { recursive: true, force: true });
    }
    await sandbox?.remove();
    if (checkout) await fs.rm(checkout, { recursive: true, force: true });
  }, 120_000);

  for (const [index, { line, how }] of runHere.entries()) {
    if (how.kind !== 'run') continue;
    it(
      where(line),
      async () => {
        const prepared = await sandbox.prepare(line.command);
        dataDirsUsed.add(prepared.dataDir);
        const run = await CHECKS[how.expect](line, prepared);
        if (how.output) expect(run.output).toMatch(how.output);
        if (index === 0) {
          // The first command installed the dependencies. pnpm 10 invites "pnpm approve-builds"
          // for any dependency build script pnpm-workspace.yaml neither allows nor ignores.
          expect(run.output).toContain('(pnpm install)');
          expect(run.output).not.toContain('approve-builds');
        }
      },
      FIRST_RUN_MS + STOP_MS,
    );
  }
});

const CHECKS: Record<RunCheck, Check> = {
  server: checkServer,
  desktop: checkDesktop,
  account: checkAccount,
  completes: checkCompletes,
};

type Check = (line: DocumentedLine, prepared: PreparedRun) => Promise<ShellRun>;

const localUrl = (port: number, route: string): string => `http://127.0.0.1:${port}${route}`;

async function checkServer(line: DocumentedLine, prepared: PreparedRun): Promise<ShellRun> {
  const server = new ShellRun(prepared.command, { cwd: checkout, env: prepared.env });
  await untilOk(localUrl(prepared.port, '/readyz'), server, FIRST_RUN_MS);
  const running = await whatRuns(prepared.dataDir);
  expect(running.owner, 'the server holds its data dir').toBeDefined();
  expect(running.postmaster, 'the embedded PostgreSQL runs').toBeDefined();

  server.interrupt();
  await expectStoppedCleanly(server, prepared, running);
  expect(server.lastLine).toMatch(SERVER_STOP_LINE);
  return server;
}

async function checkDesktop(line: DocumentedLine, prepared: PreparedRun): Promise<ShellRun> {
  const start = new ShellRun(prepared.command, { cwd: checkout, env: prepared.env });
  const [, hostUrl] = await start.waitForOutput(/Open (http:\/\/\S+) in your browser/, FIRST_RUN_MS);
  const reason = `no internet connection: 127.0.0.1:${sandbox.electronMirrorPort} could not be reached (connection refused)`;
  expect(start.output).toContain(`Electron could not be downloaded: ${reason}.`);
  expect(start.output).toContain('VEZA_ELECTRON_RETRY=1 npm start');
  expect(readFailure(path.join(checkout, 'data', 'electron-download.json'))?.reason).toBe(reason);

  const page = await fetch(hostUrl!);
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toMatch(/text\/html/);
  await untilOk(localUrl(prepared.port, '/readyz'), start, STOP_MS);
  await until(() => existsSync(sandbox.openedUrlsFile), 'the browser to be asked to open the app');
  expect(readFileSync(sandbox.openedUrlsFile, 'utf8').trim().split('\n')).toContain(hostUrl);
  const running = await whatRuns(prepared.dataDir);
  expect(running.postmaster, 'the embedded PostgreSQL runs').toBeDefined();

  start.interrupt();
  await expectStoppedCleanly(start, prepared, running);
  expect(await refusesConnections(Number(new URL(hostUrl!).port)), 'the browser host stopped').toBe(true);
  return start;
}

async function checkAccount(line: DocumentedLine, prepared: PreparedRun): Promise<ShellRun> {
  const option = (name: string): string | undefined => new RegExp(`--${name}\\s+(\\S+)`).exec(line.command)?.[1];
  const [email, username, role] = [option('email'), option('username'), option('role') ?? 'listener'];
  const cli = new ShellRun(prepared.command, { cwd: checkout, env: prepared.env });
  expect(await cli.finished(FIRST_RUN_MS), cli.output).toBe(0);
  expect(cli.stdout).toContain(`Created ${role} ${username} <${email}>`);
  const password = /^Password: (\S+)$/m.exec(cli.stdout)?.[1];
  expect(password, 'the generated password is printed').toBeDefined();

  // The account signs in through the HTTP API of a server on the same data dir.
  const server = new ShellRun(`exec "${process.execPath}" apps/server/dist/cli.js serve`, {
    cwd: checkout,
    env: prepared.env,
  });
  await untilOk(localUrl(prepared.port, '/readyz'), server, FIRST_RUN_MS);
  const response = await fetch(localUrl(prepared.port, '/api/v1/auth/login'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: email, password }),
  });
  expect(response.status).toBe(200);
  expect(((await response.json()) as { user: unknown }).user).toMatchObject({ email, username, role });
  server.interrupt();
  expect(await server.finished(STOP_MS), server.output).toBe(0);
  return cli;
}

async function checkCompletes(line: DocumentedLine, prepared: PreparedRun): Promise<ShellRun> {
  const run = new ShellRun(prepared.command, { cwd: checkout, env: prepared.env });
  expect(await run.finished(FIRST_RUN_MS), run.output).toBe(0);
  return run;
}

/**
 * After Ctrl-C: the command ends (npm reports an interrupted script as 130, whatever the
 * script's own code), nothing of its process group is left, the server that held the data dir is
 * gone and so is its embedded PostgreSQL.
 */
async function expectStoppedCleanly(run: ShellRun, prepared: PreparedRun, running: Running): Promise<void> {
  const code = await run.finished(STOP_MS);
  expect([0, 130], run.output).toContain(code);
  expect(run.output).not.toMatch(/npm error|second signal|✖/);
  expect(run.groupAlive, 'a process of the command is still running').toBe(false);
  if (running.owner) expect(isProcessAlive(running.owner.pid), 'the server is still running').toBe(false);
  expect(await findLivePostmaster(clusterPaths(prepared.dataDir).clusterDir), 'PostgreSQL still runs').toBeUndefined();
  expect(await refusesConnections(prepared.port), 'the server port still answers').toBe(true);
}
