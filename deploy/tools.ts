import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function readRepoFile(relative: string): string {
  return fs.readFileSync(path.join(REPO_ROOT, relative), 'utf8');
}

/**
 * The path of a tool these tests need. A missing tool fails the test (never skips it): CI
 * installs them (.ci/run), and the message names the Debian package.
 */
export function requireTool(name: string, debianPackage: string): string {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const location = found.stdout.trim();
  if (found.status === 0 && location !== '') return location;
  // Debian puts nginx in /usr/sbin, which a non-root PATH often lacks.
  for (const dir of ['/usr/sbin', '/sbin']) {
    const candidate = path.join(dir, name);
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error(`${name} is not installed: apt-get install ${debianPackage}`);
}

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runTool(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Run {
  const result = spawnSync(command, args, { encoding: 'utf8', cwd: options.cwd, env: options.env });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The ```sh blocks of a Markdown section, as the smoke scripts read them. */
export { shBlocks } from './container/documented-commands.mjs';

/** A port that was free a moment ago on 127.0.0.1. */
export { freePort } from '../scripts/lib/process.mjs';
