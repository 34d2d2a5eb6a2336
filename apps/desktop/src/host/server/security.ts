/**
 * The host's defences, as pure functions: the page's Content-Security-Policy, the headers every
 * answer carries, and the checks that keep other web pages (and DNS-rebinding tricks) away from a
 * socket that can drive the signed-in core.
 */
import { timingSafeEqual } from 'node:crypto';
import { buildRendererCsp, httpOriginOf } from '../../common/csp.js';

export { httpOriginOf };

/**
 * The browser host's policy (common/csp.ts builds it and says why each source is there): the
 * renderer and offline media come from this host ('self'), and the bridge is a WebSocket to it.
 * Server URLs are reduced to their origins first; a nonce that is not plain base64 throws.
 */
export function buildHostCsp(
  hostOrigin: string,
  serverOrigins: Iterable<string>,
  styleNonce: string | null = null,
): string {
  const servers = [...serverOrigins].map((origin) => httpOriginOf(origin)).filter((origin) => origin !== null);
  return buildRendererCsp({
    serverOrigins: servers,
    localMediaScheme: null,
    bridgeSocket: hostOrigin.replace(/^http/, 'ws'),
    styleNonce,
  });
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
