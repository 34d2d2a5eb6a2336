/**
 * The renderer's Content-Security-Policy, sent as a header by the app protocol. Pure: the server
 * origin comes in, the policy string goes out; main rebuilds it when the server URL changes.
 *
 * Why each relaxation exists:
 * - `blob:` in media-src: hls.js feeds the <audio> element through Media Source Extensions.
 * - `blob:` in worker-src: hls.js (and wavesurfer's decoder) may start workers from blob URLs.
 * - `veza-media:`: offline tracks and cached covers served by main (see media-protocol.ts).
 * - `ws(s)://server` next to `http(s)://server` in connect-src: a host source with an http(s)
 *   scheme does not portably cover WebSocket URLs, so both are listed explicitly.
 * - style-src `'unsafe-inline'`: wavesurfer.js writes a <style> element into its shadow root;
 *   scripts stay `'self'` only, so this allows no code execution.
 */
export interface CspInput {
  /** The server's origin (`https://veza.example.org`), or null when no valid server is set. */
  serverOrigin: string | null;
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

export function buildCsp({ serverOrigin }: CspInput): string {
  // Only a canonical origin may enter the policy: anything else could inject directives.
  const origin = serverOrigin !== null && serverOriginOf(serverOrigin) === serverOrigin ? serverOrigin : null;
  const server = origin ? [origin] : [];
  const socket = origin ? [webSocketOrigin(origin)] : [];
  const directives: [string, string[]][] = [
    ['default-src', ["'none'"]],
    ['script-src', ["'self'"]],
    ['style-src', ["'self'", "'unsafe-inline'"]],
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
