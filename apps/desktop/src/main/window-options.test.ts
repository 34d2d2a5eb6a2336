import { describe, expect, it } from 'vitest';
import { buildWindowOptions } from './window-options.js';

describe('buildWindowOptions', () => {
  const options = buildWindowOptions({
    preloadPath: '/app/dist/preload/preload.cjs',
    bounds: { x: 10, y: 20, width: 1200, height: 800 },
    show: false,
  });

  it('locks the renderer down exactly as required', () => {
    expect(options.webPreferences).toEqual({
      preload: '/app/dist/preload/preload.cjs',
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
      backgroundThrottling: false,
    });
  });

  it('uses the given bounds and visibility', () => {
    expect(options).toMatchObject({ x: 10, y: 20, width: 1200, height: 800, show: false });
    expect(buildWindowOptions({ preloadPath: 'p', bounds: { width: 900, height: 600 }, show: true }).show).toBe(true);
  });
});
