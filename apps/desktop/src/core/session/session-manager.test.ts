import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { User } from '@veza/shared';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DesktopError } from '../../common/errors.js';
import { startTestServer, type TestServer } from '../../test-support/test-server.js';
import { normaliseServerUrl } from '../api/api-client.js';
import { FileSecretStore } from './secret-store.js';
import { SessionManager } from './session-manager.js';

let server: TestServer;
let dataDir: string;
let now = Date.now();

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(async (context) => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'veza-session-'));
  now = Date.now();
  context.onTestFinished(() => rm(dataDir, { recursive: true, force: true }));
});

function manager(): SessionManager {
  return new SessionManager(dataDir, new FileSecretStore(path.join(dataDir, 'secrets.json')), { now: () => now });
}

async function errorOf(promise: Promise<unknown>): Promise<DesktopError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DesktopError);
  return error as DesktopError;
}

async function whoAmI(session: SessionManager): Promise<User> {
  return session.api().request<User>('GET', '/api/v1/me');
}

describe('SessionManager', () => {
  it('signs in, keeps the refresh token only in the 0600 secret file, and calls the API', async () => {
    const account = await server.signUp();
    const session = manager();
    const state = await session.signIn({
      serverUrl: `${server.url}/`,
      login: account.user.username,
      password: account.password,
    });
    expect(state).toMatchObject({ status: 'signed-in', serverUrl: server.url, user: { id: account.user.id } });
    expect((await whoAmI(session)).id).toBe(account.user.id);

    const secrets = path.join(dataDir, 'secrets.json');
    expect((await stat(secrets)).mode & 0o777).toBe(0o600);
    const onDisk = await readFile(path.join(dataDir, 'session.json'), 'utf8');
    expect(onDisk).not.toContain('refresh');
    expect(onDisk).not.toMatch(/eyJ/); // no JWT either
    expect(JSON.parse(await readFile(secrets, 'utf8'))).toEqual({ refreshToken: expect.any(String) });
  });

  it('signs up a new account', async () => {
    const session = manager();
    const name = `desk${Date.now().toString(36)}`;
    const state = await session.signUp({
      serverUrl: server.url,
      email: `${name}@example.test`,
      username: name,
      password: 'a long enough password',
    });
    expect(state.status === 'signed-in' && state.user.username).toBe(name);
  });

  it('refreshes an expired access token and rotates the refresh token', async () => {
    const account = await server.signUp();
    const session = manager();
    await session.signIn({ serverUrl: server.url, login: account.user.email, password: account.password });
    const secrets = new FileSecretStore(path.join(dataDir, 'secrets.json'));
    const first = await secrets.get('refreshToken');
    const token = await session.accessToken();

    now += 60 * 60 * 1000; // past the access token's lifetime, as far as the client knows
    const renewed = await session.accessToken();
    expect(renewed).not.toBe(token);
    expect(await secrets.get('refreshToken')).not.toBe(first);
    expect((await whoAmI(session)).id).toBe(account.user.id);
  });

  it('shares one refresh between concurrent callers (a second would spend the token twice)', async () => {
    const account = await server.signUp();
    const session = manager();
    await session.signIn({ serverUrl: server.url, login: account.user.username, password: account.password });
    now += 60 * 60 * 1000;
    const tokens = await Promise.all([session.accessToken(), session.accessToken(), session.renewAccessToken()]);
    expect(new Set(tokens).size).toBe(1);
    expect(session.state().status).toBe('signed-in');
  });

  it('restores the session after a restart without the network, then refreshes when asked', async () => {
    const account = await server.signUp();
    await manager().signIn({ serverUrl: server.url, login: account.user.username, password: account.password });

    await server.stop();
    try {
      const restarted = manager();
      expect(await restarted.restore()).toMatchObject({ status: 'signed-in', user: { id: account.user.id } });
      expect((await errorOf(restarted.accessToken())).code).toBe('OFFLINE');
      expect(restarted.state().status).toBe('signed-in'); // offline is not signed out
    } finally {
      await server.restart();
    }
    const again = manager();
    await again.restore();
    expect((await whoAmI(again)).id).toBe(account.user.id);
  });

  it('signs out when the server refuses the refresh token, and forgets the secret', async () => {
    const account = await server.signUp();
    const session = manager();
    await session.signIn({ serverUrl: server.url, login: account.user.username, password: account.password });
    const changes: string[] = [];
    session.onChange((state) => changes.push(state.status));
    const secrets = new FileSecretStore(path.join(dataDir, 'secrets.json'));
    await secrets.set('refreshToken', 'not-a-real-token');

    now += 60 * 60 * 1000;
    expect((await errorOf(session.accessToken())).code).toBe('NOT_SIGNED_IN');
    expect(session.state().status).toBe('signed-out');
    expect(changes).toEqual(['signed-out']);
    expect(await secrets.get('refreshToken')).toBeNull();
    expect((await manager().restore()).status).toBe('signed-out');
  });

  it('a refresh still on its way when the user signs out does not sign them back in', async () => {
    const account = await server.signUp();
    await manager().signIn({ serverUrl: server.url, login: account.user.username, password: account.password });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slowRefresh: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (String(input).endsWith('/api/v1/auth/refresh')) await gate;
      return response;
    };
    const secrets = new FileSecretStore(path.join(dataDir, 'secrets.json'));
    const restarted = new SessionManager(dataDir, secrets, { now: () => now, fetch: slowRefresh });
    await restarted.restore();
    const changes: string[] = [];
    restarted.onChange((state) => changes.push(state.status));

    const pending = restarted.accessToken(); // the chat socket connecting after a restart
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await restarted.signOut()).status).toBe('signed-out');
    release();
    expect((await errorOf(pending)).code).toBe('NOT_SIGNED_IN');

    expect(restarted.state().status).toBe('signed-out');
    expect(changes).toEqual(['signed-out']);
    expect(await secrets.get('refreshToken')).toBeNull();
    expect((await manager().restore()).status).toBe('signed-out');
  });

  it('signs out on the server too: the old refresh token no longer works', async () => {
    const account = await server.signUp();
    const session = manager();
    await session.signIn({ serverUrl: server.url, login: account.user.username, password: account.password });
    const refreshToken = await new FileSecretStore(path.join(dataDir, 'secrets.json')).get('refreshToken');
    expect((await session.signOut()).status).toBe('signed-out');
    const response = await fetch(`${server.url}/api/v1/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken }),
    });
    expect(response.status).toBe(401);
  });

  it('gives the server’s error for a wrong password and OFFLINE for a server that is not there', async () => {
    const account = await server.signUp();
    const wrong = await errorOf(
      manager().signIn({ serverUrl: server.url, login: account.user.username, password: 'nope-nope' }),
    );
    expect(wrong.code).toBe('INVALID_CREDENTIALS');
    const nowhere = await errorOf(manager().signIn({ serverUrl: 'http://127.0.0.1:1', login: 'a', password: 'b' }));
    expect(nowhere.code).toBe('OFFLINE');
    expect(nowhere.message).toMatch(/cannot be reached/);
  });

  it('refuses to change the server while signed in', async () => {
    const account = await server.signUp();
    const session = manager();
    await session.signIn({ serverUrl: server.url, login: account.user.username, password: account.password });
    expect((await errorOf(session.setServerUrl('http://elsewhere.test'))).code).toBe('CONFLICT');
  });
});

describe('normaliseServerUrl', () => {
  it.each([
    ['127.0.0.1:8080', 'http://127.0.0.1:8080'],
    ['http://127.0.0.1:8080/', 'http://127.0.0.1:8080'],
    ['  https://veza.example/base//  ', 'https://veza.example/base'],
    ['HTTPS://Veza.Example', 'https://veza.example'],
  ])('%j → %j', (input, expected) => {
    expect(normaliseServerUrl(input)).toBe(expected);
  });

  it.each(['ftp://veza.example', 'http://user:pw@veza.example', 'http://', 'javascript:alert(1)'])(
    'refuses %j',
    (input) => {
      expect(() => normaliseServerUrl(input)).toThrow(DesktopError);
    },
  );
});

describe('FileSecretStore', () => {
  it('keeps every key when writes overlap (each is a read-modify-write of one file)', async () => {
    const store = new FileSecretStore(path.join(dataDir, 'overlap.json'));
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.set(`key${i}`, `value${i}`)));
    await Promise.all([store.delete('key3'), store.set('key20', 'value20'), store.delete('key7')]);
    const stored = JSON.parse(await readFile(path.join(dataDir, 'overlap.json'), 'utf8')) as Record<string, string>;
    expect(Object.keys(stored).sort()).toEqual(
      [...Array.from({ length: 21 }, (_, i) => `key${i}`)].filter((k) => k !== 'key3' && k !== 'key7').sort(),
    );
  });
});
