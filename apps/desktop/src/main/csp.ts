import { randomBytes } from 'node:crypto';
import { buildRendererCsp, httpOriginOf } from '../common/csp.js';

/**
 * The Electron shell's policy, sent as a header by the app protocol: the renderer and its files
 * come from the app scheme ('self'), offline media from `veza-media:` (see media-protocol.ts), and
 * the bridge is IPC, so no socket besides the server's. common/csp.ts builds it and says why each
 * source is there; main rebuilds it for every response, so a new server URL applies on the next load.
 */
export interface CspInput {
  /** The server's origin (`https://veza.example.org`), or null when no valid server is set. */
  serverOrigin: string | null;
  /** index.html's style nonce (base64, see createStyleNonce); null or absent for other files. */
  styleNonce?: string | null;
}

/** Offline tracks and cached covers (main/media-protocol.ts). */
const LOCAL_MEDIA_SCHEME = 'veza-media:';

/** A fresh style nonce: 16 random bytes, base64 (a new one for every index.html response). */
export function createStyleNonce(): string {
  return randomBytes(16).toString('base64');
}

/** The server origin of a URL, or null when it is not an http(s) URL. */
export const serverOriginOf = httpOriginOf;

export function buildCsp({ serverOrigin, styleNonce }: CspInput): string {
  return buildRendererCsp({
    serverOrigins: serverOrigin === null ? [] : [serverOrigin],
    localMediaScheme: LOCAL_MEDIA_SCHEME,
    bridgeSocket: null,
    styleNonce,
  });
}
