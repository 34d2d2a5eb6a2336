import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandOutcome, CoreEvent, SessionState } from '../common/contract.js';
import { startTestServer, type TestServer } from '../test-support/test-server.js';
import { bundleForNode } from './chat/test-support/bundle.js';
import { FileSecretStore, MemorySecretStore } from './session/secret-store.js';
import { accountDir } from './session/session-manager.js';
import { startCoreWorker, type CoreClient } from './worker/core-client.js';
import { startCoreInProcess } from './worker/in-process.js';

const here = path.dirname(fileURLToPath(import.meta.url));
let server: TestServer;
let scratch: string;

beforeAll(async () => {
  server = await startTestServer();
  scratch = await mkdtemp(path.join(tmpdir(), 'veza-core-'));
});
afterAll(async () => {
  await server.close();
  await rm(scratch, { recursive: true, force: true });
});

function value<T>(outcome: CommandOutcome<unknown>): T {
  if (!outcome.ok) throw new Error(`${outcome.error.code}: ${outcome.error.message}`);
  return outcome.value as T;
}

async function freshDir(): Promise<string> {
  return mkdtemp(path.join(scratch, 'data-'));
}

async function signedInCore(dataDir: string): Promise<{ core: CoreClient; events: CoreEvent[]; userId: string }> {
  const account = await server.signUp();
  const core = await startCoreInProcess({
    dataDir,
    secretStore: new FileSecretStore(path.join(dataDir, 'secrets.json')),
    localMediaBase: 'http://127.0.0.1:9/local-media/',
    backoff: { minDelayMs: 50, maxDelayMs: 500 },
  });
  const events: CoreEvent[] = [];
  core.onEvent((event) => events.push(event));
  const session = value<SessionState>(
    await core.invoke('signIn', { serverUrl: server.url, login: account.user.username, password: account.password }),
  );
  expect(session.status).toBe('signed-in');
  return { core, events, userId: account.user.id };
}

describe('DesktopCore', () => {
  it('refuses unknown commands and bad arguments before doing anything', async () => {
    const core = await startCoreInProcess({
      dataDir: await freshDir(),
      secretStore: new MemorySecretStore(),
      localMediaBase: 'x:',
    });
    try {
      const unknown = await core.invoke('dropTables' as never, {});
      expect(unknown).toEqual({ ok: false, error: { code: 'UNKNOWN_COMMAND', message: expect.any(String) } });
      const proto = await core.invoke('__proto__' as never, {});
      expect(proto.ok || proto.error.code).toBe('UNKNOWN_COMMAND');
      for (const [command, args] of [
        ['sendMessage', { roomId: 'not-a-uuid', body: 'hi' }],
        ['sendMessage', { roomId: '0190a0a0-0000-7000-8000-000000000000', body: '' }],
        ['sendMessage', { roomId: '0190a0a0-0000-7000-8000-000000000000', body: 'x'.repeat(4001) }],
        ['signIn', { serverUrl: 'file:///etc/passwd', login: 'a', password: 'b' }],
        ['getMessages', { roomId: '0190a0a0-0000-7000-8000-000000000000', extra: true }],
        ['updateSettings', { volume: 7 }],
        ['uploadTrack', { uploadId: '0190a0a0-0000-7000-8000-000000000000', fileName: 'a.mp3', data: 'not bytes' }],
        ['signOut', null],
      ] as const) {
        const outcome = await core.invoke(command, args);
        expect(outcome.ok, `${command} ${JSON.stringify(args)}`).toBe(false);
        if (!outcome.ok) expect(outcome.error.code).toBe('INVALID_ARGUMENT');
      }
    } finally {
      await core.close();
    }
  });

  it('answers account commands with NOT_SIGNED_IN while signed out', async () => {
    const core = await startCoreInProcess({
      dataDir: await freshDir(),
      secretStore: new MemorySecretStore(),
      localMediaBase: 'x:',
    });
    try {
      expect(value<SessionState>(await core.invoke('getSession', undefined))).toEqual({
        status: 'signed-out',
        serverUrl: 'http://127.0.0.1:8080',
      });
      for (const outcome of [await core.invoke('listRooms', undefined), await core.invoke('listTracks', {})]) {
        expect(outcome.ok ? null : outcome.error.code).toBe('NOT_SIGNED_IN');
      }
    } finally {
      await core.close();
    }
  });

  it('stays signed in across a restart, opening the same cache, and remembers the server', async () => {
    const dataDir = await freshDir();
    const { core, events, userId } = await signedInCore(dataDir);
    expect(events).toContainEqual({
      type: 'session.changed',
      session: expect.objectContaining({ status: 'signed-in' }),
    });
    expect(value<{ serverUrl: string }>(await core.invoke('getSettings', undefined)).serverUrl).toBe(server.url);
    await core.close();
    expect(existsSync(path.join(accountDir(dataDir, server.url, userId), 'cache.sqlite'))).toBe(true);

    const reopened = await startCoreInProcess({
      dataDir,
      secretStore: new FileSecretStore(path.join(dataDir, 'secrets.json')),
      localMediaBase: 'x:',
    });
    try {
      const session = value<SessionState>(await reopened.invoke('getSession', undefined));
      expect(session.status === 'signed-in' && session.user.id).toBe(userId);
      expect(Array.isArray(value(await reopened.invoke('listRooms', undefined)))).toBe(true);
    } finally {
      await reopened.close();
    }
  });

  it('signs out keeping the cache, or wiping it when the user asks', async () => {
    for (const wipeCache of [false, true]) {
      const dataDir = await freshDir();
      const { core, userId } = await signedInCore(dataDir);
      const dir = accountDir(dataDir, server.url, userId);
      // An offline copy in this account's downloads folder goes with the cache, or stays with it.
      const { downloads } = await core.localMediaRoots();
      const offlineCopy = path.join(downloads!, 'offline-copy.m4a');
      await mkdir(downloads!, { recursive: true });
      await writeFile(offlineCopy, 'audio');
      const state = value<SessionState>(await core.invoke('signOut', { wipeCache }));
      expect(state.status).toBe('signed-out');
      expect(existsSync(path.join(dir, 'cache.sqlite'))).toBe(!wipeCache);
      expect(existsSync(offlineCopy)).toBe(!wipeCache);
      expect(JSON.parse(await readFile(path.join(dataDir, 'secrets.json'), 'utf8'))).toEqual({});
      expect(value<{ status: string }>(await core.invoke('getConnection', undefined)).status).toBe('signed-out');
      await core.close();
    }
  });

  it('refuses a second sign-in while signed in: accounts switch through sign-out', async () => {
    const { core, userId } = await signedInCore(await freshDir());
    try {
      const other = await server.signUp();
      const refused = await core.invoke('signIn', {
        serverUrl: server.url,
        login: other.user.username,
        password: other.password,
      });
      expect(refused.ok ? null : refused.error.code).toBe('CONFLICT');
      const session = value<SessionState>(await core.invoke('getSession', undefined));
      expect(session.status === 'signed-in' && session.user.id).toBe(userId);
    } finally {
      await core.close();
    }
  });

  it('refuses to change the server while signed in, and changes it once signed out', async () => {
    const { core } = await signedInCore(await freshDir());
    try {
      const refused = await core.invoke('updateSettings', { serverUrl: 'http://127.0.0.1:9999' });
      expect(refused.ok ? null : refused.error.code).toBe('CONFLICT');
      value(await core.invoke('signOut', { wipeCache: false }));
      const settings = value<{ serverUrl: string }>(
        await core.invoke('updateSettings', { serverUrl: '127.0.0.1:9999/' }),
      );
      expect(settings.serverUrl).toBe('http://127.0.0.1:9999');
      expect(value<SessionState>(await core.invoke('getSession', undefined)).serverUrl).toBe('http://127.0.0.1:9999');
    } finally {
      await core.close();
    }
  });
});

