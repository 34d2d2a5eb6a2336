import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readOwner } from '../apps/server/src/infra/db/data-dir-lock.js';
import { clusterPaths, findLivePostmaster, isProcessAlive } from '../apps/server/src/infra/db/embedded-postgres.js';
import { buildServer } from '../apps/server/src/test-support/built-cli.js';
import { REPO_ROOT } from './test-support/fresh-checkout.js';
import { stopLeftoverServer } from './test-support/server-processes.js';
import { ShellRun, freePort, killLeftovers, untilOk } from './test-support/shell-run.js';

/*
 * A Ctrl-C in a terminal reaches npm and scripts/veza.mjs together, and npm passes it on once
 * more: veza.mjs gets the same Ctrl-C twice, at moments that vary. The server must get it once,
 * or its second-signal path skips the clean shutdown and leaves the embedded PostgreSQL running.
 * Here the second one arrives, deterministically, while the server is shutting down.
 */

const dirs: string[] = [];

afterAll(async () => {
  killLeftovers();
  for (const dir of dirs) {
    await stopLeftoverServer(dir);
    await fs.rm(dir, { recursive: true, force: true });
  }
});

describe('npm run serve (scripts/veza.mjs serve)', () => {
  it('passes the server one Ctrl-C however often it arrives, so the server stops cleanly', async () => {
    await buildServer(); // so that the job's own `tsc -b` finds nothing to do
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'veza-serve-'));
    dirs.push(dataDir);
    const port = await freePort();
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => key !== 'DATABASE_URL' && !key.startsWith('VEZA_')),
    );
    const serve = new ShellRun(`exec "${process.execPath}" scripts/veza.mjs serve`, {
      cwd: REPO_ROOT,
      env: { ...env, VEZA_DATA_DIR: dataDir, VEZA_PORT: String(port) },
    });
    await untilOk(`http://127.0.0.1:${port}/readyz`, serve, 120_000);
    const owner = await readOwner(dataDir);
    expect(owner, 'the server holds its data dir').toBeDefined();

    process.kill(serve.child.pid!, 'SIGINT');
    await serve.waitForOutput(/"signal":"SIGINT"/, 30_000);
    expect(isProcessAlive(owner!.pid), 'the server is still shutting down').toBe(true);
    process.kill(serve.child.pid!, 'SIGINT');

    expect(await serve.finished(60_000), serve.output).toBe(0);
    expect(serve.output).not.toContain('second signal');
    expect(isProcessAlive(owner!.pid)).toBe(false);
    expect(await findLivePostmaster(clusterPaths(dataDir).clusterDir), 'PostgreSQL still runs').toBeUndefined();
  }, 240_000);
});
