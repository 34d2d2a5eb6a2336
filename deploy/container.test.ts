import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT, readRepoFile, runTool, shBlocks } from './tools.js';

/*
 * The image and the compose files are built and run for real by deploy/container/smoke.mjs (a
 * .ci/run step: it takes minutes). These checks are the quick part that runs with every test run:
 * the files agree with each other and with docs/operations.md.
 */

interface ComposeService {
  build?: { context: string };
  image?: string;
  environment?: Record<string, string>;
  secrets?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  stop_grace_period?: string;
}
interface ComposeFile {
  services: Record<string, ComposeService>;
  secrets?: Record<string, { file: string }>;
  volumes?: Record<string, unknown>;
}

const dockerfile = readRepoFile('Dockerfile');
const operations = readRepoFile('docs/operations.md');
const composeFile = (name: string): ComposeFile => parse(readRepoFile(`deploy/compose/${name}`)) as ComposeFile;

/** Dockerfile instructions, continuation lines joined. */
function instructions(text: string): string[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

const seconds = (duration: string | undefined): number => Number(/^(\d+)s$/.exec(duration ?? '')?.[1] ?? NaN);

describe('the Dockerfile', () => {
  const lines = instructions(dockerfile);
  const runtime = lines.slice(lines.findIndex((line) => line.endsWith('AS runtime')));

  it('builds from one pinned Node base in both stages, a version the server supports', () => {
    const version = /^ARG NODE_VERSION=(\d+)\.(\d+)\.(\d+)$/m.exec(dockerfile);
    expect(version).not.toBeNull();
    const froms = lines.filter((line) => line.startsWith('FROM '));
    expect(froms).toEqual([
      'FROM docker.io/library/node:${NODE_VERSION}-bookworm-slim AS build',
      'FROM docker.io/library/node:${NODE_VERSION}-bookworm-slim AS runtime',
    ]);
    const [major, minor] = [Number(version![1]), Number(version![2])];
    const engines = (JSON.parse(readRepoFile('package.json')) as { engines: { node: string } }).engines.node;
    const [, needMajor, needMinor] = /^>=(\d+)\.(\d+)$/.exec(engines)!.map(Number);
    expect(major > needMajor! || (major === needMajor && minor >= needMinor!)).toBe(true);
  });

  it('runs as a non-root user, with the /data volume, port 8080 and a node health check on /readyz', () => {
    expect(runtime).toContain('USER veza');
    expect(runtime).toContain('VOLUME /data');
    expect(runtime).toContain('EXPOSE 8080');
    const env = runtime.find((line) => line.startsWith('ENV '))!;
    for (const setting of ['VEZA_HOST=0.0.0.0', 'VEZA_PORT=8080', 'VEZA_DATA_DIR=/data', 'NODE_ENV=production']) {
      expect(env).toContain(setting);
    }
    expect(runtime.find((line) => line.startsWith('HEALTHCHECK '))).toMatch(
      /CMD \["node", "\/opt\/veza\/healthcheck\.mjs"\]$/,
    );
    expect(readRepoFile('deploy/container/healthcheck.mjs')).toContain('/readyz');
    expect(runtime.find((line) => line.includes('apt-get install'))).toMatch(/\bffmpeg\b/);
    expect(runtime.some((line) => line.includes('/usr/local/bin/veza-server'))).toBe(true);
  });

  it('sends every file it COPYs from the build context past .dockerignore', () => {
    const ignore = readRepoFile('.dockerignore')
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('#'));
    expect(ignore[0]).toBe('*');
    const allowed = ignore.filter((line) => line.startsWith('!')).map((line) => line.slice(1));
    const sources = lines
      .filter((line) => line.startsWith('COPY ') && !line.includes('--from='))
      .flatMap((line) => line.split(/\s+/).slice(1, -1));
    expect(sources.length).toBeGreaterThan(5);
    for (const source of sources) {
      const normalized = source.replace(/\/$/, '');
      expect(
        allowed.some((entry) => normalized === entry || normalized.startsWith(`${entry}/`)),
        source,
      ).toBe(true);
      expect(fs.existsSync(path.join(REPO_ROOT, normalized)), source).toBe(true);
    }
  });

  it('builds the server the way the systemd section of the operations guide does', () => {
    const runs = lines.filter((line) => line.startsWith('RUN pnpm')).join(' && ');
    const documented = shBlocks(operations, 'systemd')[0]!.filter((line) => line.startsWith('npx --yes pnpm@'));
    const pnpmVersion = /^ARG PNPM_VERSION=(\S+)$/m.exec(dockerfile)![1];
    expect(documented).toHaveLength(3);
    for (const line of documented) {
      const asInImage = line.replace(`npx --yes pnpm@${pnpmVersion} `, 'pnpm ').replace(' /opt/veza', ' /out');
      expect(runs, line).toContain(asInImage);
    }
  });
});

