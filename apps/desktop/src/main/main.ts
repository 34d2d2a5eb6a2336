/**
 * Electron main: OS integration only. Core (SQLite, sync, downloads) runs in a worker thread;
 * this file wires it to the window through one validated IPC channel and owns the window, the
 * custom schemes, the tray, the menu, notifications, deep links and updates. The logic of each
 * concern lives in a small module beside this one, with tests; what stays here is glue.
 */
import path from 'node:path';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  nativeImage,
  Notification,
  protocol,
  safeStorage,
  screen,
  session,
  shell,
  Tray,
  type WebContents,
} from 'electron';
import { IPC_COMMAND_CHANNEL, IPC_EVENT_CHANNEL } from '../common/command-names.js';
import type { CoreEvent, Settings } from '../common/contract.js';
import { type CoreClient, startCoreWorker } from '../core/worker/core-client.js';
import { createAppProtocolHandler } from './app-protocol.js';
import { APP_INDEX_URL, APP_SCHEME, appRouteUrl, LOCAL_MEDIA_BASE, MEDIA_SCHEME } from './app-url.js';
import { buildCsp, serverOriginOf } from './csp.js';
import { type DeepLink, deepLinkRoute, findDeepLinkInArgv, parseDeepLink } from './deep-links.js';
import { createCommandHandler } from './ipc.js';
import { log } from './logger.js';
import { createMediaProtocolHandler, type MediaRoots } from './media-protocol.js';
import { buildMenuTemplate, commandModifier, RENDERER_SHORTCUTS, type RendererShortcut } from './menu.js';
import { installNavigationGuards } from './navigation-guards.js';
import { mentionNotificationContent, shouldNotifyMention } from './notifications.js';
import { isPermissionAllowed } from './permissions.js';
import { PRIVILEGED_SCHEMES } from './schemes.js';
import { SafeStorageSecretStore } from './secret-store.js';
import { buildTrayMenuTemplate, type KeyInput, mediaPlayPauseInputs, shortcutInputs } from './tray.js';
import { checkForUpdates } from './updater.js';
import { buildWindowOptions } from './window-options.js';
import { initialWindowBounds, loadWindowState, saveWindowState, type WindowState } from './window-state.js';

// dist/main/main.cjs → its siblings in dist/.
const DIST = path.resolve(__dirname, '..');
const PRELOAD_PATH = path.join(DIST, 'preload', 'preload.cjs');
const RENDERER_DIR = path.join(DIST, 'renderer');
const CORE_WORKER_PATH = path.join(DIST, 'core', 'core-worker.cjs');
const TRAY_ICON_PATH = path.join(DIST, 'main', 'assets', 'tray.png');

let mainWindow: BrowserWindow | null = null;
let tray: Tray | null = null;
let core: CoreClient | null = null;
let settings: Settings | null = null;
let serverOrigin: string | null = null;
let quitting = false;
/** A deep link that arrived before the window could follow it. */
let pendingLink: DeepLink | null = null;
/** Local-media roots, fetched from core once and again when the account or settings change. */
let mediaRoots: Promise<MediaRoots> | null = null;

// Everything below must happen before `ready`.
protocol.registerSchemesAsPrivileged(PRIVILEGED_SCHEMES);

