/**
 * The renderer's Content-Security-Policy, built once for both shells that serve it: the Electron
 * app protocol (main/csp.ts) and the browser host (host/server/security.ts). The shells differ
 * only in where local files and the bridge live, which they pass in; every directive and every
 * relaxation is decided here. Pure: no Node, no DOM (the shells make the nonce).
 *
 * Why each relaxation exists:
 * - `blob:` in media-src: hls.js feeds the <audio> element through Media Source Extensions.
 * - `blob:` in worker-src: hls.js (and wavesurfer's decoder) may start workers from blob URLs.
 * - the local-media scheme (`veza-media:` in Electron): offline tracks and cached covers served
 *   by the shell; the browser host serves them from its own origin, which 'self' covers.
 * - `ws(s)://server` next to `http(s)://server` in connect-src: a host source with an http(s)
 *   scheme does not portably cover WebSocket URLs, so both are listed explicitly.
 * - the bridge socket (browser host only): window.veza is a WebSocket to the host.
 * - `'nonce-<n>'` in style-src (index.html only): wavesurfer.js writes a <style> element into
 *   its shadow root, which `'self'` alone refuses. Rather than `'unsafe-inline'` (any injected
 *   <style> or style="" attribute would apply, which is enough for CSS-based data exfiltration),
 *   each index.html response gets a fresh random nonce: named here, handed to the page in
 *   `<meta name="veza-style-nonce">`, and passed to wavesurfer as `cspNonce`, which puts it on
 *   its <style>. Markup injected into the page cannot know it. Only base64 is accepted, so the
 *   nonce cannot end the source and inject directives. React's `style` props set CSSOM
 *   properties, which CSP does not restrict, so no other inline style is needed. Other files
 *   are not documents and get the policy without a nonce.
 * Scripts stay 'self' only, so no inline or injected code can run.
 */
import { isStyleNonce } from './style-nonce.js';

// WHATWG URL is a global wherever common/ runs (Node, Chromium); common's ES-only lib just does not type it.
declare const URL: new (url: string) => { protocol: string; origin: string };

export interface RendererCspInput {
  /** Origins of the Veza servers the page may reach; anything but a canonical http(s) origin is left out. */
  serverOrigins: Iterable<string>;
  /** The scheme offline media comes from (`veza-media:`), or null when 'self' serves it. */
  localMediaScheme: string | null;
  /** The shell's own WebSocket origin carrying window.veza, or null when the bridge is IPC. */
  bridgeSocket: string | null;
  /** index.html's style nonce (base64); null or absent for other files. */
  styleNonce?: string | null;
}

/** The origin of an http(s) URL, or null for anything else (it must never reach the policy raw). */
export function httpOriginOf(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
    return parsed.origin;
  } catch {
    return null;
  }
}

/** style-src's sources; throws on a nonce that is not plain base64 (it could inject directives). */
export function styleSources(styleNonce: string | null | undefined): string[] {
  if (styleNonce === null || styleNonce === undefined) return ["'self'"];
  if (!isStyleNonce(styleNonce)) throw new Error('Invalid style nonce');
  return ["'self'", `'nonce-${styleNonce}'`];
}

function webSocketOrigin(httpOrigin: string): string {
  return httpOrigin.replace(/^http/, 'ws');
}

export function buildRendererCsp(input: RendererCspInput): string {
  // Only a canonical origin may enter the policy: anything else could inject directives.
  const servers = [...new Set([...input.serverOrigins].filter((origin) => httpOriginOf(origin) === origin))];
  const sockets = servers.map(webSocketOrigin);
  const localMedia = input.localMediaScheme === null ? [] : [input.localMediaScheme];
  const bridge = input.bridgeSocket === null ? [] : [input.bridgeSocket];
  const directives: [string, string[]][] = [
    ['default-src', ["'none'"]],
    ['script-src', ["'self'"]],
    ['style-src', styleSources(input.styleNonce)],
    ['img-src', ["'self'", 'data:', 'blob:', ...localMedia, ...servers]],
    ['media-src', ["'self'", 'blob:', ...localMedia, ...servers]],
    ['connect-src', ["'self'", ...bridge, ...servers, ...sockets, ...localMedia]],
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
