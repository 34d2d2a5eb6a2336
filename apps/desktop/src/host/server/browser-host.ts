/**
 * The browser host: core in Node, the renderer served to an ordinary browser on 127.0.0.1, and
 * `window.veza` carried over a local WebSocket. For end-to-end tests and `pnpm dev:web`; never
 * shipped. One HTTP server answers four things: the renderer's files, the bridge socket, uploads
 * and offline media; everything else is refused.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CoreEvent, SessionState } from '../../common/contract.js';
import type { CoreClient } from '../../core/worker/core-client.js';
import { LOCAL_MEDIA_PREFIX, serveLocalMedia } from './local-media.js';
import { buildHostCsp, httpOriginOf, isOwnHost, securityHeaders, tokenMatches } from './security.js';
import { serveStatic } from './static-files.js';
import { handleUpload, TOKEN_HEADER, UPLOAD_PATH } from './upload.js';
import { createWsBridge } from './ws-bridge.js';

export const PING_PATH = '/__veza/ping';

/** Builds core once the host knows its own URL (offline-file URLs start with it). */
export type CoreFactory = (context: {
  localMediaBase: string;
  hostUrl: string;
  dataDir: string;
}) => Promise<CoreClient>;

export interface BrowserHostOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Where core keeps its data: handed to the factory (the host itself writes nothing). */
  dataDir: string;
  /** dist/renderer: index.html and its assets. */
  rendererDir: string;
  /** dist/host/bridge.js: the browser side of window.veza. */
  bridgeScript: string;
  /** A running core (the caller closes it) or a factory (the host closes what it built). */
  core: CoreClient | CoreFactory;
  /** The Veza server the page may reach directly (HLS, covers); more are added as core reports them. */
  serverUrl?: string;
}

export interface BrowserHost {
  /** `http://127.0.0.1:<port>/` */
  url: string;
  core: CoreClient;
  close(): Promise<void>;
}

function listen(server: ReturnType<typeof createServer>, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** The path exactly as sent (no normalisation), without query or fragment. */
function rawPathOf(request: IncomingMessage): string {
  const url = request.url ?? '/';
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
}

/**
 * A signed-out core starts on the server the host was pointed at (the sign-in form shows it);
 * a signed-in one keeps its own server: switching would mean signing out.
 */
async function pointAtServer(core: CoreClient, serverUrl: string | undefined): Promise<void> {
  if (!serverUrl) return;
  const session = await core.invoke('getSession', undefined);
  if (!session.ok) return;
  const state = session.value as SessionState;
  if (state.status === 'signed-out' && state.serverUrl !== serverUrl)
    await core.invoke('updateSettings', { serverUrl });
}

export async function startBrowserHost(options: BrowserHostOptions): Promise<BrowserHost> {
  const token = randomBytes(32).toString('base64url');
  const server = createServer();
  const port = await listen(server, options.port ?? 0);
  const hostOrigin = `http://127.0.0.1:${port}`;
  const serverOrigins = new Set<string>();
  const noteServer = (url: string | null | undefined): void => {
    const origin = httpOriginOf(url);
    if (origin) serverOrigins.add(origin);
  };
  noteServer(options.serverUrl);
  const headers = (styleNonce: string | null = null): Record<string, string> =>
    securityHeaders(buildHostCsp(hostOrigin, serverOrigins, styleNonce));

  let core: CoreClient;
  const ownsCore = typeof options.core === 'function';
  try {
    core =
      typeof options.core === 'function'
        ? await options.core({
            localMediaBase: `${hostOrigin}${LOCAL_MEDIA_PREFIX}`,
            hostUrl: `${hostOrigin}/`,
            dataDir: options.dataDir,
          })
        : options.core;
  } catch (error) {
    await new Promise((resolve) => server.close(resolve));
    throw error;
  }

  try {
    await pointAtServer(core, options.serverUrl);
    const session = await core.invoke('getSession', undefined);
    if (session.ok) noteServer((session.value as SessionState).serverUrl);
  } catch (error) {
    if (ownsCore) await core.close().catch(() => undefined);
    await new Promise((resolve) => server.close(resolve));
    throw error;
  }

  const bridge = createWsBridge({ hostOrigin, token, core: () => core });
  // The page may talk to whichever server the user signs in to: its origin joins the policy
  // (pages loaded before that pick it up on their next load).
  const unsubscribe = core.onEvent((event: CoreEvent) => {
    if (event.type === 'session.changed') noteServer(event.session.serverUrl);
    if (event.type === 'settings.changed') noteServer(event.settings.serverUrl);
    bridge.broadcast(event);
  });

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const current = headers();
    if (!isOwnHost(request.headers.host, hostOrigin)) {
      response.writeHead(421, { ...current, 'content-type': 'text/plain; charset=utf-8' });
      return void response.end(`Open ${hostOrigin}/ instead.`);
    }
    const rawPath = rawPathOf(request);
    if (rawPath === UPLOAD_PATH && request.method === 'POST')
      return handleUpload(request, response, { hostOrigin, token, headers: current, core });
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { ...current, allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
      return void response.end('Method not allowed');
    }
    if (rawPath === PING_PATH) {
      // Lets a page whose socket keeps failing tell "host down" from "host restarted, my token is stale".
      const sent = request.headers[TOKEN_HEADER];
      const valid = tokenMatches(typeof sent === 'string' ? sent : null, token);
      response.writeHead(valid ? 204 : 401, { ...current, 'cache-control': 'no-store' });
      return void response.end();
    }
    if (rawPath.startsWith(LOCAL_MEDIA_PREFIX)) {
      return serveLocalMedia(request, response, rawPath.slice(LOCAL_MEDIA_PREFIX.length), {
        roots: () => core.localMediaRoots(),
        headers: current,
      });
    }
    return serveStatic(request, response, rawPath, {
      rendererDir: options.rendererDir,
      bridgeScript: options.bridgeScript,
      token,
      headers: (styleNonce) => (styleNonce === null ? current : headers(styleNonce)),
    });
  }

  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    route(request, response).catch(() => {
      // Never echo the failure (it could carry a path or a body): a plain 500.
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      response.end('Internal error');
    });
  });
  server.on('upgrade', (request, socket, head: Buffer) => bridge.handleUpgrade(request, socket, head));

  let closing: Promise<void> | null = null;
  return {
    url: `${hostOrigin}/`,
    core,
    close() {
      closing ??= (async () => {
        unsubscribe();
        await bridge.close();
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
        if (ownsCore) await core.close();
      })();
      return closing;
    },
  };
}