if (!app.requestSingleInstanceLock()) {
  // Another Veza is running: it gets our argv (and deep link) through `second-instance`.
  app.quit();
} else {
  registerDeepLinkClient();
  app.on('second-instance', (_event, argv) => {
    const link = findDeepLinkInArgv(argv);
    if (link) followDeepLink(link);
    else showWindow();
  });
  // macOS delivers links through open-url, possibly before ready: listen from the start.
  app.on('open-url', (event, url) => {
    event.preventDefault();
    const link = parseDeepLink(url);
    if (link) followDeepLink(link);
  });
  pendingLink = findDeepLinkInArgv(process.argv);
  app.on('before-quit', () => {
    quitting = true;
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => showWindow());
  app.on('will-quit', (event) => {
    if (!core) return;
    // Let core flush its outbox and close SQLite cleanly, then quit for real.
    event.preventDefault();
    const closing = core;
    core = null;
    void closing
      .close()
      .catch((error: unknown) => log.error('Core did not close cleanly', error))
      .finally(() => app.quit());
  });
  app
    .whenReady()
    .then(start)
    .catch((error: unknown) => {
      log.error('Veza could not start', error);
      dialog.showErrorBox('Veza could not start', error instanceof Error ? error.message : String(error));
      app.exit(1);
    });
}

function registerDeepLinkClient(): void {
  // A dev launch (`electron .`) must pass the app path so the OS relaunches it the same way.
  const ok =
    process.defaultApp && process.argv[1]
      ? app.setAsDefaultProtocolClient(APP_SCHEME, process.execPath, [path.resolve(process.argv[1])])
      : app.setAsDefaultProtocolClient(APP_SCHEME);
  if (!ok) log.warn('Could not register as the handler of veza:// links');
}

async function start(): Promise<void> {
  const dataDir = app.getPath('userData');
  const secretStore = new SafeStorageSecretStore({
    file: path.join(dataDir, 'secrets.json'),
    safeStorage,
    platform: process.platform,
    log,
  });
  core = await startCoreWorker({
    dataDir,
    secretStore,
    localMediaBase: LOCAL_MEDIA_BASE,
    // Exports are files the user asked for: where their other downloads go.
    exportsDir: app.getPath('downloads'),
    workerPath: CORE_WORKER_PATH,
    // Dev launches point at a better-sqlite3 build for Electron's ABI; packaged apps get one from npmRebuild.
    ...(process.env.VEZA_SQLITE_BINDING ? { sqliteNativeBinding: process.env.VEZA_SQLITE_BINDING } : {}),
  });
  const initial = await core.invoke('getSettings', undefined);
  if (initial.ok) settings = initial.value as Settings;
  else log.warn('Could not read settings; using defaults', initial.error);
  serverOrigin = serverOriginOf(settings?.serverUrl);

  registerProtocols();
  restrictPermissions();
  registerIpc();
  core.onEvent(onCoreEvent);
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(buildMenuTemplate(process.platform, { sendShortcut, showWindow: () => showWindow() })),
  );
  createTray();
  await createWindow(settings?.startMinimised === true && tray !== null);
  void checkForUpdates({
    isPackaged: app.isPackaged,
    loadUpdater: async () => (await import('electron-updater')).autoUpdater,
    log,
  });
}

function registerProtocols(): void {
  protocol.handle(
    APP_SCHEME,
    createAppProtocolHandler({
      rendererDir: RENDERER_DIR,
      getCsp: (styleNonce) => buildCsp({ serverOrigin, styleNonce }),
    }),
  );
  protocol.handle(
    MEDIA_SCHEME,
    createMediaProtocolHandler({
      getRoots: () => {
        mediaRoots ??= core ? core.localMediaRoots() : Promise.resolve({});
        return mediaRoots;
      },
    }),
  );
}

function restrictPermissions(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, permission, callback, details) =>
    callback(isPermissionAllowed(permission, details.requestingUrl)),
  );
  ses.setPermissionCheckHandler((_contents, permission, requestingOrigin) =>
    isPermissionAllowed(permission, requestingOrigin),
  );
}

function registerIpc(): void {
  const handler = createCommandHandler({
    getMainFrame: () => mainWindow?.webContents.mainFrame ?? null,
    forwardToCore: (command, args) =>
      core
        ? core.invoke(command, args)
        : Promise.resolve({ ok: false, error: { code: 'INTERNAL_ERROR', message: 'Veza is shutting down.' } }),
    shell: {
      openExternal: (url) => shell.openExternal(url),
      chooseDirectory: async () => {
        const options = { properties: ['openDirectory' as const, 'createDirectory' as const] };
        const result = mainWindow
          ? await dialog.showOpenDialog(mainWindow, options)
          : await dialog.showOpenDialog(options);
        return result.canceled ? null : (result.filePaths[0] ?? null);
      },
    },
    log,
  });
  ipcMain.handle(IPC_COMMAND_CHANNEL, (event, name: unknown, args: unknown) => handler(event, name, args));
}

function onCoreEvent(event: CoreEvent): void {
  mainWindow?.webContents.send(IPC_EVENT_CHANNEL, event);
  if (event.type === 'session.changed') mediaRoots = null;
  if (event.type === 'settings.changed') {
    settings = event.settings;
    mediaRoots = null;
    const origin = serverOriginOf(event.settings.serverUrl);
    if (origin !== serverOrigin) {
      // The CSP names the server: a new server needs a new policy, which only a reload applies.
      serverOrigin = origin;
      mainWindow?.webContents.reload();
    }
  }
  if (shouldNotifyMention(event, settings, mainWindow?.isFocused() ?? false) && Notification.isSupported()) {
    const notification = new Notification({ ...mentionNotificationContent(event), silent: false });
    const roomId = event.roomId;
    notification.on('click', () => navigate(`/room/${roomId}`));
    notification.show();
  }
}

