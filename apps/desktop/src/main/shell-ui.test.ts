import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import type { ChatMessage, CoreEvent } from '../common/contract.js';
import { buildMenuTemplate, commandModifier } from './menu.js';
import { mentionNotificationContent, shouldNotifyMention } from './notifications.js';
import { isPermissionAllowed } from './permissions.js';
import { PRIVILEGED_SCHEMES } from './schemes.js';
import { buildTrayMenuTemplate, mediaPlayPauseInputs, shortcutInputs } from './tray.js';
import { checkForUpdates } from './updater.js';

const message = {
  authorUsername: 'ada',
  body: 'hey   @you\nlook at this',
} as ChatMessage;
const mention: CoreEvent = { type: 'mention', roomId: 'r1', roomName: 'general', message };

describe('notifications', () => {
  it('notify mentions only when enabled and the window is not focused', () => {
    expect(shouldNotifyMention(mention, { notifications: true }, false)).toBe(true);
    expect(shouldNotifyMention(mention, { notifications: true }, true)).toBe(false);
    expect(shouldNotifyMention(mention, { notifications: false }, false)).toBe(false);
    expect(shouldNotifyMention(mention, null, false)).toBe(false);
    expect(shouldNotifyMention({ type: 'rooms.changed' }, { notifications: true }, false)).toBe(false);
  });

  it('builds a short plain-text notification', () => {
    expect(mentionNotificationContent(mention as Extract<CoreEvent, { type: 'mention' }>)).toEqual({
      title: 'ada in general',
      body: 'hey @you look at this',
    });
    const long = { ...mention, message: { ...message, body: 'x'.repeat(500) } } as Extract<
      CoreEvent,
      { type: 'mention' }
    >;
    expect(mentionNotificationContent(long).body).toHaveLength(140);
  });
});

describe('menus', () => {
  it('has the standard roles and Go entries mirroring the renderer shortcuts', () => {
    const actions = { sendShortcut: vi.fn(), showWindow: vi.fn() };
    const template = buildMenuTemplate('linux', actions);
    const roles = template.map((item) => item.role ?? item.label);
    expect(roles).toEqual(['File', 'editMenu', 'viewMenu', 'Go', 'windowMenu']);
    expect(buildMenuTemplate('darwin', actions)[0]).toEqual({ role: 'appMenu' });
    const go = (template.find((item) => item.label === 'Go')!.submenu as MenuItemConstructorOptions[]).map((item) => ({
      accelerator: item.accelerator,
      registerAccelerator: item.registerAccelerator,
    }));
    expect(go).toEqual([
      { accelerator: 'CmdOrCtrl+K', registerAccelerator: false },
      { accelerator: 'CmdOrCtrl+,', registerAccelerator: false },
    ]);
    const search = (template[3]!.submenu as MenuItemConstructorOptions[])[0]!;
    (search.click as () => void)();
    expect(actions.sendShortcut).toHaveBeenCalledWith('search');
    expect(commandModifier('darwin')).toBe('meta');
    expect(commandModifier('win32')).toBe('control');
    expect(shortcutInputs('K', 'control')[0]).toEqual({ type: 'keyDown', keyCode: 'K', modifiers: ['control'] });
  });

  it('tray offers Play/Pause (as the media key), Show and Quit', () => {
    const actions = { playPause: vi.fn(), show: vi.fn(), quit: vi.fn() };
    const items = buildTrayMenuTemplate(actions).filter((item) => item.type !== 'separator');
    expect(items.map((item) => item.label)).toEqual(['Play / Pause', 'Show Veza', 'Quit Veza']);
    for (const item of items) (item.click as () => void)();
    expect(actions.playPause).toHaveBeenCalledOnce();
    expect(actions.quit).toHaveBeenCalledOnce();
    expect(mediaPlayPauseInputs().map((input) => input.keyCode)).toEqual(['MediaPlayPause', 'MediaPlayPause']);
  });
});

describe('schemes, permissions and updates', () => {
  it('registers veza (app) and veza-media (stream) as standard secure schemes without CSP bypass', () => {
    const byName = Object.fromEntries(PRIVILEGED_SCHEMES.map((s) => [s.scheme, s.privileges]));
    expect(byName.veza).toMatchObject({ standard: true, secure: true, supportFetchAPI: true });
    expect(byName['veza-media']).toMatchObject({ standard: true, secure: true, stream: true, corsEnabled: true });
    for (const privileges of Object.values(byName)) {
      expect(privileges?.bypassCSP).toBeFalsy();
      expect(privileges?.allowServiceWorkers).toBeFalsy();
    }
  });

  it('grants only harmless permissions, only to the app', () => {
    expect(isPermissionAllowed('clipboard-sanitized-write', 'veza://app/index.html')).toBe(true);
    expect(isPermissionAllowed('media', 'veza://app/index.html')).toBe(false);
    expect(isPermissionAllowed('geolocation', 'veza://app/index.html')).toBe(false);
    expect(isPermissionAllowed('clipboard-sanitized-write', 'https://evil.example')).toBe(false);
  });

  it('checks for updates only when packaged, and never throws', async () => {
    const log = { info: vi.fn(), warn: vi.fn() };
    const loadUpdater = vi.fn(async () => ({
      checkForUpdatesAndNotify: vi.fn(async () => Promise.reject(new Error('offline'))),
    }));
    await checkForUpdates({ isPackaged: false, loadUpdater, log });
    expect(loadUpdater).not.toHaveBeenCalled();
    await expect(checkForUpdates({ isPackaged: true, loadUpdater, log })).resolves.toBeUndefined();
    expect(log.warn).toHaveBeenCalledWith('Update check failed', expect.any(Error));
  });
});
