import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SecretStore } from '../core/session/secret-store.js';
import { SerialQueue } from '../core/session/serial-queue.js';
import type { Logger } from './logger.js';

/** The part of Electron's safeStorage this store uses (async API; the sync one is deprecated). */
export interface SafeStorageLike {
  isAsyncEncryptionAvailable(): Promise<boolean>;
  encryptStringAsync(plainText: string): Promise<Buffer>;
  decryptStringAsync(encrypted: Buffer): Promise<{ result: string }>;
  /** Linux only. */
  getSelectedStorageBackend?(): string;
}

export interface SafeStorageSecretStoreOptions {
  /** userData/secrets.json */
  file: string;
  safeStorage: SafeStorageLike;
  platform: NodeJS.Platform;
  log: Pick<Logger, 'warn'>;
}

/**
 * Secrets (the refresh token) encrypted by the OS keychain through safeStorage, kept as base64
 * in a 0600 JSON file. When no real keychain is available — safeStorage says so, or on Linux it
 * fell back to its `basic_text` backend, which is a hard-coded key — nothing is written to disk:
 * the secret lives in memory and the user signs in again on the next start. That is the price of
 * never storing a token in plaintext.
 */
export class SafeStorageSecretStore implements SecretStore {
  private readonly memory = new Map<string, string>();
  // set and delete read, change and rewrite one file: they must not interleave.
  private readonly writes = new SerialQueue();
  private availability: Promise<boolean> | null = null;
  private warned = false;

  constructor(private readonly options: SafeStorageSecretStoreOptions) {}

  private encryptionAvailable(): Promise<boolean> {
    this.availability ??= (async () => {
      const { safeStorage, platform } = this.options;
      if (platform === 'linux' && safeStorage.getSelectedStorageBackend?.() === 'basic_text') return false;
      try {
        return await safeStorage.isAsyncEncryptionAvailable();
      } catch {
        return false;
      }
    })();
    return this.availability;
  }

  private warnOnce(): void {
    if (this.warned) return;
    this.warned = true;
    this.options.log.warn(
      'No OS keychain is available (on Linux: install and unlock a Secret Service keyring such as GNOME Keyring or KWallet). ' +
        'Your session is kept in memory only: you will be asked to sign in again next time Veza starts.',
    );
  }

  private async readAll(): Promise<Record<string, string>> {
    try {
      const parsed: unknown = JSON.parse(await readFile(this.options.file, 'utf8'));
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
      return Object.fromEntries(
        Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
      );
    } catch {
      // Missing or corrupt: the user signs in again; never a crash.
      return {};
    }
  }

  private async writeAll(secrets: Record<string, string>): Promise<void> {
    const { file } = this.options;
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(secrets), { mode: 0o600 });
    await chmod(temporary, 0o600);
    await rename(temporary, file);
  }

  async get(key: string): Promise<string | null> {
    const remembered = this.memory.get(key);
    if (remembered !== undefined) return remembered;
    if (!(await this.encryptionAvailable())) return null;
    const stored = (await this.readAll())[key];
    if (stored === undefined) return null;
    try {
      return (await this.options.safeStorage.decryptStringAsync(Buffer.from(stored, 'base64'))).result;
    } catch {
      // Encrypted by another keychain (profile copied, keyring reset): unusable, sign in again.
      return null;
    }
  }

  async set(key: string, value: string): Promise<void> {
    if (!(await this.encryptionAvailable())) {
      this.warnOnce();
      this.memory.set(key, value);
      return;
    }
    const encrypted = await this.options.safeStorage.encryptStringAsync(value);
    await this.writes.run(async () => {
      const secrets = await this.readAll();
      secrets[key] = encrypted.toString('base64');
      await this.writeAll(secrets);
    });
  }

  async delete(key: string): Promise<void> {
    this.memory.delete(key);
    await this.writes.run(async () => {
      const secrets = await this.readAll();
      if (!(key in secrets)) return;
      delete secrets[key];
      await this.writeAll(secrets);
    });
  }
}
