/**
 * The renderer build, served read-only: GET and HEAD, files only (no directory listings), paths
 * that could leave the folder refused before any decoding, content types from the extension.
 * index.html gets the bridge script, this run's token and a fresh style nonce injected.
 */
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { injectIntoHead, styleNonceMeta } from '../../common/style-nonce.js';
import { createStyleNonce } from '../../main/csp.js';
import { contentTypeFor } from '../../main/mime.js';
import { resolveUnderRoot } from '../../main/safe-path.js';

export const BRIDGE_SCRIPT_PATH = '/__veza/bridge.js';

/**
 * Puts the token (a meta the bridge reads), the style nonce (a meta the renderer reads, named in
 * this response's CSP) and the bridge script first in <head>: a classic script runs while the page
 * parses, so `window.veza` exists before the app's module script runs.
 */
export function injectBridge(html: string, token: string, styleNonce: string): string {
  const tags = `<meta name="veza-host-token" content="${token}">${styleNonceMeta(styleNonce)}<script src="${BRIDGE_SCRIPT_PATH}"></script>`;
  return injectIntoHead(html, tags);
}

export interface StaticOptions {
  rendererDir: string;
  bridgeScript: string;
  token: string;
  /** The security headers; index.html's CSP names its style nonce, other answers' get null. */
  headers: (styleNonce: string | null) => Record<string, string>;
}

function send(response: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  response.writeHead(status, { ...headers, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  response.end(body);
}

/** Answers a request for a renderer file (or the bridge); 404 for anything that is not a file. */
export async function serveStatic(
  request: IncomingMessage,
  response: ServerResponse,
  rawPath: string,
  options: StaticOptions,
): Promise<void> {
  const headers = options.headers(null);
  const isIndex = rawPath === '/' || rawPath === '/index.html';
  const file =
    rawPath === BRIDGE_SCRIPT_PATH
      ? options.bridgeScript
      : resolveUnderRoot(options.rendererDir, isIndex ? '/index.html' : rawPath);
  if (file === null) return send(response, 404, headers, 'Not found');
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) return send(response, 404, headers, 'Not found');
    size = info.size;
  } catch {
    // The one miss worth explaining: someone opened the host before building the renderer.
    if (isIndex)
      return send(response, 503, headers, 'The renderer is not built yet: run `pnpm --filter @veza/desktop build`.');
    return send(response, 404, headers, 'Not found');
  }
  const head = request.method === 'HEAD';
  if (isIndex) {
    const styleNonce = createStyleNonce();
    const body = Buffer.from(injectBridge(await readFile(file, 'utf8'), options.token, styleNonce));
    // The token is in it: nothing may keep a copy.
    response.writeHead(200, {
      ...options.headers(styleNonce),
      'content-type': 'text/html; charset=utf-8',
      'content-length': String(body.length),
      'cache-control': 'no-store',
    });
    response.end(head ? undefined : body);
    return;
  }
  response.writeHead(200, {
    ...headers,
    'content-type': contentTypeFor(file),
    'content-length': String(size),
    'cache-control': 'no-cache',
  });
  if (head) return void response.end();
  const stream = createReadStream(file);
  stream.on('error', () => response.destroy());
  stream.pipe(response);
}