async function createWindow(startHidden: boolean): Promise<void> {
  const stateFile = path.join(app.getPath('userData'), 'window-state.json');
  const saved = await loadWindowState(stateFile);
  const { bounds, maximized } = initialWindowBounds(saved, (rect) => screen.getDisplayMatching(rect).workArea);
  const window = new BrowserWindow(buildWindowOptions({ preloadPath: PRELOAD_PATH, bounds, show: false }));
  mainWindow = window;
  installNavigationGuards(window.webContents, { openExternal: (url) => shell.openExternal(url), log });
  if (maximized) window.maximize();
  window.once('ready-to-show', () => {
    if (!startHidden) window.show();
  });

  let saveTimer: NodeJS.Timeout | null = null;
  const currentState = (): WindowState => ({ ...window.getNormalBounds(), maximized: window.isMaximized() });
  const scheduleSave = (): void => {
    if (saveTimer) clearTimeout(saveTimer);
    saveTimer = setTimeout(() => {
      if (window.isDestroyed()) return;
      void saveWindowState(stateFile, currentState()).catch((error: unknown) =>
        log.warn('Could not save the window state', error),
      );
    }, 500);
  };
  window.on('resize', scheduleSave);
  window.on('move', scheduleSave);
  window.on('maximize', scheduleSave);
  window.on('unmaximize', scheduleSave);
  window.on('close', (event) => {
    void saveWindowState(stateFile, currentState()).catch(() => undefined);
    // With a tray, closing the window keeps Veza (and the music) running; Quit ends it.
    if (!quitting && tray) {
      event.preventDefault();
      window.hide();
    }
  });
  window.on('closed', () => {
    if (saveTimer) clearTimeout(saveTimer);
    mainWindow = null;
  });

  const link = pendingLink;
  pendingLink = null;
  await window.loadURL(link ? appRouteUrl(deepLinkRoute(link)) : APP_INDEX_URL);
}

function createTray(): void {
  try {
    const icon = nativeImage.createFromPath(TRAY_ICON_PATH);
    const size = process.platform === 'darwin' ? 18 : 24;
    tray = new Tray(icon.isEmpty() ? icon : icon.resize({ width: size, height: size }));
  } catch (error) {
    // Some Linux desktops have no tray: Veza then behaves like a plain window app.
    log.warn('No system tray available', error);
    tray = null;
    return;
  }
  tray.setToolTip('Veza');
  tray.setContextMenu(
    Menu.buildFromTemplate(
      buildTrayMenuTemplate({
        playPause: () => {
          const contents = liveContents();
          if (contents) sendKeys(contents, mediaPlayPauseInputs());
        },
        show: () => showWindow(),
        quit: () => app.quit(),
      }),
    ),
  );
  tray.on('click', () => showWindow());
}

function liveContents(): WebContents | null {
  return mainWindow && !mainWindow.isDestroyed() ? mainWindow.webContents : null;
}

function sendKeys(contents: WebContents, inputs: KeyInput[]): void {
  for (const input of inputs) contents.sendInputEvent(input);
}

let lastShortcutAt = 0;
function sendShortcut(shortcut: RendererShortcut): void {
  // macOS registers menu key equivalents regardless of registerAccelerator: a replayed key the
  // page leaves unhandled could come back to the menu. Ignore a repeat within 300 ms.
  const now = Date.now();
  if (now - lastShortcutAt < 300) return;
  lastShortcutAt = now;
  const contents = liveContents();
  if (!contents) return;
  contents.focus();
  sendKeys(contents, shortcutInputs(RENDERER_SHORTCUTS[shortcut].keyCode, commandModifier(process.platform)));
}

function showWindow(): void {
  if (!mainWindow) {
    if (app.isReady() && core) void createWindow(false);
    return;
  }
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
}

/** Moves the renderer to a hash route: a same-document navigation, nothing is reloaded. */
function navigate(route: string): void {
  const window = mainWindow;
  showWindow();
  if (window) void window.loadURL(appRouteUrl(route)).catch((error: unknown) => log.warn('Navigation failed', error));
}

function followDeepLink(link: DeepLink): void {
  if (!mainWindow) {
    pendingLink = link;
    showWindow();
    return;
  }
  navigate(deepLinkRoute(link));
}
