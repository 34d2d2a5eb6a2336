/**
 * The app's own URLs. The renderer is served from `veza://app/` (a privileged standard scheme,
 * origin `veza://app`, which the server's CORS and WebSocket origin checks allow), never file://.
 * Offline media comes from `veza-media://local/`. Deep links use the same `veza:` scheme with
 * other hosts (`veza://room/<id>`), which the app protocol refuses to serve.
 */
export const APP_SCHEME = 'veza';
export const APP_HOST = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

export const MEDIA_SCHEME = 'veza-media';
export const MEDIA_HOST = 'local';
export const LOCAL_MEDIA_BASE = `${MEDIA_SCHEME}://${MEDIA_HOST}/`;

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/**
 * True for a URL of the app itself (`veza://app/...`). Compared by scheme and host because
 * Node's URL reports the origin of non-special schemes as "null".
 */
export function isAppUrl(url: string): boolean {
  const parsed = parse(url);
  return parsed !== null && parsed.protocol === `${APP_SCHEME}:` && parsed.host.toLowerCase() === APP_HOST;
}

/** True for the URLs the shell may hand to the OS browser: http(s) with a host, nothing else. */
export function isSafeExternalUrl(url: string): boolean {
  const parsed = parse(url);
  if (parsed === null) return false;
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return false;
  return parsed.hostname.length > 0 && parsed.username === '' && parsed.password === '';
}

/** The renderer URL for a hash route, e.g. `#/room/<id>`. */
export function appRouteUrl(route: string): string {
  return `${APP_INDEX_URL}#${route.startsWith('/') ? route : `/${route}`}`;
}
