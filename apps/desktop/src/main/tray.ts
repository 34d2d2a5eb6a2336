import type { MenuItemConstructorOptions } from 'electron';

export interface TrayActions {
  playPause(): void;
  show(): void;
  quit(): void;
}

/** The tray's context menu. */
export function buildTrayMenuTemplate(actions: TrayActions): MenuItemConstructorOptions[] {
  return [
    { label: 'Play / Pause', click: () => actions.playPause() },
    { label: 'Show Veza', click: () => actions.show() },
    { type: 'separator' },
    { label: 'Quit Veza', click: () => actions.quit() },
  ];
}

/** A renderer input event: what sendInputEvent takes. */
export interface KeyInput {
  type: 'keyDown' | 'keyUp';
  keyCode: string;
  modifiers?: ('meta' | 'control')[];
}

/**
 * Play/Pause from the tray, without adding a "player" event to the core contract (the player
 * lives entirely in the renderer and core knows nothing about it): main presses the media key
 * the renderer already listens for — the same key a keyboard's ⏯ produces — as a synthetic
 * key press into the window's page. The renderer must handle `keydown` with
 * `event.key === 'MediaPlayPause'` (its MediaSession handlers cover the OS-level media keys).
 */
export function mediaPlayPauseInputs(): KeyInput[] {
  return [
    { type: 'keyDown', keyCode: 'MediaPlayPause' },
    { type: 'keyUp', keyCode: 'MediaPlayPause' },
  ];
}

/** The key press that replays a renderer shortcut (Ctrl/Cmd+K, Ctrl/Cmd+,). */
export function shortcutInputs(keyCode: string, modifier: 'meta' | 'control'): KeyInput[] {
  return [
    { type: 'keyDown', keyCode, modifiers: [modifier] },
    { type: 'keyUp', keyCode, modifiers: [modifier] },
  ];
}
