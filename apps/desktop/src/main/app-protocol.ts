import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { injectIntoHead, styleNonceMeta } from '../common/style-nonce.js';
import { APP_HOST, APP_SCHEME } from './app-url.js';
import { createStyleNonce } from './csp.js';
import { contentTypeFor } from './mime.js';
import { rawUrlPath, resolveUnderRoot } from './safe-path.js';

/** What the handlers read from a request: enough for tests to pass plain objects. */
export interface ProtocolRequest {
  url: string;
  method: string;
  headers?: { get(name: string): string | null };
}

export interface AppProtocolDeps {
  /** dist/renderer: the Vite build. */
  rendererDir: string;
  /**
   * The current policy (it changes with the server URL). index.html's carries the style nonce
   * handed to the page; every other file's gets null.
   */
  getCsp(styleNonce: string | null): string;
  readFile?: (file: string) => Promise<Uint8Array>;
  /** Tests only: the default is a fresh random nonce per index.html response. */
  createStyleNonce?: () => string;
}

function plain(status: number, text: string, headers: Record<string, string> = {}): Response {
  return new Response(text, {
    status,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', ...headers },
  });
}

/**
 * The `veza://app/...` handler: serves the renderer build, GET only, from the `app` host only,
 * with the CSP on every response. Anything that looks like traversal is a 404, not a redirect.
 * index.html gets a fresh style nonce: in its policy, and in a <meta> for the renderer.
 */
export function createAppProtocolHandler(deps: AppProtocolDeps): (request: ProtocolRequest) => Promise<Response> {
  const read = deps.readFile ?? ((file: string) => readFile(file));
  const newNonce = deps.createStyleNonce ?? createStyleNonce;
  const indexFile = path.resolve(deps.rendererDir, 'index.html');
  return async (request) => {
    if (request.method !== 'GET') return plain(405, 'Method Not Allowed', { Allow: 'GET' });
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return plain(404, 'Not Found');
    }
    if (url.protocol !== `${APP_SCHEME}:` || url.host.toLowerCase() !== APP_HOST) return plain(404, 'Not Found');
    const raw = rawUrlPath(request.url);
    if (raw === null) return plain(404, 'Not Found');
    const file = resolveUnderRoot(deps.rendererDir, raw === '/' ? '/index.html' : raw);
    if (file === null) return plain(404, 'Not Found');
    let body: Uint8Array;
    try {
      body = await read(file);
    } catch {
      return plain(404, 'Not Found');
    }
    let styleNonce: string | null = null;
    if (file === indexFile) {
      try {
        styleNonce = newNonce();
        const html = injectIntoHead(new TextDecoder().decode(body), styleNonceMeta(styleNonce));
        body = new TextEncoder().encode(html);
      } catch {
        return plain(500, 'Internal Error');
      }
    }
    return new Response(body, {
      status: 200,
      headers: {
        'Content-Type': contentTypeFor(file),
        'Content-Security-Policy': deps.getCsp(styleNonce),
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
        'Cache-Control': 'no-cache',
      },
    });
  };
}