describe('the core worker thread', () => {
  it('fails to start, rather than hang, when the worker exits before it is ready', async () => {
    const workerPath = path.join(scratch, 'exits-at-once.cjs');
    await writeFile(workerPath, 'process.exit(3);\n');
    await expect(
      startCoreWorker({
        workerPath,
        dataDir: await freshDir(),
        secretStore: new MemorySecretStore(),
        localMediaBase: 'x:',
      }),
    ).rejects.toThrow(/exit code 3/);
  });

  it('runs core off the calling thread and keeps the refresh token in the shell’s secret store', async () => {
    const workerPath = path.join(scratch, 'core-worker.mjs');
    await bundleForNode(path.join(here, 'worker', 'core-worker.ts'), workerPath);
    const dataDir = await freshDir();
    const secretsFile = path.join(dataDir, 'shell-secrets.json');
    const account = await server.signUp();
    const core = await startCoreWorker({
      workerPath,
      dataDir,
      secretStore: new FileSecretStore(secretsFile),
      localMediaBase: 'x:',
    });
    try {
      const events: CoreEvent[] = [];
      core.onEvent((event) => events.push(event));
      const session = value<SessionState>(
        await core.invoke('signIn', {
          serverUrl: server.url,
          login: account.user.username,
          password: account.password,
        }),
      );
      expect(session.status).toBe('signed-in');
      // The worker has no file of its own for secrets: the parent's store holds the token.
      expect(JSON.parse(await readFile(secretsFile, 'utf8'))).toEqual({ refreshToken: expect.any(String) });
      expect((await stat(secretsFile)).mode & 0o777).toBe(0o600);
      expect(existsSync(path.join(dataDir, 'secrets.json'))).toBe(false);
      expect(events.some((event) => event.type === 'session.changed')).toBe(true);
      const refused = await core.invoke('getMessages', { roomId: 'nope' });
      expect(refused.ok ? null : refused.error.code).toBe('INVALID_ARGUMENT');
      expect(await core.localMediaRoots()).toEqual({
        downloads: expect.any(String),
        covers: expect.stringContaining(account.user.id),
      });
    } finally {
      await core.close();
    }
    const after = await core.invoke('getSession', undefined);
    expect(after.ok ? null : after.error.code).toBe('INTERNAL_ERROR');
  });
});
