import { beforeEach, describe, expect, it, vi } from 'vitest';
import { COMMAND_NAMES } from '../common/commands.js';
import { COMMAND_NAME_LIST } from '../common/command-names.js';
import type { VezaBridge } from '../common/contract.js';

const electron = vi.hoisted(() => {
  const listeners = new Map<string, Set<(...args: unknown[]) => void>>();
  return {
    exposed: new Map<string, unknown>(),
    listeners,
    contextBridge: { exposeInMainWorld: vi.fn() },
    ipcRenderer: {
      invoke: vi.fn(),
      on: vi.fn((channel: string, listener: (...args: unknown[]) => void) => {
        if (!listeners.has(channel)) listeners.set(channel, new Set());
        listeners.get(channel)!.add(listener);
      }),
      removeListener: vi.fn((channel: string, listener: (...args: unknown[]) => void) => {
        listeners.get(channel)?.delete(listener);
      }),
    },
  };
});

vi.mock('electron', () => ({
  contextBridge: {
    exposeInMainWorld: (key: string, api: unknown) => {
      electron.contextBridge.exposeInMainWorld(key, api);
      electron.exposed.set(key, api);
    },
  },
  ipcRenderer: electron.ipcRenderer,
}));

let veza: VezaBridge;
beforeEach(async () => {
  vi.resetModules();
  electron.exposed.clear();
  electron.listeners.clear();
  electron.ipcRenderer.invoke.mockReset();
  await import('./preload.js');
  veza = electron.exposed.get('veza') as VezaBridge;
});

describe('preload', () => {
  it('exposes exactly one object, window.veza, with the command names plus onEvent', () => {
    expect([...electron.exposed.keys()]).toEqual(['veza']);
    expect(Object.keys(veza).sort()).toEqual([...COMMAND_NAMES, 'onEvent'].sort());
    for (const value of Object.values(veza)) expect(typeof value).toBe('function');
    // Nothing generic leaks: no ipcRenderer, no invoke/send/on.
    expect(Object.keys(veza)).not.toEqual(expect.arrayContaining(['invoke', 'send', 'on', 'ipcRenderer']));
  });

  it('keeps the light name list in step with the schema allow-list', () => {
    expect([...COMMAND_NAME_LIST].sort()).toEqual([...COMMAND_NAMES].sort());
  });

  it('invokes veza:command with the name and one argument, and unwraps a success', async () => {
    electron.ipcRenderer.invoke.mockResolvedValueOnce({ ok: true, value: { status: 'signed-out', serverUrl: '' } });
    await expect(veza.getSession()).resolves.toEqual({ status: 'signed-out', serverUrl: '' });
    expect(electron.ipcRenderer.invoke).toHaveBeenLastCalledWith('veza:command', 'getSession', undefined);

    electron.ipcRenderer.invoke.mockResolvedValueOnce({ ok: true, value: undefined });
    const join = veza.joinRoom as unknown as (...args: unknown[]) => Promise<unknown>;
    await join({ roomId: 'r' }, 'extra argument');
    expect(electron.ipcRenderer.invoke).toHaveBeenLastCalledWith('veza:command', 'joinRoom', { roomId: 'r' });
  });

  it('rejects with the code and message of a failed outcome', async () => {
    electron.ipcRenderer.invoke.mockResolvedValueOnce({
      ok: false,
      error: { code: 'OFFLINE', message: 'You are offline.' },
    });
    await expect(veza.listRooms()).rejects.toEqual({
      name: 'DesktopError',
      code: 'OFFLINE',
      message: 'You are offline.',
    });
    electron.ipcRenderer.invoke.mockResolvedValueOnce('garbage');
    await expect(veza.listRooms()).rejects.toMatchObject({ code: 'INTERNAL_ERROR' });
  });

  it('delivers events without the IPC event object and unsubscribes', () => {
    const listener = vi.fn();
    const unsubscribe = veza.onEvent(listener);
    const [wrapped] = [...electron.listeners.get('veza:event')!];
    wrapped!({ sender: 'ipc internals' }, { type: 'rooms.changed' });
    expect(listener).toHaveBeenCalledWith({ type: 'rooms.changed' });
    expect(listener.mock.calls[0]).toHaveLength(1);
    unsubscribe();
    expect(electron.listeners.get('veza:event')!.size).toBe(0);
  });
});
