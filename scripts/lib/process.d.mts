// Types for process.mjs (plain JavaScript so that the benchmarks and smoke tests run without a build).
import type { ChildProcess } from 'node:child_process';

export const STOP_TIMEOUT_MS: number;

export interface ExitResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be spawned at all. */
  error?: Error;
}

export interface RunningProcess {
  readonly label: string;
  readonly child: ChildProcess;
  readonly pid: number | undefined;
  readonly logFile: string | undefined;
  readonly ownGroup: boolean;
  /** The exit result once known, undefined while the process runs. */
  readonly result: ExitResult | undefined;
  readonly exit: Promise<ExitResult>;
  readonly running: boolean;
}

export interface StartOptions {
  label: string;
  command: string;
  args?: readonly string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** stdout and stderr are appended here (stderr only with `stdout: 'pipe'`); discarded without. */
  logFile?: string;
  stdout?: 'log' | 'pipe';
  stderr?: 'log' | 'inherit';
  /** An IPC channel (child.send), as `fork` gives. */
  ipc?: boolean;
  /** Lead a process group of its own (default true). */
  ownGroup?: boolean;
}

export interface StopOptions {
  signal?: NodeJS.Signals;
  timeoutMs?: number;
  /** Signal the whole process group (for a process started with ownGroup). */
  group?: boolean;
}

export interface Stopped {
  result: ExitResult | undefined;
  /** SIGKILL was needed. */
  forced: boolean;
  ms: number;
}

export function freePort(host?: string): Promise<number>;
export function isAlive(pid: number): boolean;
export function commandLine(pid: number): string;
export function startProcess(options: StartOptions): RunningProcess;
export function signalProcess(handle: RunningProcess, signal: NodeJS.Signals, options?: { group?: boolean }): boolean;
export function stopProcess(handle: RunningProcess, options?: StopOptions): Promise<Stopped>;
export function stopByPid(
  pid: number,
  options?: { signal?: NodeJS.Signals; timeoutMs?: number; commandIncludes?: string; pollMs?: number },
): Promise<{ stopped: boolean; forced: boolean; ms: number; reason?: string }>;
export function whenDead(pid: number, options?: { timeoutMs?: number; pollMs?: number }): Promise<boolean>;
export function logTail(file: string, lines?: number): Promise<string>;
export function waitForOutput(handle: RunningProcess, pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
export function waitForHttp(
  url: string,
  options?: { timeoutMs?: number; intervalMs?: number; status?: number; process?: RunningProcess },
): Promise<void>;

export class ProcessSet {
  start(options: StartOptions): RunningProcess;
  add(handle: RunningProcess): RunningProcess;
  readonly size: number;
  stopAll(options?: StopOptions, onStopped?: (handle: RunningProcess, stopped: Stopped) => void): Promise<void>;
}
