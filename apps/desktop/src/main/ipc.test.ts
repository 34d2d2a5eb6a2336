import { describe, expect, it, vi } from 'vitest';
import { createCommandHandler, externalUrlOrNull, isTrustedSender } from './ipc.js';

const ROOM = '0190f5a2-7c4e-7b1a-9c3d-2e4f6a8b0c1d';

function setup(frameUrl = 'veza://app/index.html') {
  const mainFrame = { url: frameUrl };
  const forwardToCore = vi.fn(async () => ({ ok: true as const, value: 'from core' }));
  const shell = { openExternal: vi.fn(async () => undefined), chooseDirectory: vi.fn(async () => '/music') };
  const log = { warn: vi.fn(), error: vi.fn() };
  const handler = createCommandHandler({ getMainFrame: () => mainFrame, forwardToCore, shell, log });
  return { mainFrame, forwardToCore, shell, log, handler };
}

describe('veza:command handler', () => {
  it('forwards a valid command from the main frame to core and returns its outcome', async () => {
    const { handler, mainFrame, forwardToCore } = setup();
    const outcome = await handler({ senderFrame: mainFrame }, 'joinRoom', { roomId: ROOM });
    expect(outcome).toEqual({ ok: true, value: 'from core' });
    expect(forwardToCore).toHaveBeenCalledWith('joinRoom', { roomId: ROOM });
    await handler({ senderFrame: mainFrame }, 'getSession', undefined);
    expect(forwardToCore).toHaveBeenLastCalledWith('getSession', undefined);
  });

  it('refuses a wrong sender before looking at the command', async () => {
    const { handler, forwardToCore, mainFrame } = setup();
    const otherFrame = { url: 'veza://app/index.html' };
    for (const senderFrame of [null, otherFrame]) {
      const outcome = await handler({ senderFrame }, 'getSession', undefined);
      expect(outcome).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
    // The main frame, but showing something other than the app.
    mainFrame.url = 'https://evil.example/';
    expect(await handler({ senderFrame: mainFrame }, 'getSession', undefined)).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    expect(forwardToCore).not.toHaveBeenCalled();
  });

  it('refuses an unknown command', async () => {
    const { handler, mainFrame, forwardToCore } = setup();
    for (const name of ['dropDatabase', '__proto__', 'constructor', 42, null]) {
      expect(await handler({ senderFrame: mainFrame }, name, {})).toMatchObject({
        ok: false,
        error: { code: 'UNKNOWN_COMMAND' },
      });
    }
    expect(forwardToCore).not.toHaveBeenCalled();
  });

  it('refuses bad arguments with INVALID_ARGUMENT and forwards nothing', async () => {
    const { handler, mainFrame, forwardToCore, shell } = setup();
    const bad: [string, unknown][] = [
      ['joinRoom', { roomId: 'not-a-uuid' }],
      ['joinRoom', { roomId: ROOM, extra: true }],
      ['sendMessage', { roomId: ROOM, body: '' }],
      ['signOut', {}],
      ['getSession', { sneaky: 1 }],
      ['uploadTrack', { uploadId: ROOM, fileName: 'a.mp3', data: 'not bytes' }],
      ['openExternal', { url: 42 }],
    ];
    for (const [name, args] of bad) {
      const outcome = await handler({ senderFrame: mainFrame }, name, args);
      expect({ name, outcome }).toMatchObject({ name, outcome: { ok: false, error: { code: 'INVALID_ARGUMENT' } } });
    }
    expect(forwardToCore).not.toHaveBeenCalled();
    expect(shell.openExternal).not.toHaveBeenCalled();
  });

  it('opens only http(s) links, in main, never through core', async () => {
    const { handler, mainFrame, forwardToCore, shell } = setup();
    expect(await handler({ senderFrame: mainFrame }, 'openExternal', { url: 'https://veza.example.org/help' })).toEqual(
      {
        ok: true,
        value: undefined,
      },
    );
    expect(shell.openExternal).toHaveBeenCalledWith('https://veza.example.org/help');
    for (const url of [
      'javascript:alert(1)',
      'file:///etc/passwd',
      'veza://app/index.html',
      'smb://host/share',
      'https://',
    ]) {
      expect(await handler({ senderFrame: mainFrame }, 'openExternal', { url })).toMatchObject({
        ok: false,
        error: { code: 'INVALID_ARGUMENT' },
      });
    }
    expect(shell.openExternal).toHaveBeenCalledOnce();
    expect(forwardToCore).not.toHaveBeenCalled();
  });

  it('answers chooseDirectory in main', async () => {
    const { handler, mainFrame, forwardToCore } = setup();
    expect(await handler({ senderFrame: mainFrame }, 'chooseDirectory', undefined)).toEqual({
      ok: true,
      value: '/music',
    });
    expect(forwardToCore).not.toHaveBeenCalled();
  });

  it('turns a thrown error into data', async () => {
    const { handler, mainFrame, forwardToCore, log } = setup();
    forwardToCore.mockRejectedValueOnce(new Error('worker gone'));
    expect(await handler({ senderFrame: mainFrame }, 'listRooms', undefined)).toMatchObject({
      ok: false,
      error: { code: 'INTERNAL_ERROR' },
    });
    expect(log.error).toHaveBeenCalled();
  });
});

describe('sender and URL checks', () => {
  it('trusts only the current main frame showing veza://app', () => {
    const frame = { url: 'veza://app/index.html#/rooms' };
    expect(isTrustedSender(frame, frame)).toBe(true);
    expect(isTrustedSender(frame, null)).toBe(false);
    expect(isTrustedSender({ ...frame }, frame)).toBe(false);
    const file = { url: 'file:///index.html' };
    expect(isTrustedSender(file, file)).toBe(false);
    const main = { url: 'veza://app/index.html', processId: 4, routingId: 1 };
    expect(isTrustedSender({ ...main }, main)).toBe(true);
    expect(isTrustedSender({ ...main, routingId: 2 }, main)).toBe(false);
    expect(isTrustedSender({ ...main, processId: 5 }, main)).toBe(false);
  });

  it('normalises http(s) links and refuses the rest', () => {
    expect(externalUrlOrNull('https://x.org')).toBe('https://x.org/');
    expect(externalUrlOrNull('HTTP://X.org/a')).toBe('http://x.org/a');
    expect(externalUrlOrNull('vbscript:x')).toBeNull();
    expect(externalUrlOrNull('')).toBeNull();
  });
});
