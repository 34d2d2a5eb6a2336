import { accessSync, constants } from 'node:fs';
import path from 'node:path';

const SETPRIV_CANDIDATES = ['/usr/bin/setpriv', '/bin/setpriv'];
let setpriv: string | null | undefined;

/**
 * How to start `command` so it dies with this process. A Node process killed with SIGKILL runs
 * no exit handler, and ffmpeg ignores SIGPIPE, so a transcode would otherwise run on as an
 * orphan, writing into a scratch directory the next start sweeps. On Linux, util-linux's
 * `setpriv --pdeathsig KILL` sets PR_SET_PDEATHSIG and then execs the command in place (same
 * pid, same pipes). Elsewhere, or without setpriv, the command runs as it is.
 */
export function dieWithParent(command: string, args: readonly string[]): { command: string; args: string[] } {
  if (process.platform !== 'linux' || !path.isAbsolute(command)) return { command, args: [...args] };
  setpriv ??= SETPRIV_CANDIDATES.find(isExecutable) ?? null;
  if (!setpriv) return { command, args: [...args] };
  return { command: setpriv, args: ['--pdeathsig', 'KILL', '--', command, ...args] };
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
