import { randomBytes } from 'node:crypto';
import { isStyleNonce } from '../common/style-nonce.js';

/**
 * The renderer's Content-Security-Policy, sent as a header by the app protocol. Pure: the server
 * origin (and index.html's style nonce) come in, the policy string goes out; main rebuilds it for
 * every response, so a new server URL applies on the next load.
 *
 * Why each relaxation exists:
 * - `blob:` in media-src: hls.js feeds the <audio> element through Media Source Extensions.
 * - `blob:` in worker-src: hls.js (and wavesurfer's decoder) may start workers from blob URLs.
 * - `veza-media:`: offline tracks and cached covers served by main (see media-protocol.ts).
 * - `ws(s)://server` next to `http(s)://server` in connect-src: a host source with an http(s)
 *   scheme does not portably cover WebSocket URLs, so both are listed explicitly.
 * - `'nonce-<n>'` in style-src (index.html only): wavesurfer.js writes a <style> element into
 *   its shadow root, which `'self'` alone refuses. Rather than `'unsafe-inline'` (any injected
 *   <style> or style="" attribute would apply, which is enough for CSS-based data exfiltration),
 *   each index.html response gets a fresh random nonce: named here, handed to the page in
 *   `<meta name="veza-style-nonce">`, and passed to wavesurfer as `cspNonce`, which puts it on
 *   its <style>. Markup injected into the page cannot know it. Only base64 is accepted, so the
 *   nonce cannot end the source and inject directives. React's `style` props set CSSOM
 *   properties, which CSP does not restrict, so no other inline style is needed. Other files
 *   are not documents and get the policy without a nonce.
 */
export interface CspInput {
  /** The server's origin (`https://veza.example.org`), or null when no valid server is set. */
  serverOrigin: string | null;
  /** index.html's style nonce (base64, see createStyleNonce); null or absent for other files. */
  styleNonce?: string | null;
}

/** A fresh style nonce: 16 random bytes, base64 (a new one for every index.html response). */
export function createStyleNonce(): string {
  return randomBytes(16).toString('base64');
}

/** style-src's sources; throws on a nonce that is not plain base64 (it could inject directives). */
export function styleSources(styleNonce: string | null | undefined): string[] {
  if (styleNonce === null || styleNonce === undefined) return ["'self'"];
  if (!isStyleNonce(styleNonce)) throw new Error('Invalid style nonce');
  return ["'self'", `'nonce-${styleNonce}'`];
}

/** The server origin of a URL, or null when it is not an http(s) URL. */
export function serverOriginOf(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
    return parsed.origin;
  } catch {
    return null;
  }
}

function webSocketOrigin(serverOrigin: string): string {
  return serverOrigin.replace(/^http/, 'ws');
}

export function buildCsp({ serverOrigin, styleNonce }: CspInput): string {
  // Only a canonical origin may enter the policy: anything else could inject directives.
  const origin = serverOrigin !== null && serverOriginOf(serverOrigin) === serverOrigin ? serverOrigin : null;
  const server = origin ? [origin] : [];
  const socket = origin ? [webSocketOrigin(origin)] : [];
  const directives: [string, string[]][] = [
    ['default-src', ["'none'"]],
    ['script-src', ["'self'"]],
    ['style-src', styleSources(styleNonce)],
    ['img-src', ["'self'", 'data:', 'blob:', 'veza-media:', ...server]],
    ['media-src', ["'self'", 'blob:', 'veza-media:', ...server]],
    ['connect-src', ["'self'", ...server, ...socket, 'veza-media:']],
    ['font-src', ["'self'"]],
    ['worker-src', ["'self'", 'blob:']],
    ['manifest-src', ["'self'"]],
    ['base-uri', ["'none'"]],
    ['form-action', ["'none'"]],
    ['frame-ancestors', ["'none'"]],
    ['frame-src', ["'none'"]],
    ['object-src', ["'none'"]],
  ];
  return directives.map(([name, sources]) => `${name} ${sources.join(' ')}`).join('; ');
}
