import { spawn } from 'node:child_process';
import path from 'node:path';
import { AudioCancelledError, AudioProcessError, AudioTimeoutError, AudioToolsMissingError } from './errors.js';
import { OutputTail } from './output-tail.js';
import { dieWithParent } from './parent-death.js';

export interface ProcessRequest {
  command: string;
  args: readonly string[];
  timeoutMs: number;
  signal?: AbortSignal;
  cwd?: string;
  /** Streams stdout to the caller instead of collecting it; a throw kills the process and rejects with it. */
  onStdout?: (chunk: Buffer) => void;
  /** Collected stdout beyond this fails the run: ffprobe's JSON for a hostile file must not grow without bound. */
  maxStdoutBytes?: number;
  onSpawn?: (pid: number) => void;
}

export interface ProcessResult {
  /** Empty when `onStdout` consumed it. */
  stdout: Buffer;
  stderrTail: string;
}

/** ffmpeg finishes its outputs on SIGTERM; a child that ignores it for this long gets SIGKILL. */
export const KILL_GRACE_MS = 2_000;
const STDERR_TAIL_BYTES = 64 * 1024;
const DEFAULT_MAX_STDOUT_BYTES = 4 * 1024 * 1024;

type Stop = { kind: 'timeout' } | { kind: 'cancelled' } | { kind: 'failed'; error: unknown };

/**
 * Runs one binary with an argument array (never a shell) and settles only after the child has exited,
 * so a rejection for timeout or cancellation never leaves a process behind.
 */
export function runProcess(request: ProcessRequest): Promise<ProcessResult> {
  const { command, args, timeoutMs, signal, onStdout } = request;
  const maxStdout = request.maxStdoutBytes ?? DEFAULT_MAX_STDOUT_BYTES;
  const name = path.basename(command);
  if (signal?.aborted) return Promise.reject(new AudioCancelledError(`${name} was cancelled before it started.`));

  return new Promise((resolve, reject) => {
    const launch = dieWithParent(command, args);
    const child = spawn(launch.command, launch.args, {
      cwd: request.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    const stderr = new OutputTail(STDERR_TAIL_BYTES);
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let stop: Stop | null = null;
    let killTimer: NodeJS.Timeout | undefined;

    const halt = (reason: Stop) => {
      if (stop) return;
      stop = reason;
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
    };
    const timer = setTimeout(() => halt({ kind: 'timeout' }), timeoutMs);
    const onAbort = () => halt({ kind: 'cancelled' });
    signal?.addEventListener('abort', onAbort, { once: true });
    const cleanUp = () => {
      clearTimeout(timer);
      clearTimeout(killTimer);
      signal?.removeEventListener('abort', onAbort);
    };

    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.stdout.on('data', (chunk: Buffer) => {
      if (stop) return;
      if (onStdout) {
        try {
          onStdout(chunk);
        } catch (error) {
          halt({ kind: 'failed', error });
        }
        return;
      }
      stdoutBytes += chunk.length;
      if (stdoutBytes > maxStdout) {
        halt({ kind: 'failed', error: new AudioProcessError(`${name} wrote more than ${maxStdout} bytes.`, null, '') });
        return;
      }
      stdout.push(chunk);
    });

    child.once('spawn', () => {
      if (child.pid !== undefined) request.onSpawn?.(child.pid);
    });
    child.once('error', (error: NodeJS.ErrnoException) => {
      // Spawn failures emit no 'close'; later errors (a failed kill) are followed by one.
      if (child.pid !== undefined) return;
      cleanUp();
      reject(
        new AudioToolsMissingError(`Could not start ${command} (${error.code ?? error.message}).`, { cause: error }),
      );
    });
    child.once('close', (code, exitSignal) => {
      cleanUp();
      const tail = stderr.text();
      const reason = stop as Stop | null;
      if (reason?.kind === 'timeout') {
        reject(new AudioTimeoutError(`${name} took longer than ${timeoutMs} ms and was killed.`, null, tail));
      } else if (reason?.kind === 'cancelled') {
        reject(new AudioCancelledError(`${name} was cancelled.`));
      } else if (reason?.kind === 'failed') {
        reject(reason.error);
      } else if (code !== 0) {
        const how = code === null ? `was killed by ${exitSignal ?? 'a signal'}` : `exited with code ${code}`;
        reject(new AudioProcessError(`${name} ${how}: ${lastLine(tail)}`, code, tail));
      } else {
        resolve({ stdout: Buffer.concat(stdout), stderrTail: tail });
      }
    });
  });
}

function lastLine(text: string): string {
  return (
    text
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean)
      .at(-1) ?? 'no error output'
  );
}
