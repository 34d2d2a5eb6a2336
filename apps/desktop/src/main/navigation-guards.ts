import type { HandlerDetails, WebContents, WindowOpenHandlerResponse } from 'electron';
import { isAppUrl, isSafeExternalUrl } from './app-url.js';
import type { Logger } from './logger.js';

/** The slice of WebContents the guards attach to (lets tests pass a fake). */
export type GuardedContents = Pick<WebContents, 'on' | 'setWindowOpenHandler'>;

export interface NavigationGuardDeps {
  openExternal(url: string): Promise<void> | void;
  log: Pick<Logger, 'warn'>;
}

interface PreventableEvent {
  preventDefault(): void;
}

/**
 * A link the user followed inside the window: http(s) goes to the OS browser, anything else is
 * dropped. Never opens a new Electron window.
 */
export function openLinkOutside(url: string, deps: NavigationGuardDeps): void {
  if (!isSafeExternalUrl(url)) {
    deps.log.warn('Refused to open a non-http(s) link', { scheme: url.split(':')[0] });
    return;
  }
  void Promise.resolve(deps.openExternal(url)).catch((error: unknown) =>
    deps.log.warn('Could not open the link in the browser', error),
  );
}

/** What window.open / target=_blank get: always deny; http(s) opens in the OS browser. */
export function windowOpenHandler(deps: NavigationGuardDeps) {
  return (details: Pick<HandlerDetails, 'url'>): WindowOpenHandlerResponse => {
    openLinkOutside(details.url, deps);
    return { action: 'deny' };
  };
}

/** The will-navigate / will-redirect listener: only the app's own pages may load in the window. */
export function navigationListener(deps: NavigationGuardDeps) {
  return (event: PreventableEvent, url: string): void => {
    if (isAppUrl(url)) return;
    event.preventDefault();
    openLinkOutside(url, deps);
  };
}

/** Installs every navigation guard on the window's contents. */
export function installNavigationGuards(contents: GuardedContents, deps: NavigationGuardDeps): void {
  const onNavigate = navigationListener(deps);
  contents.on('will-navigate', (event, url) => onNavigate(event, url));
  contents.on('will-frame-navigate', (event) => {
    // Sub-frames have no business here (frame-src 'none'); the main frame goes through will-navigate.
    if (!event.isMainFrame) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(windowOpenHandler(deps));
}
