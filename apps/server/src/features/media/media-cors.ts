import type { IncomingMessage, ServerResponse } from 'node:http';

/** What may be done to a media file. */
export const MEDIA_METHODS = 'GET, HEAD, OPTIONS';

/** The answer headers a player on another origin reads: seeking needs the range ones. */
const EXPOSED = 'Accept-Ranges, Content-Length, Content-Range, ETag';

/**
 * On every media answer. The path is the credential (no cookies), so any origin may read it:
 * hls.js in the desktop renderer and a web player fetch cross-origin, and <audio> loads
 * downloads no-cors.
 */
export const MEDIA_CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': EXPOSED,
} as const;

/** How long a browser may reuse a preflight's answer (browsers cap it lower: Chromium at 2 h). */
const PREFLIGHT_MAX_AGE_SECONDS = 86_400;

/**
 * Answers an OPTIONS request. A preflight (Origin and Access-Control-Request-Method) from an
 * allowed origin learns it may read with GET or HEAD and send a Range header; any other gets
 * the methods in `Allow` and no Access-Control-Allow-* header, so the browser refuses the
 * request. Nothing about the file is looked at: a preflight carries no credential.
 */
export function answerPreflight(
  request: IncomingMessage,
  response: ServerResponse,
  allowed: ReadonlySet<string>,
): void {
  const origin = request.headers.origin;
  const headers: Record<string, string> = { allow: MEDIA_METHODS, vary: 'Origin' };
  if (origin !== undefined && request.headers['access-control-request-method'] !== undefined && allowed.has(origin)) {
    Object.assign(headers, {
      'access-control-allow-origin': origin,
      'access-control-allow-methods': 'GET, HEAD',
      'access-control-allow-headers': 'Range',
      'access-control-expose-headers': EXPOSED,
      'access-control-max-age': String(PREFLIGHT_MAX_AGE_SECONDS),
    });
  }
  response.writeHead(204, headers).end();
}
