import { isAppUrl } from './app-url.js';

/**
 * Which web permissions the renderer gets: clipboard writes and full screen, from the app's own
 * origin only. Notifications are shown by main (Notification API in the main process), so the
 * web Notification permission is not needed; camera, microphone, geolocation and the rest are
 * refused until a feature needs them.
 */
const ALLOWED = new Set(['clipboard-sanitized-write', 'fullscreen']);

export function isPermissionAllowed(permission: string, requestingUrl: string): boolean {
  return ALLOWED.has(permission) && isAppUrl(requestingUrl);
}
