// Child processes for the scripts, the benchmarks, the chaos test and their tests: free ports,
// starting a process with its log, stopping it by its PID (SIGTERM, then SIGKILL), and knowing
// whether a PID still runs. Plain JavaScript (no build step): the benchmarks and the container
// smoke tests run it as it is. A process is only ever signalled through the handle that started
// it, or by a PID whose command line shows it is the one meant: nothing here ends a process by name.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

export const STOP_TIMEOUT_MS = 15_000;

/** A port nobody listens on right now on `host` (bound, then released: the caller binds it a moment later). */
export function freePort(host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Running, and not a zombie: an exited process stays in the table until its parent reaps it (an
 * orphaned PostgreSQL, say), and kill(pid, 0) still succeeds on it.
 */
export function isAlive(pid) {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if (error.code !== 'EPERM') return false;
  }
  try {
    // The state follows the command name, which may hold spaces and parentheses.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    // Gone between the two reads on Linux; elsewhere there is no /proc and kill(0) is all we know.
    return process.platform !== 'linux';
  }
}

/** The command line of a PID, arguments joined by spaces ('' when it cannot be read). */
export function commandLine(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/**
 * Spawns `command args` and tracks its exit. stdout and stderr go to `logFile` (appended), or
 * stdout is piped (`stdout: 'pipe'`, for a process that prints its port), or stderr shows in the
 * caller's (`stderr: 'inherit'`, for progress). With `ownGroup` (the
 * default) the process leads its own process group: a Ctrl-C in the terminal reaches only the
 * script, which then stops the process once, and `group: true` on stop reaches its descendants.
 */
export function startProcess({
  label,
  command,
  args = [],
  cwd,
  env,
  logFile,
  stdout = 'log',
  stderr = 'log',
  ipc = false,
  ownGroup = true,
}) {
  const log = logFile ? fs.openSync(logFile, 'a') : 'ignore';
  let child;
  try {
    child = spawn(command, args, {
      cwd,
      env,
      detached: ownGroup,
      stdio: [
        'ignore',
        stdout === 'pipe' ? 'pipe' : log,
        stderr === 'inherit' ? 'inherit' : log,
        ...(ipc ? ['ipc'] : []),
      ],
    });
  } finally {
    if (typeof log === 'number') fs.closeSync(log);
  }
  const handle = {
    label,
    child,
    pid: child.pid,
    logFile,
    ownGroup,
    /** The exit result once it is known (undefined while running). */
    result: undefined,
    exit: undefined,
    get running() {
      return handle.result === undefined;
    },
  };
  handle.exit = new Promise((resolve) => {
    const settle = (result) => {
      if (handle.result !== undefined) return;
      handle.result = result;
      resolve(result);
    };
    child.once('exit', (code, signal) => settle({ code, signal }));
    // A spawn that fails (no such command) emits 'error' and never 'exit'.
    child.once('error', (error) => settle({ code: null, signal: null, error }));
  });
  return handle;
}

/**
 * Sends `signal` to a process this script started, or to its whole group (`group: true`, for a
 * process started with `ownGroup`). Does nothing once it has exited: its PID may be reused.
 */
export function signalProcess(handle, signal, { group = false } = {}) {
  if (!handle.running || handle.pid === undefined) return false;
  try {
    if (group && handle.ownGroup) process.kill(-handle.pid, signal);
    else handle.child.kill(signal);
    return true;
  } catch {
    return false; // exited in between
  }
}

/**
 * Stops a process this script started: `signal` (SIGTERM), then SIGKILL when it is still running
 * after `timeoutMs`. Resolves with its exit result, whether SIGKILL was needed, and how long it took.
 */
export async function stopProcess(handle, { signal = 'SIGTERM', timeoutMs = STOP_TIMEOUT_MS, group = false } = {}) {
  const startedAt = performance.now();
  if (!handle.running) return { result: handle.result, forced: false, ms: 0 };
  signalProcess(handle, signal, { group });
  const timedOut = Symbol('timeout');
  const first = await Promise.race([handle.exit, sleep(timeoutMs, timedOut, { ref: false })]);
  if (first !== timedOut) return { result: first, forced: false, ms: performance.now() - startedAt };
  signalProcess(handle, 'SIGKILL', { group });
  const result = await Promise.race([handle.exit, sleep(5000, undefined, { ref: false })]);
  return { result, forced: true, ms: performance.now() - startedAt };
}

/**
 * Stops a process known only by its PID (one another process started: an orphaned PostgreSQL, a
 * server left by a failed test), polling since no exit event reaches a non-parent. With
 * `commandIncludes`, a PID whose command line does not contain that text is left alone (the PID
 * was reused). Resolves with whether it was stopped, and whether SIGKILL was needed.
 */
export async function stopByPid(
  pid,
  { signal = 'SIGTERM', timeoutMs = STOP_TIMEOUT_MS, commandIncludes, pollMs = 25 } = {},
) {
  const startedAt = performance.now();
  if (!isAlive(pid)) return { stopped: false, forced: false, ms: 0, reason: 'not running' };
  if (commandIncludes !== undefined && !commandLine(pid).includes(commandIncludes)) {
    return { stopped: false, forced: false, ms: 0, reason: `pid ${pid} is not "${commandIncludes}"` };
  }
  const send = (sig) => {
    try {
      process.kill(pid, sig);
    } catch {
      // exited in between
    }
  };
  send(signal);
  if (await whenDead(pid, { timeoutMs, pollMs }))
    return { stopped: true, forced: false, ms: performance.now() - startedAt };
  send('SIGKILL');
  await whenDead(pid, { timeoutMs: 5000, pollMs });
  return { stopped: !isAlive(pid), forced: true, ms: performance.now() - startedAt };
}

/** Resolves true once `pid` is no longer alive (see isAlive), false if it still is after `timeoutMs`. */
export async function whenDead(pid, { timeoutMs = STOP_TIMEOUT_MS, pollMs = 25 } = {}) {
  const deadline = performance.now() + timeoutMs;
  while (isAlive(pid)) {
    if (performance.now() > deadline) return false;
    await sleep(pollMs);
  }
  return true;
}

/** The last lines of a log file, to say why a process died ('(no log)' when there is none). */
export async function logTail(file, lines = 20) {
  try {
    return (await fsp.readFile(file, 'utf8')).trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Resolves with the first match of `pattern` in a piped stdout (`stdout: 'pipe'`); rejects when the
 * process exits first or after `timeoutMs`.
 */
export function waitForOutput(handle, pattern, timeoutMs = 10_000) {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk) => {
      text += chunk;
      const match = pattern.exec(text);
      if (match) done(() => resolve(match));
    };
    const timer = setTimeout(
      () => done(() => reject(new Error(`${handle.label} printed no ${pattern} within ${timeoutMs / 1000} s`))),
      timeoutMs,
    );
    const done = (settle) => {
      clearTimeout(timer);
      handle.child.stdout.off('data', onData);
      settle();
    };
    handle.child.stdout.setEncoding('utf8').on('data', onData);
    void handle.exit.then((result) =>
      done(() => reject(new Error(`${handle.label} exited during start-up (${JSON.stringify(result)})`))),
    );
  });
}

