import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DesktopError } from '../../common/errors.js';
import { defaultSettings, SettingsStore } from './settings-store.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'veza-settings-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('SettingsStore', () => {
  it('starts from the defaults when there is no file', async () => {
    const settings = (await SettingsStore.load(dir)).get();
    expect(settings).toEqual({
      serverUrl: 'http://127.0.0.1:8080',
      theme: 'system',
      startMinimised: false,
      notifications: true,
      downloadsDir: path.join(dir, 'downloads'),
      downloadQuotaBytes: 10 * 1024 ** 3,
      playbackQuality: 'auto',
      volume: 0.8,
    });
  });

  it('saves atomically and reads back what it saved', async () => {
    const store = await SettingsStore.load(dir);
    const updated = await store.update({ theme: 'dark', volume: 0.25, downloadQuotaBytes: 1024 });
    expect(updated).toMatchObject({ theme: 'dark', volume: 0.25, downloadQuotaBytes: 1024 });
    expect(await readdir(dir)).toEqual(['settings.json']);
    expect((await SettingsStore.load(dir)).get()).toEqual(updated);
  });

  it('keeps the valid fields of a damaged file and defaults the others', async () => {
    await writeFile(
      path.join(dir, 'settings.json'),
      JSON.stringify({ theme: 'neon', volume: 7, notifications: false, downloadsDir: 'relative/dir', extra: 1 }),
    );
    const settings = (await SettingsStore.load(dir)).get();
    expect(settings).toEqual({ ...defaultSettings(dir), notifications: false });
  });

  it('survives a file that is not JSON', async () => {
    await writeFile(path.join(dir, 'settings.json'), '{ not json');
    expect((await SettingsStore.load(dir)).get()).toEqual(defaultSettings(dir));
  });

  it('refuses a bad patch without changing anything', async () => {
    const store = await SettingsStore.load(dir);
    await expect(store.update({ theme: 'light', volume: 2 })).rejects.toBeInstanceOf(DesktopError);
    expect(store.get().theme).toBe('system');
    await expect(store.update({ downloadsDir: 'not/absolute' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('serialises quick successive writes', async () => {
    const store = await SettingsStore.load(dir);
    await Promise.all([store.update({ volume: 0.1 }), store.update({ volume: 0.2 }), store.update({ volume: 0.3 })]);
    expect(JSON.parse(await readFile(path.join(dir, 'settings.json'), 'utf8')).volume).toBe(0.3);
  });
});
