import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

export { freePort } from '../lib/process.mjs';

/** A command line running under `sh -c` in its own process group, as a terminal runs it. */
export class ShellRun {
  readonly child: ChildProcess;
  readonly exited: Promise<number>;
  private combined = '';
  private out = '';
  private readonly waiters = new Set<() => void>();

  constructor(command: string, options: { cwd: string; env: NodeJS.ProcessEnv }) {
    this.child = spawn('sh', ['-c', command], { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(this);
    const collect = (stream: 'out' | 'err') => (chunk: string) => {
      this.combined += chunk;
      if (stream === 'out') this.out += chunk;
      for (const wake of this.waiters) wake();
    };
    this.child.stdout!.setEncoding('utf8').on('data', collect('out'));
    this.child.stderr!.setEncoding('utf8').on('data', collect('err'));
    this.exited = new Promise((resolve) =>
      this.child.once('close', (code, signal) => {
        running.delete(this);
        for (const wake of this.waiters) wake();
        // As a shell reports it: a process ended by a signal exits with 128 + its number.
        resolve(code ?? 128 + (signal ? os.constants.signals[signal] : 0));
      }),
    );
  }

  /** stdout and stderr as they interleaved. */
  get output(): string {
    return this.combined;
  }

  get stdout(): string {
    return this.out;
  }

  get lastLine(): string {
    return this.combined.trimEnd().split('\n').at(-1) ?? '';
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves with the first match of `pattern` in the output; rejects if the command ends first. */
  async waitForOutput(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = pattern.exec(this.combined);
      if (match) return match;
      if (!this.running) throw new Error(`The command ended before printing ${pattern}:\n${this.combined}`);
      if (Date.now() > deadline) throw new Error(`No ${pattern} within ${timeoutMs / 1000} s:\n${this.combined}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(wake, Math.max(0, deadline - Date.now()) + 1);
        const waiters = this.waiters;
        function wake(): void {
          clearTimeout(timer);
          waiters.delete(wake);
          resolve();
        }
        waiters.add(wake);
      });
    }
  }

  /** Ctrl-C: SIGINT to the whole process group, as a terminal sends it. */
  interrupt(): void {
    process.kill(-this.child.pid!, 'SIGINT');
  }

  /** Whether any process of the group is left. */
  get groupAlive(): boolean {
    try {
      process.kill(-this.child.pid!, 0);
      return true;
    } catch {
      return false;
    }
  }

  /** The exit code, failing after `timeoutMs` (the group is then killed). */
  async finished(timeoutMs: number): Promise<number> {
    const timedOut = Symbol('timeout');
    const result = await Promise.race([this.exited, sleep(timeoutMs, timedOut, { ref: false })]);
    if (result === timedOut) {
      this.kill();
      throw new Error(`Still running after ${timeoutMs / 1000} s:\n${this.combined}`);
    }
    return result as number;
  }

  kill(): void {
    try {
      process.kill(-this.child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

const running = new Set<ShellRun>();

/** Stops whatever a failed test left running. */
export function killLeftovers(): void {
  for (const run of running) run.kill();
}

/** Polls `url` until it answers 200 (the server is ready), failing if `run` ends first. */
export async function untilOk(url: string, run: ShellRun, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!run.running) throw new Error(`The command ended before ${url} answered:\n${run.output}`);
    const ok = await fetch(url).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s:\n${run.output}`);
}

/** Polls a condition that no event announces (a file another process writes). */
export async function until(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Waited ${timeoutMs / 1000} s for ${what}`);
    await sleep(50);
  }
}

export async function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}
