import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SafeStorageSecretStore, type SafeStorageLike } from './secret-store.js';

/** A stand-in keychain: reversible, and obviously not plaintext. */
function fakeSafeStorage(available = true, backend = 'gnome_libsecret'): SafeStorageLike {
  return {
    isAsyncEncryptionAvailable: async () => available,
    encryptStringAsync: async (text) => Buffer.from(`enc:${[...text].reverse().join('')}`),
    decryptStringAsync: async (data) => {
      const text = data.toString();
      if (!text.startsWith('enc:')) throw new Error('bad data');
      return { result: [...text.slice(4)].reverse().join('') };
    },
    getSelectedStorageBackend: () => backend,
  };
}

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'veza-secrets-'));
  file = path.join(dir, 'secrets.json');
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

describe('SafeStorageSecretStore', () => {
  it('stores secrets encrypted, base64, in a 0600 file', async () => {
    const log = { warn: vi.fn() };
    const store = new SafeStorageSecretStore({ file, safeStorage: fakeSafeStorage(), platform: 'linux', log });
    await store.set('refresh', 'token-123');
    const raw = await readFile(file, 'utf8');
    expect(raw).not.toContain('token-123');
    expect(Buffer.from(JSON.parse(raw).refresh, 'base64').toString()).toBe('enc:321-nekot');
    if (process.platform !== 'win32') expect((await stat(file)).mode & 0o777).toBe(0o600);
    // A new instance (next start) reads it back.
    const again = new SafeStorageSecretStore({ file, safeStorage: fakeSafeStorage(), platform: 'linux', log });
    expect(await again.get('refresh')).toBe('token-123');
    await again.delete('refresh');
    expect(await again.get('refresh')).toBeNull();
    expect(log.warn).not.toHaveBeenCalled();
  });

  it('keeps secrets in memory only, with a warning, when no keychain is available', async () => {
    for (const [safeStorage, platform] of [
      [fakeSafeStorage(false), 'linux'],
      [fakeSafeStorage(true, 'basic_text'), 'linux'],
    ] as const) {
      const log = { warn: vi.fn() };
      const store = new SafeStorageSecretStore({ file, safeStorage, platform, log });
      await store.set('refresh', 'token-123');
      await store.set('other', 'x');
      expect(await store.get('refresh')).toBe('token-123');
      await expect(stat(file)).rejects.toThrow();
      expect(log.warn).toHaveBeenCalledOnce();
      const nextStart = new SafeStorageSecretStore({ file, safeStorage, platform, log });
      expect(await nextStart.get('refresh')).toBeNull();
    }
  });

  it('treats an undecryptable or corrupt file as signed out', async () => {
    const log = { warn: vi.fn() };
    await writeFile(file, JSON.stringify({ refresh: Buffer.from('garbage').toString('base64') }));
    const store = new SafeStorageSecretStore({ file, safeStorage: fakeSafeStorage(), platform: 'darwin', log });
    expect(await store.get('refresh')).toBeNull();
    await writeFile(file, '{corrupt');
    expect(await store.get('refresh')).toBeNull();
    await store.set('refresh', 'fresh');
    expect(await store.get('refresh')).toBe('fresh');
  });
});