/** One GET without keep-alive (no idle connection outlives it); resolves with the status, 0 when refused. */
function statusOf(url, timeoutMs) {
  return new Promise((resolve) => {
    const request = http.get(url, { agent: false, timeout: timeoutMs }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', () => resolve(0));
  });
}

/**
 * Polls `url` until it answers `status` (200): a server is ready. Fails when `process` (the
 * handle of the server) exits first, with the end of its log, or after `timeoutMs`.
 */
export async function waitForHttp(url, { timeoutMs = 60_000, intervalMs = 20, status = 200, process: server } = {}) {
  const deadline = performance.now() + timeoutMs;
  const why = async () => (server?.logFile ? `:\n${await logTail(server.logFile)}` : '');
  for (;;) {
    if (server && !server.running) {
      throw new Error(`${server.label} exited before ${url} answered (${JSON.stringify(server.result)})${await why()}`);
    }
    if ((await statusOf(url, 1000)) === status) return;
    if (performance.now() > deadline)
      throw new Error(`${url} did not answer ${status} within ${timeoutMs / 1000} s${await why()}`);
    await sleep(intervalMs);
  }
}

/** The processes a script started and has not seen exit, so that every exit path can stop them. */
export class ProcessSet {
  #running = new Set();

  /** Starts a process (options of startProcess) and tracks it until it exits. */
  start(options) {
    return this.add(startProcess(options));
  }

  add(handle) {
    if (!handle.running) return handle;
    this.#running.add(handle);
    void handle.exit.then(() => this.#running.delete(handle));
    return handle;
  }

  get size() {
    return this.#running.size;
  }

  /** Stops every tracked process at once (see stopProcess); `onStopped` hears about each. */
  async stopAll(options = {}, onStopped = () => undefined) {
    await Promise.all([...this.#running].map(async (handle) => onStopped(handle, await stopProcess(handle, options))));
  }
}
