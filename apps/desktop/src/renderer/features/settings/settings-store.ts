import { create } from 'zustand';
import type { Settings } from '../../../common/contract.js';
import { veza } from '../../bridge.js';
import { useUi } from '../../app/ui-store.js';

/**
 * Whether the renderer runs inside Electron (its user agent says "Electron/x.y.z"). There,
 * chooseDirectory() opens a folder picker and null means the user cancelled it; in the browser host
 * it always answers null, because a web page cannot pick a folder for core.
 */
export const inElectron: boolean = typeof navigator !== 'undefined' && navigator.userAgent.includes('Electron');

interface SettingsStore {
  settings: Settings | null;
  /**
   * Set when chooseDirectory answered null outside Electron: there is no folder picker here (the
   * browser host), so Settings shows the folder as read-only text instead of a dead button.
   */
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
        // In Electron null is a cancelled picker: nothing to do.
        if (!inElectron) set({ folderPickerUnavailable: true });
        return;
      }
      await get().update({ downloadsDir: dir });
    } catch (error) {
      useUi.getState().reportError(error);
    }
  },
}));
