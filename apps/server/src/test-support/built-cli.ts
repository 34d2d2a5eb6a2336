import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/*
 * Tests that need the server as a separate process (SIGKILL recovery, the CLI) spawn the built
 * CLI with plain node: vitest's transform does not reach child processes. They build with
 * `tsc -b` first, because a dist left over from an earlier commit would silently test old code.
 * `tsc -b` is incremental (well under a second when nothing changed) and a lock directory keeps
 * two test files from building at once, so one file's build never rewrites dist/ while another
 * file's child is loading it.
 */

const execFileAsync = promisify(execFile);
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const CLI = path.join(REPO_ROOT, 'apps/server/dist/cli.js');

export async function buildServer(): Promise<void> {
  const lock = path.join(
    os.tmpdir(),
    `veza-test-build-${createHash('sha256').update(REPO_ROOT).digest('hex').slice(0, 12)}.lock`,
  );
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      await fs.mkdir(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = Date.now() - (await fs.stat(lock).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
      if (age > 120_000) await fs.rm(lock, { recursive: true, force: true }); // left by a killed run
      if (Date.now() > deadline) throw new Error(`timed out waiting for the build lock ${lock}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    const tsc = path.join(REPO_ROOT, 'node_modules/typescript/bin/tsc');
    await execFileAsync(process.execPath, [tsc, '-b', 'tsconfig.build.json'], { cwd: REPO_ROOT }).catch(
      (error: { stdout?: string; stderr?: string }) => {
        throw new Error(`tsc -b tsconfig.build.json failed:\n${error.stdout ?? ''}${error.stderr ?? ''}`);
      },
    );
  } finally {
    await fs.rm(lock, { recursive: true, force: true });
  }
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing after the build`);
}
