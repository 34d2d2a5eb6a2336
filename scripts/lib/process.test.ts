import fs from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ProcessSet,
  commandLine,
  freePort,
  isAlive,
  logTail,
  startProcess,
  stopByPid,
  stopProcess,
  waitForHttp,
  waitForOutput,
  whenDead,
  type RunningProcess,
} from './process.mjs';

/*
 * Real processes (node and sh), each stopped by the test that started it; a failed test's
 * leftovers are stopped by PID in afterEach.
 */

const node = (script: string): { command: string; args: string[] } => ({
  command: process.execPath,
  args: ['-e', script],
});
/** A node process that prints `ready` once its SIGTERM handler is in place, and ignores SIGTERM. */
const STUBBORN = "process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000);";

let work: string;
const started = new ProcessSet();
const orphans: number[] = [];

beforeAll(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'veza-process-'));
});

afterEach(async () => {
  await started.stopAll({ signal: 'SIGKILL', group: true });
  for (const pid of orphans.splice(0)) await stopByPid(pid, { signal: 'SIGKILL' });
});

afterAll(async () => {
  await fs.rm(work, { recursive: true, force: true });
});

function listening(server: Server | net.Server, port: number, host = '127.0.0.1'): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
}

describe('freePort', () => {
  it('gives a port that can be bound at once, on the host asked for', async () => {
    for (const host of ['127.0.0.1', '127.0.0.2']) {
      const port = await freePort(host);
      const server = net.createServer();
      await listening(server, port, host);
      expect((server.address() as net.AddressInfo).port).toBe(port);
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('startProcess and stopProcess', () => {
  it('logs to the file, and the exit result says how the process ended', async () => {
    const logFile = path.join(work, 'exit.log');
    const proc = started.start({
      label: 'exit',
      ...node("console.log('out'); console.error('err'); process.exit(3)"),
      logFile,
    });
    expect(await proc.exit).toEqual({ code: 3, signal: null });
    expect(proc.running).toBe(false);
    expect(await logTail(logFile)).toBe('out\nerr');
    expect(started.size).toBe(0);
  });

  it('reports a command that cannot be spawned instead of waiting for it', async () => {
    const proc = startProcess({ label: 'missing', command: path.join(work, 'no-such-command') });
    const result = await proc.exit;
    expect(result.error?.message).toMatch(/ENOENT/);
  });

  it('stops with SIGTERM when the process obeys it', async () => {
    const proc = started.start({ label: 'sleeper', ...node('setInterval(() => {}, 1000)') });
    const stopped = await stopProcess(proc, { timeoutMs: 10_000 });
    expect(stopped).toMatchObject({ forced: false, result: { code: null, signal: 'SIGTERM' } });
    expect(isAlive(proc.pid!)).toBe(false);
  });

  it('falls back to SIGKILL when the process ignores SIGTERM', async () => {
    const proc = started.start({ label: 'stubborn', ...node(STUBBORN), stdout: 'pipe' });
    await waitForOutput(proc, /ready/);
    const stopped = await stopProcess(proc, { timeoutMs: 200 });
    expect(stopped).toMatchObject({ forced: true, result: { signal: 'SIGKILL' } });
  });

  it('signals the whole group only when asked, so a grandchild goes with its parent', async () => {
    // sh starts a sleep in its group, prints its PID and waits for it.
    const script = 'sleep 30 & echo "grandchild $!"; wait';
    const alone = started.start({ label: 'alone', command: 'sh', args: ['-c', script], stdout: 'pipe' });
    const aloneGrandchild = Number((await waitForOutput(alone, /grandchild (\d+)/))[1]);
    orphans.push(aloneGrandchild);
    await stopProcess(alone, { timeoutMs: 10_000 });
    expect(isAlive(aloneGrandchild), 'only sh was signalled').toBe(true);

    const grouped = started.start({ label: 'grouped', command: 'sh', args: ['-c', script], stdout: 'pipe' });
    const groupedGrandchild = Number((await waitForOutput(grouped, /grandchild (\d+)/))[1]);
    orphans.push(groupedGrandchild);
    await stopProcess(grouped, { timeoutMs: 10_000, group: true });
    expect(await whenDead(groupedGrandchild, { timeoutMs: 10_000 }), 'the group was signalled').toBe(true);
  });

  it('never signals a process that has exited (its PID may belong to another one by now)', async () => {
    const proc = started.start({ label: 'quick', ...node('') });
    await proc.exit;
    const kill = proc.child.kill.bind(proc.child);
    let signalled = false;
    proc.child.kill = (signal) => ((signalled = true), kill(signal));
    expect(await stopProcess(proc)).toMatchObject({ forced: false, ms: 0 });
    expect(signalled).toBe(false);
  });

  it('stopAll stops every process still running', async () => {
    const procs: RunningProcess[] = [1, 2, 3].map((n) =>
      started.start({ label: `p${n}`, ...node('setInterval(() => {}, 1000)') }),
    );
    expect(started.size).toBe(3);
    const seen: string[] = [];
    await started.stopAll({ timeoutMs: 10_000 }, (handle) => seen.push(handle.label));
    expect(seen.sort()).toEqual(['p1', 'p2', 'p3']);
    expect(procs.every((proc) => !proc.running)).toBe(true);
    expect(started.size).toBe(0);
  });
});

describe('isAlive and stopByPid', () => {
  it('counts a zombie (exited, not reaped) as dead', async () => {
    // sh starts a sleep, then becomes another sleep, which never reaps it; the first one is
    // killed once sh has become the second (the exec is polled for: nothing announces it).
    const parent = started.start({
      label: 'zombie-parent',
      command: 'sh',
      args: ['-c', 'sleep 32 & echo "zombie $!"; exec sleep 33'],
      stdout: 'pipe',
    });
    const zombie = Number((await waitForOutput(parent, /zombie (\d+)/))[1]);
    orphans.push(zombie);
    for (let tries = 0; commandLine(parent.pid!) !== 'sleep 33'; tries++) {
      if (tries > 1000) throw new Error('sh never became sleep 33');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    process.kill(zombie, 'SIGKILL');
    expect(await whenDead(zombie, { timeoutMs: 10_000 })).toBe(true);
    expect(() => process.kill(zombie, 0), 'still in the process table').not.toThrow();
    expect(commandLine(zombie), 'a zombie has no command line').toBe('');
  });

  it('stops a process it did not start, by PID, only when its command line is the one meant', async () => {
    // The sleep outlives the node that spawned it (spawn returns once exec is done) and is
    // re-parented: the test is not its parent.
    const parent = startProcess({
      label: 'parent',
      ...node(
        "const c = require('node:child_process').spawn('sleep', ['31'], { detached: true, stdio: 'ignore' }); c.unref(); console.log('pid ' + c.pid);",
      ),
      stdout: 'pipe',
    });
    const pid = Number((await waitForOutput(parent, /pid (\d+)/))[1]);
    orphans.push(pid);
    expect(commandLine(pid)).toBe('sleep 31');

    expect(await stopByPid(pid, { commandIncludes: 'postgres' })).toMatchObject({ stopped: false });
    expect(isAlive(pid), 'a PID that is not the one meant is left alone').toBe(true);

    expect(await stopByPid(pid, { commandIncludes: 'sleep 31', timeoutMs: 10_000 })).toMatchObject({
      stopped: true,
      forced: false,
    });
    expect(isAlive(pid)).toBe(false);
    expect(await stopByPid(pid)).toMatchObject({ stopped: false, reason: 'not running' });
  });
});

describe('waitForHttp', () => {
  it('waits for the status asked for (a server answers 503 until it is ready)', async () => {
    let ready = false;
    let requests = 0;
    const server = createServer((_request, response) => {
      requests += 1;
      if (requests === 3) ready = true;
      response.writeHead(ready ? 200 : 503).end();
    });
    await listening(server, 0);
    const { port } = server.address() as net.AddressInfo;
    try {
      await waitForHttp(`http://127.0.0.1:${port}/readyz`, { timeoutMs: 10_000, intervalMs: 1 });
      expect(requests).toBe(3);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('fails with the end of the log when the server exits before it answers', async () => {
    const logFile = path.join(work, 'crash.log');
    const proc = started.start({ label: 'crash', ...node("console.error('no data dir'); process.exit(1)"), logFile });
    const port = await freePort();
    await expect(waitForHttp(`http://127.0.0.1:${port}/readyz`, { timeoutMs: 30_000, process: proc })).rejects.toThrow(
      /crash exited before .*readyz answered[\s\S]*no data dir/,
    );
  });

  it('fails after the timeout when nothing answers', async () => {
    const port = await freePort();
    await expect(waitForHttp(`http://127.0.0.1:${port}/`, { timeoutMs: 50 })).rejects.toThrow(/did not answer 200/);
  });
});
