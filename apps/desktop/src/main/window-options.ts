import type { BrowserWindowConstructorOptions } from 'electron';

export interface WindowOptionsInput {
  preloadPath: string;
  bounds: { x?: number; y?: number; width: number; height: number };
  /** False when starting minimised to the tray: the window is created hidden. */
  show: boolean;
  backgroundColor?: string;
}

export const MIN_WINDOW_WIDTH = 880;
export const MIN_WINDOW_HEIGHT = 560;

/**
 * The main window's options. Every security-relevant preference is spelled out rather than left
 * to Electron's defaults, so a future default change or a careless edit shows up in review and in
 * window-options.test.ts.
 */
export function buildWindowOptions(input: WindowOptionsInput): BrowserWindowConstructorOptions {
  return {
    ...input.bounds,
    minWidth: MIN_WINDOW_WIDTH,
    minHeight: MIN_WINDOW_HEIGHT,
    show: input.show,
    title: 'Veza',
    backgroundColor: input.backgroundColor ?? '#111318',
    autoHideMenuBar: false,
    webPreferences: {
      preload: input.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: true,
      safeDialogs: true,
      // Keep playback and the sync UI live while the window is hidden in the tray.
      backgroundThrottling: false,
    },
  };
}
