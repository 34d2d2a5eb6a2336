import { create } from 'zustand';
import type { Settings } from '../../common/contract.js';
import { veza } from '../bridge.js';
import { useUi } from './ui.js';

interface SettingsStore {
  settings: Settings | null;
  /** Set when chooseDirectory answered null (no folder picker here, e.g. in a browser). */
  folderPickerUnavailable: boolean;
  load(): Promise<void>;
  set(settings: Settings): void;
  update(patch: Partial<Settings>): Promise<boolean>;
  chooseDownloadsDir(): Promise<void>;
}

export const useSettings = create<SettingsStore>()((set, get) => ({
  settings: null,
  folderPickerUnavailable: false,
  load: async () => {
    try {
      set({ settings: await veza.getSettings() });
    } catch (error) {
      useUi.getState().reportError(error);
    }
  },
  set: (settings) => set({ settings }),
  update: async (patch) => {
    const before = get().settings;
    if (before) set({ settings: { ...before, ...patch } });
    try {
      set({ settings: await veza.updateSettings(patch) });
      return true;
    } catch (error) {
      if (before) set({ settings: before });
      useUi.getState().reportError(error);
      return false;
    }
  },
  chooseDownloadsDir: async () => {
    try {
      const dir = await veza.chooseDirectory();
      if (dir === null) {
        set({ folderPickerUnavailable: true });
        return;
      }
      await get().update({ downloadsDir: dir });
    } catch (error) {
      useUi.getState().reportError(error);
    }
  },
}));
