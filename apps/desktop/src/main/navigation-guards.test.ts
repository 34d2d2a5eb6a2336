import { describe, expect, it, vi } from 'vitest';
import { isAppUrl, isSafeExternalUrl } from './app-url.js';
import { installNavigationGuards, navigationListener, windowOpenHandler } from './navigation-guards.js';

function deps() {
  return { openExternal: vi.fn(), log: { warn: vi.fn() } };
}

describe('navigation guards', () => {
  it('prevents will-navigate to a foreign URL and opens only http(s) outside', () => {
    const d = deps();
    const onNavigate = navigationListener(d);
    for (const url of [
      'https://evil.example/',
      'http://x.org/a',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'veza://room/x',
    ]) {
      const event = { preventDefault: vi.fn() };
      onNavigate(event, url);
      expect(event.preventDefault).toHaveBeenCalledOnce();
    }
    expect(d.openExternal.mock.calls).toEqual([['https://evil.example/'], ['http://x.org/a']]);
  });

  it('lets the app navigate within veza://app', () => {
    const event = { preventDefault: vi.fn() };
    navigationListener(deps())(event, 'veza://app/index.html#/rooms');
    expect(event.preventDefault).not.toHaveBeenCalled();
  });

  it('denies every window.open and hands only http(s) to the OS browser', () => {
    const d = deps();
    const handler = windowOpenHandler(d);
    const refused = [
      'javascript:alert(1)',
      'file:///etc/passwd',
      'veza://app/index.html',
      'veza-media://local/x',
      'data:text/html,hi',
      'mailto:a@b.c',
    ];
    for (const url of refused) expect(handler({ url })).toEqual({ action: 'deny' });
    expect(d.openExternal).not.toHaveBeenCalled();
    expect(handler({ url: 'https://veza.example.org/help' })).toEqual({ action: 'deny' });
    expect(d.openExternal).toHaveBeenCalledWith('https://veza.example.org/help');
  });

  it('installs will-navigate, will-redirect, webview and window-open guards', () => {
    const listeners = new Map<string, (...args: unknown[]) => void>();
    const contents = {
      on: vi.fn((name: string, listener: (...args: unknown[]) => void) => listeners.set(name, listener)),
      setWindowOpenHandler: vi.fn(),
    };
    installNavigationGuards(contents as never, deps());
    expect([...listeners.keys()].sort()).toEqual([
      'will-attach-webview',
      'will-frame-navigate',
      'will-navigate',
      'will-redirect',
    ]);
    expect(contents.setWindowOpenHandler).toHaveBeenCalledOnce();
    const webview = { preventDefault: vi.fn() };
    listeners.get('will-attach-webview')!(webview);
    expect(webview.preventDefault).toHaveBeenCalled();
    const nav = { preventDefault: vi.fn() };
    listeners.get('will-navigate')!(nav, 'https://evil.example/');
    expect(nav.preventDefault).toHaveBeenCalled();
    const subframe = { preventDefault: vi.fn(), isMainFrame: false };
    listeners.get('will-frame-navigate')!(subframe);
    expect(subframe.preventDefault).toHaveBeenCalled();
  });
});

describe('URL predicates', () => {
  it('recognises the app origin by scheme and host', () => {
    expect(isAppUrl('veza://app/index.html')).toBe(true);
    expect(isAppUrl('veza://APP/')).toBe(true);
    expect(isAppUrl('veza://room/1')).toBe(false);
    expect(isAppUrl('veza-media://local/x')).toBe(false);
    expect(isAppUrl('https://app/')).toBe(false);
    expect(isAppUrl('nonsense')).toBe(false);
  });

  it('allows only credential-free http(s) URLs outside', () => {
    expect(isSafeExternalUrl('https://x.org')).toBe(true);
    expect(isSafeExternalUrl('http://x.org/a?b')).toBe(true);
    expect(isSafeExternalUrl('https://user:pw@x.org')).toBe(false);
    expect(isSafeExternalUrl('file:///x')).toBe(false);
    expect(isSafeExternalUrl('javascript:alert(1)')).toBe(false);
    expect(isSafeExternalUrl('veza://room/x')).toBe(false);
  });
});
