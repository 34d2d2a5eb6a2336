/**
 * The host's defences, as pure functions: the page's Content-Security-Policy, the headers every
 * answer carries, and the checks that keep other web pages (and DNS-rebinding tricks) away from a
 * socket that can drive the signed-in core.
 */
import { timingSafeEqual } from 'node:crypto';
import { styleSources } from '../../main/csp.js';

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

/**
 * The Electron app's policy (main/csp.ts), adapted: the renderer comes from this host ('self'),
 * offline media from /local-media on it ('self' again), and the bridge is a WebSocket to it.
 * Why the relaxations exist: `blob:` media and workers for hls.js (Media Source Extensions);
 * index.html's style-src also names a per-response nonce, because wavesurfer.js writes a <style>
 * into its shadow root (main/csp.ts explains; there is no 'unsafe-inline'). Scripts stay 'self'
 * only, so no inline or injected code can run. A nonce that is not plain base64 throws.
 */
export function buildHostCsp(
  hostOrigin: string,
  serverOrigins: Iterable<string>,
  styleNonce: string | null = null,
): string {
  const servers = [...new Set([...serverOrigins].map((origin) => httpOriginOf(origin)).filter((o) => o !== null))];
  const sockets = servers.map((origin) => origin.replace(/^http/, 'ws'));
  const hostSocket = hostOrigin.replace(/^http/, 'ws');
  const directives: [string, string[]][] = [
    ['default-src', ["'none'"]],
    ['script-src', ["'self'"]],
    ['style-src', styleSources(styleNonce)],
    ['img-src', ["'self'", 'data:', 'blob:', ...servers]],
    ['media-src', ["'self'", 'blob:', ...servers]],
    ['connect-src', ["'self'", hostSocket, ...servers, ...sockets]],
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

/** Headers on every answer. CORP same-origin: other sites cannot even embed our files. */
export function securityHeaders(csp: string): Record<string, string> {
  return {
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-resource-policy': 'same-origin',
    'cross-origin-opener-policy': 'same-origin',
    'x-frame-options': 'DENY',
  };
}

/**
 * True when the Host header names this host exactly. A DNS-rebinding page reaches 127.0.0.1 with
 * its own name in Host; refusing it keeps the page (and its token) out of that page's reach.
 */
export function isOwnHost(hostHeader: string | undefined, hostOrigin: string): boolean {
  return hostHeader !== undefined && hostHeader.toLowerCase() === new URL(hostOrigin).host;
}

/** Browsers always send Origin on WebSocket handshakes and POSTs: it must be ours, exactly. */
export function isOwnOrigin(originHeader: string | undefined, hostOrigin: string): boolean {
  return originHeader !== undefined && originHeader === hostOrigin;
}

/** Constant-time comparison, so the token cannot be guessed byte by byte from timings. */
export function tokenMatches(candidate: string | null | undefined, token: string): boolean {
  if (typeof candidate !== 'string') return false;
  const a = Buffer.from(candidate);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}
