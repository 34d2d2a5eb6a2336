import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PlaybackQuality, Settings, ThemePreference } from '../../common/contract.js';
import { DesktopError } from '../../common/errors.js';

export const DEFAULT_DOWNLOAD_QUOTA_BYTES = 10 * 1024 ** 3;
const MAX_QUOTA_BYTES = 2 ** 50;
const THEMES: readonly ThemePreference[] = ['system', 'light', 'dark'];
const QUALITIES: readonly PlaybackQuality[] = ['auto', '64k', '128k', '256k'];

export function defaultSettings(dataDir: string): Settings {
  return {
    serverUrl: 'http://127.0.0.1:8080',
    theme: 'system',
    startMinimised: false,
    notifications: true,
    downloadsDir: path.join(dataDir, 'downloads'),
    downloadQuotaBytes: DEFAULT_DOWNLOAD_QUOTA_BYTES,
    playbackQuality: 'auto',
    volume: 0.8,
  };
}

type Validators = { [K in keyof Settings]: (value: unknown) => value is Settings[K] };

/** One check per field: a hand-edited or older file keeps every field that is still valid. */
const VALID: Validators = {
  serverUrl: (v): v is string => typeof v === 'string' && v.length <= 2048 && /^https?:\/\/\S+$/i.test(v),
  theme: (v): v is ThemePreference => THEMES.includes(v as ThemePreference),
  startMinimised: (v): v is boolean => typeof v === 'boolean',
  notifications: (v): v is boolean => typeof v === 'boolean',
  downloadsDir: (v): v is string =>
    typeof v === 'string' && v.length <= 4096 && path.isAbsolute(v) && !v.includes('\0'),
  downloadQuotaBytes: (v): v is number =>
    Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= MAX_QUOTA_BYTES,
  playbackQuality: (v): v is PlaybackQuality => QUALITIES.includes(v as PlaybackQuality),
  volume: (v): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1,
};

const KEYS = Object.keys(VALID) as (keyof Settings)[];

/**
 * `<dataDir>/settings.json`. Reading never fails (a missing or broken file gives the defaults,
 * a bad field its default); writing is atomic (temporary file + rename), so a crash mid-write
 * leaves the previous settings, never half a file.
 */
export class SettingsStore {
  private current: Settings;
  private readonly file: string;
  /** Writes one after another: two quick updates must not race their renames. */
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly dataDir: string) {
    this.file = path.join(dataDir, 'settings.json');
    this.current = defaultSettings(dataDir);
  }

  /** A store with `<dataDir>/settings.json` read (or the defaults). */
  static async load(dataDir: string): Promise<SettingsStore> {
    const store = new SettingsStore(dataDir);
    await store.reload();
    return store;
  }

  get(): Settings {
    return { ...this.current };
  }

  /** Reads the file again; never fails. */
  async reload(): Promise<Settings> {
    const settings = defaultSettings(this.dataDir);
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(this.file, 'utf8'));
    } catch {
      parsed = null; // First run or an unreadable file: defaults.
    }
    if (parsed && typeof parsed === 'object') {
      const record = parsed as Record<string, unknown>;
      for (const key of KEYS) {
        if (VALID[key](record[key])) (settings as unknown as Record<string, unknown>)[key] = record[key];
      }
    }
    this.current = settings;
    return this.get();
  }

  /** Applies a partial change after checking every field of it; nothing changes if one is bad. */
  async update(patch: Partial<Settings>): Promise<Settings> {
    const next = { ...this.current };
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      if (!Object.hasOwn(VALID, key)) throw new DesktopError('INVALID_ARGUMENT', `“${key}” is not a setting.`);
      if (!VALID[key as keyof Settings](value)) {
        throw new DesktopError('INVALID_ARGUMENT', `The value given for “${key}” is not valid.`);
      }
      (next as unknown as Record<string, unknown>)[key] = value;
    }
    this.current = next;
    await this.save();
    return this.get();
  }

  save(): Promise<void> {
    const snapshot = JSON.stringify(this.current, null, 2);
    const write = this.writing.then(() => this.write(snapshot));
    // The chain survives a failed write; the caller still sees its own failure.
    this.writing = write.catch(() => undefined);
    return write;
  }

  private async write(contents: string): Promise<void> {
    await mkdir(this.dataDir, { recursive: true, mode: 0o700 });
    const temporary = `${this.file}.${process.pid}.tmp`;
    await writeFile(temporary, contents, { mode: 0o600 });
    await rename(temporary, this.file).catch(async (error: unknown) => {
      await rm(temporary, { force: true });
      throw error;
    });
  }
}
