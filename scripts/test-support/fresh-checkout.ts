import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * A copy of the working tree as a clone would give it: the tracked files (as they are now, edits
 * included) and the untracked ones git does not ignore, so no node_modules, no dist, no data.
 * The copy's root stays private (0700, as mkdtemp makes it), like a clone under /root: as root,
 * the embedded PostgreSQL runs as the postgres user, which cannot enter it, and must still start
 * (docs/operations.md, "The embedded PostgreSQL as root").
 */
export async function freshCheckout(prefix: string): Promise<string> {
  const { stdout } = await promisify(execFile)(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    { cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024 },
  );
  const target = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  await fs.chmod(target, 0o700);
  for (const file of stdout.split('\0').filter(Boolean)) {
    const source = path.join(REPO_ROOT, file);
    const stat = await fs.lstat(source).catch(() => null);
    if (!stat) continue; // deleted in the working tree, not yet in the index
    const destination = path.join(target, file);
    await fs.mkdir(path.dirname(destination), { recursive: true });
    if (stat.isSymbolicLink()) await fs.symlink(await fs.readlink(source), destination);
    else await fs.copyFile(source, destination);
  }
  return target;
}
