import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, type AuthSession, type ServerFrame, type StreamGrant } from '@veza/shared';
import WebSocket from 'ws';
import { ffprobeJson, makeTone } from '../../test-support/audio-files.js';
import { clusterPaths, findLivePostmaster } from '../../infra/db/embedded-postgres.js';
import { buildServer, CLI } from '../../test-support/built-cli.js';
import { listFiles } from '../../test-support/media.js';
import { childEnv, spawnServer, stopAllServers } from '../../test-support/server-process.js';

/*
 * A server SIGKILLed in the middle of a transcode: nothing half-done is published, and the job
 * is taken over and finished by the next start on the same data dir.
 */

const run = promisify(execFile);
let dataDir: string;
let inputDir: string;

beforeAll(async () => {
  await buildServer();
  dataDir = await mkdtemp(path.join(tmpdir(), 'veza-crash-'));
  inputDir = await mkdtemp(path.join(tmpdir(), 'veza-crash-input-'));
}, 180_000);

afterAll(async () => {
  await stopAllServers();
  // A test that failed between the SIGKILL and the restart leaves the killed server's PostgreSQL.
  const orphan = dataDir ? await findLivePostmaster(clusterPaths(dataDir).clusterDir) : undefined;
  if (orphan) process.kill(orphan.pid, 'SIGINT');
  await rm(dataDir, { recursive: true, force: true });
  await rm(inputDir, { recursive: true, force: true });
});

/** ffmpeg processes working in this data dir (orphans would show up here). */
async function ffmpegsIn(dir: string): Promise<string[]> {
  const { stdout } = await run('ps', ['-eo', 'pid,args']).catch(() => ({ stdout: '' }));
  return stdout.split('\n').filter((line) => line.includes('ffmpeg') && line.includes(dir));
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('a server killed mid-transcode', () => {
  it('publishes nothing half-done, and the next start finishes the job', async () => {
    const first = await spawnServer(dataDir, { VEZA_TRANSCODE_CONCURRENCY: '1' });
    const password = 'crash-test-password-1';
    await run(
      process.execPath,
      [
        CLI,
        'user',
        'create',
        '--email',
        'artist@crash.test',
        '--username',
        'crashartist',
        '--password',
        password,
        '--role',
        'artist',
      ],
      { cwd: dataDir, env: childEnv({ VEZA_DATA_DIR: dataDir }) },
    );
    const login = await fetch(`${first.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'crashartist', password }),
    });
    const session = (await login.json()) as AuthSession;

    // Long enough that the transcode is still running when the progress frame arrives.
    const seconds = 300;
    const file = await makeTone(inputDir, { seconds, format: 'flac', frequency: 330 });
    const socket = new WebSocket(`${first.url.replace('http', 'ws')}/api/v1/ws`);
    const frames: ServerFrame[] = [];
    socket.on('message', (data) => frames.push(JSON.parse(String(data)) as ServerFrame));
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send(JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION, token: session.accessToken, cursors: {} }));

    const form = new FormData();
    form.append('file', new Blob([await readFile(file)]), 'long.flac');
    const upload = await fetch(`${first.url}/api/v1/tracks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${session.accessToken}` },
      body: form,
    });
    expect(upload.status).toBe(202);
    const { id: trackId } = (await upload.json()) as { id: string };

    await waitFor('transcoding progress', 60_000, async () =>
      frames.find((f) => f.type === 'track' && f.trackId === trackId && f.state === 'processing' && f.percent >= 2),
    );
    first.child.kill('SIGKILL');
    await first.exited;
    socket.terminate();

    // ffmpeg writes its progress to the dead server's pipe: it stops instead of running on as an orphan.
    await waitFor('ffmpeg to stop', 15_000, async () => ((await ffmpegsIn(dataDir)).length === 0 ? true : undefined));
    // Nothing was published: the track has no version directory yet.
    const trackDir = path.join(dataDir, 'media', 'tracks', trackId);
    expect((await readdir(trackDir)).sort()).toEqual(['cover.jpg', 'source']);

    const second = await spawnServer(dataDir, { VEZA_TRANSCODE_CONCURRENCY: '1' });
    const relogin = await fetch(`${second.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'crashartist', password }),
    });
    const token = ((await relogin.json()) as AuthSession).accessToken;
    const grant = await waitFor('the track to be ready after the restart', 120_000, async () => {
      const response = await fetch(`${second.url}/api/v1/tracks/${trackId}/stream`, {
        headers: { authorization: `Bearer ${token}` },
      });
      if (response.status === 409) return undefined;
      expect(response.status).toBe(200);
      return (await response.json()) as StreamGrant;
    });
    // VEZA_PORT=0 makes the configured public URL useless for the link's origin; its path is what counts.
    const variant = `${second.url}${new URL(grant.url).pathname.replace(/master\.m3u8$/, '128k/index.m3u8')}`;
    const info = await ffprobeJson(variant);
    expect(Math.abs(Number(info.format.duration) - seconds)).toBeLessThan(0.1);
    expect(await listFiles(path.join(dataDir, 'media', '.scratch'))).toEqual([]);
  }, 300_000);
});
