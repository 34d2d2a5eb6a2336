import { createLocalFileResponse, resolveLocalMediaPath } from '../core/media/local-media.js';
import type { ProtocolRequest } from './app-protocol.js';
import { APP_ORIGIN, MEDIA_HOST, MEDIA_SCHEME } from './app-url.js';
import { rawUrlPath } from './safe-path.js';

/**
 * Named folders behind `veza-media://local/<root>/<relative path>` (downloads, covers), as core
 * reports them for the signed-in account (CoreClient.localMediaRoots).
 */
export type MediaRoots = Readonly<Record<string, string>>;

export interface MediaProtocolDeps {
  /** Asked on every request (main caches it): the account and the downloads folder can change. */
  getRoots(): MediaRoots | Promise<MediaRoots>;
}

/** The app origin may read these responses with fetch (wavesurfer); <audio>/<img> need no CORS. */
const CORS = {
  'access-control-allow-origin': APP_ORIGIN,
  'access-control-expose-headers': 'Content-Length, Content-Range, Accept-Ranges',
  vary: 'Origin',
};

function withCors(response: Response): Response {
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(CORS)) headers.set(name, value);
  return new Response(response.body, { status: response.status, headers });
}

/**
 * The `veza-media://local/...` handler: offline tracks and cached covers, GET and HEAD, with
 * Range (206 / 416) so <audio> can seek. Path safety and Range handling are core's
 * (core/media/local-media.ts), shared with the browser host, so both shells behave the same; this
 * adds the scheme/host check and CORS for the app origin. The path is read raw from the URL text
 * so no normalisation happens before the traversal checks.
 */
export function createMediaProtocolHandler(deps: MediaProtocolDeps): (request: ProtocolRequest) => Promise<Response> {
  return async (request) => {
    const method = request.method.toUpperCase();
    if (method !== 'GET' && method !== 'HEAD') {
      return new Response(null, { status: 405, headers: { allow: 'GET, HEAD', ...CORS } });
    }
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return new Response(null, { status: 404, headers: CORS });
    }
    const raw = rawUrlPath(request.url);
    if (url.protocol !== `${MEDIA_SCHEME}:` || url.host.toLowerCase() !== MEDIA_HOST || raw === null) {
      return new Response(null, { status: 404, headers: CORS });
    }
    const file = resolveLocalMediaPath({ ...(await deps.getRoots()) }, raw);
    if (file === null) return new Response(null, { status: 404, headers: CORS });
    return withCors(await createLocalFileResponse(file, { method, range: request.headers?.get('range') ?? null }));
  };
}
