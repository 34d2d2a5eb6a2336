import type { Logger } from './logger.js';

export interface UpdaterLike {
  checkForUpdatesAndNotify(): Promise<unknown>;
}

/**
 * Checks for updates once, only in a packaged app (a dev build has no update feed and no
 * signature to verify). A failure is logged and otherwise ignored: updates must never stop Veza.
 * The feed URL comes from electron-builder.yml's `publish` section (baked into app-update.yml).
 */
export async function checkForUpdates(options: {
  isPackaged: boolean;
  loadUpdater(): Promise<UpdaterLike>;
  log: Pick<Logger, 'info' | 'warn'>;
}): Promise<void> {
  if (!options.isPackaged) return;
  try {
    const updater = await options.loadUpdater();
    await updater.checkForUpdatesAndNotify();
  } catch (error) {
    options.log.warn('Update check failed', error);
  }
}
