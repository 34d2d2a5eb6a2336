import type { CustomScheme } from 'electron';
import { APP_SCHEME, MEDIA_SCHEME } from './app-url.js';

/**
 * Privileges of the two custom schemes; must be registered before `ready`.
 * - `veza`: standard + secure makes `veza://app` a real, secure origin (localStorage, fetch, the
 *   server's CORS allow-list), supportFetchAPI lets the renderer fetch its own files.
 * - `veza-media`: stream lets <audio> seek through Range requests; corsEnabled + supportFetchAPI
 *   let wavesurfer fetch a local file from the app origin.
 * Neither bypasses CSP nor allows service workers.
 */
export const PRIVILEGED_SCHEMES: CustomScheme[] = [
  {
    scheme: APP_SCHEME,
    privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, codeCache: true },
  },
  {
    scheme: MEDIA_SCHEME,
    privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, stream: true },
  },
];
