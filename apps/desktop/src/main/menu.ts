import type { MenuItemConstructorOptions } from 'electron';

/** The renderer's own keyboard shortcuts, which the Go menu mirrors. */
export type RendererShortcut = 'search' | 'settings';

export const RENDERER_SHORTCUTS: Record<RendererShortcut, { label: string; accelerator: string; keyCode: string }> = {
  search: { label: 'Search…', accelerator: 'CmdOrCtrl+K', keyCode: 'K' },
  settings: { label: 'Settings…', accelerator: 'CmdOrCtrl+,', keyCode: ',' },
};

export interface MenuActions {
  /** Replays a shortcut into the renderer as a key press (see main.ts). */
  sendShortcut(shortcut: RendererShortcut): void;
  showWindow(): void;
}

/**
 * The application menu: the standard roles (so copy/paste, zoom, full screen and window
 * management behave natively) plus Go entries for the renderer's shortcuts. Those entries show
 * their accelerator but do not register it (`registerAccelerator: false`) on Windows/Linux, so
 * the key press still reaches the renderer, which handles it; the menu click replays the key.
 */
export function buildMenuTemplate(platform: NodeJS.Platform, actions: MenuActions): MenuItemConstructorOptions[] {
  const isMac = platform === 'darwin';
  const go: MenuItemConstructorOptions = {
    label: 'Go',
    submenu: (Object.keys(RENDERER_SHORTCUTS) as RendererShortcut[]).map((shortcut) => ({
      label: RENDERER_SHORTCUTS[shortcut].label,
      accelerator: RENDERER_SHORTCUTS[shortcut].accelerator,
      registerAccelerator: false,
      click: () => {
        actions.showWindow();
        actions.sendShortcut(shortcut);
      },
    })),
  };
  const template: MenuItemConstructorOptions[] = [];
  if (isMac) template.push({ role: 'appMenu' });
  template.push(
    isMac ? { role: 'fileMenu' } : { label: 'File', submenu: [{ role: 'quit' }] },
    { role: 'editMenu' },
    { role: 'viewMenu' },
    go,
    { role: 'windowMenu' },
  );
  return template;
}

/** The modifiers of CmdOrCtrl on a platform, as sendInputEvent wants them. */
export function commandModifier(platform: NodeJS.Platform): 'meta' | 'control' {
  return platform === 'darwin' ? 'meta' : 'control';
}
