import { describe, expect, it } from 'vitest';
import { AudioCancelledError, AudioProcessError, AudioTimeoutError } from './errors.js';
import { KILL_GRACE_MS, runProcess } from './runner.js';
import { processExists, tools } from './test-support/fixtures.js';

/** ffmpeg generating audio in real time, forever: only a timeout or an abort ends it. */
const ENDLESS = ['-hide_banner', '-nostdin', '-re', '-f', 'lavfi', '-i', 'sine', '-f', 'null', '-'];

describe('runProcess', () => {
  it('kills a process that outlives its timeout and leaves no process behind', async () => {
    let pid = 0;
    const started = Date.now();
    const error = await runProcess({
      command: tools.ffmpeg,
      args: ENDLESS,
      timeoutMs: 300,
      onSpawn: (id) => (pid = id),
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AudioTimeoutError);
    expect(error).toBeInstanceOf(AudioProcessError);
    expect((error as AudioTimeoutError).exitCode).toBeNull();
    expect(pid).toBeGreaterThan(0);
    expect(processExists(pid)).toBe(false);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('follows up with SIGKILL when the child ignores SIGTERM', async () => {
    let pid = 0;
    const started = Date.now();
    const stubborn = "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000); console.log('ready');";
    const running = runProcess({
      command: process.execPath,
      args: ['-e', stubborn],
      // Long enough for Node to install its handler before the SIGTERM arrives.
      timeoutMs: 1000,
      onSpawn: (id) => (pid = id),
    });
    await expect(running).rejects.toBeInstanceOf(AudioTimeoutError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000 + KILL_GRACE_MS - 50);
    expect(processExists(pid)).toBe(false);
  });

  it('cancels on abort with AudioCancelledError once the child has exited', async () => {
    const controller = new AbortController();
    let pid = 0;
    const running = runProcess({
      command: tools.ffmpeg,
      args: ENDLESS,
      timeoutMs: 30_000,
      signal: controller.signal,
      onSpawn: (id) => {
        pid = id;
        setTimeout(() => controller.abort(), 100);
      },
    });
    await expect(running).rejects.toBeInstanceOf(AudioCancelledError);
    expect(processExists(pid)).toBe(false);
  });

  it('does not start when the signal has already fired', async () => {
    let spawned = false;
    const running = runProcess({
      command: tools.ffmpeg,
      args: ENDLESS,
      timeoutMs: 30_000,
      signal: AbortSignal.abort(),
      onSpawn: () => (spawned = true),
    });
    await expect(running).rejects.toBeInstanceOf(AudioCancelledError);
    expect(spawned).toBe(false);
  });

  it('reports a failed run with its exit code and the end of stderr', async () => {
    const error = (await runProcess({
      command: tools.ffmpeg,
      args: ['-hide_banner', '-nostdin', '-i', 'file:/definitely/not/here.wav', '-f', 'null', '-'],
      timeoutMs: 10_000,
    }).catch((caught: unknown) => caught)) as AudioProcessError;
    expect(error).toBeInstanceOf(AudioProcessError);
    expect(error.exitCode).toBe(1);
    expect(error.stderrTail).toContain('No such file or directory');
    expect(error.message).toMatch(/^ffmpeg exited with code 1: .*No such file or directory/);
  });

  it('caps collected stdout', async () => {
    const running = runProcess({
      command: tools.ffmpeg,
      args: ['-hide_banner', '-nostdin', '-f', 'lavfi', '-i', 'sine=d=5', '-f', 's16le', 'pipe:1'],
      timeoutMs: 10_000,
      maxStdoutBytes: 10_000,
    });
    await expect(running).rejects.toThrow(/more than 10000 bytes/);
  });

  it('stops the process when the stdout consumer throws', async () => {
    const running = runProcess({
      command: tools.ffmpeg,
      args: ['-hide_banner', '-nostdin', '-f', 'lavfi', '-i', 'sine=d=5', '-f', 's16le', 'pipe:1'],
      timeoutMs: 10_000,
      onStdout: () => {
        throw new Error('consumer gave up');
      },
    });
    await expect(running).rejects.toThrow('consumer gave up');
  });
});
