import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SerialQueue } from './serial-queue.js';

/**
 * Where the refresh token lives. Electron's main process backs it with safeStorage (the OS
 * keychain); the browser host and tests use a 0600 file. Core only ever sees this interface.
 */
export interface SecretStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

/** Secrets in a JSON file readable only by its owner (0600), written atomically. */
export class FileSecretStore implements SecretStore {
  private readonly writes = new SerialQueue();

  constructor(private readonly file: string) {}

  private async readAll(): Promise<Record<string, string>> {
    try {
      const parsed: unknown = JSON.parse(await readFile(this.file, 'utf8'));
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
      return Object.fromEntries(
        Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
      );
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      // A corrupt secrets file means signing in again, not a crash.
      return {};
    }
  }

  private async writeAll(secrets: Record<string, string>): Promise<void> {
    await mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const temporary = `${this.file}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(secrets), { mode: 0o600 });
    await chmod(temporary, 0o600);
    await rename(temporary, this.file);
  }

  async get(key: string): Promise<string | null> {
    return (await this.readAll())[key] ?? null;
  }

  set(key: string, value: string): Promise<void> {
    return this.writes.run(async () => {
      const secrets = await this.readAll();
      secrets[key] = value;
      await this.writeAll(secrets);
    });
  }

  delete(key: string): Promise<void> {
    return this.writes.run(async () => {
      const secrets = await this.readAll();
      if (!(key in secrets)) return;
      delete secrets[key];
      await this.writeAll(secrets);
    });
  }
}

/** Keeps secrets for the life of the process only (used where no safe store is available). */
export class MemorySecretStore implements SecretStore {
  private readonly secrets = new Map<string, string>();
  async get(key: string): Promise<string | null> {
    return this.secrets.get(key) ?? null;
  }
  async set(key: string, value: string): Promise<void> {
    this.secrets.set(key, value);
  }
  async delete(key: string): Promise<void> {
    this.secrets.delete(key);
  }
}