describe('the compose files', () => {
  const server = composeFile('server.yml');
  const scaled = composeFile('postgres-nats.yml');

  it('build the repository’s Dockerfile and keep /data in a named volume', () => {
    for (const compose of [server, scaled]) {
      const veza = compose.services.veza!;
      expect(fs.existsSync(path.join(REPO_ROOT, 'deploy/compose', veza.build!.context, 'Dockerfile'))).toBe(true);
      expect(veza.image).toBe('veza-server');
      expect(veza.volumes).toContain('veza-data:/data');
      expect(Object.keys(compose.volumes ?? {})).toContain('veza-data');
      expect(veza.healthcheck?.test).toEqual(['CMD', 'node', '/opt/veza/healthcheck.mjs']);
      expect(seconds(veza.stop_grace_period)).toBeGreaterThan(30);
    }
  });

  it('start the server once PostgreSQL and NATS are healthy', () => {
    const veza = scaled.services.veza!;
    expect(veza.depends_on).toEqual({
      postgres: { condition: 'service_healthy' },
      nats: { condition: 'service_healthy' },
    });
    for (const name of ['postgres', 'nats']) expect(scaled.services[name]!.healthcheck?.test.length).toBeGreaterThan(1);
  });

  it('hand secrets over as files through *_FILE variables, never in the environment', () => {
    const veza = scaled.services.veza!;
    const environment = veza.environment ?? {};
    expect(environment.DATABASE_URL).toBeUndefined();
    expect(environment.VEZA_JWT_SECRET).toBeUndefined();
    const fileVariables = Object.entries(environment).filter(([key]) => key.endsWith('_FILE'));
    expect(fileVariables.map(([key]) => key).sort()).toEqual(['DATABASE_URL_FILE', 'VEZA_JWT_SECRET_FILE']);
    for (const [, value] of fileVariables) {
      const secret = /^\/run\/secrets\/(\w+)$/.exec(value)?.[1];
      expect(veza.secrets).toContain(secret);
      expect(scaled.secrets?.[secret!]?.file).toBe(`./secrets/${secret}`);
    }
    const init = path.join(REPO_ROOT, 'deploy/compose/postgres-init/10-veza-role.sh');
    expect(fs.statSync(init).mode & 0o111).not.toBe(0);
    expect(fs.readFileSync(init, 'utf8')).toMatch(/NOSUPERUSER/);
  });

  describe('the documented commands that make the secrets', () => {
    const workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'veza-secrets-'));
    afterAll(() => fs.rmSync(workdir, { recursive: true, force: true }));

    it('create every secret the compose file names, readable by the containers only through a root-only directory', () => {
      const block = shBlocks(operations, 'Docker Compose')[1]!;
      const making = block.filter((line) => !line.startsWith('docker compose'));
      expect(making.length).toBeGreaterThan(3);
      fs.mkdirSync(path.join(workdir, 'deploy/compose'), { recursive: true });
      const result = runTool('bash', ['-euo', 'pipefail', '-c', making.join('\n')], { cwd: workdir });
      expect(result.status, result.stderr).toBe(0);

      const secrets = path.join(workdir, 'deploy/compose/secrets');
      expect(fs.statSync(secrets).mode & 0o777).toBe(0o700);
      for (const name of Object.keys(scaled.secrets ?? {})) {
        const file = path.join(secrets, name);
        expect(fs.statSync(file).mode & 0o777, name).toBe(0o644);
        expect(fs.readFileSync(file, 'utf8').trim().length, name).toBeGreaterThanOrEqual(32);
      }
      const password = fs.readFileSync(path.join(secrets, 'veza_db_password'), 'utf8').trim();
      expect(fs.readFileSync(path.join(secrets, 'database_url'), 'utf8').trim()).toBe(
        `postgres://veza:${password}@postgres:5432/veza`,
      );
      expect(fs.readFileSync(path.join(REPO_ROOT, '.gitignore'), 'utf8')).toContain('deploy/compose/secrets/');
    });
  });
});
