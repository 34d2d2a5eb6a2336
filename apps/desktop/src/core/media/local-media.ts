import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { parseByteRange } from './byte-range.js';

/**
 * Offline files (downloads, cached covers) reach the renderer through one URL scheme in both
 * shells: `${base}<root>/<relative path>`, where base is `veza-media://local/` (Electron protocol
 * handler) or `http://127.0.0.1:<port>/local-media/` (browser host). Both shells map the URL back
 * with `resolveLocalMediaPath` and answer with `createLocalFileResponse`, so the traversal rules
 * and the Range handling exist once.
 */

const CONTENT_TYPES: Record<string, string> = {
  '.m4a': 'audio/mp4',
  '.mp4': 'audio/mp4',
  '.mp3': 'audio/mpeg',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.json': 'application/json',
};

export function contentTypeFor(filePath: string): string {
  return CONTENT_TYPES[path.extname(filePath).toLowerCase()] ?? 'application/octet-stream';
}

/** The renderer's URL of `relativePath` (slash-separated) under `root`. */
export function localMediaUrl(base: string, root: string, relativePath: string): string {
  const prefix = base.endsWith('/') ? base : `${base}/`;
  const segments = relativePath.split('/').filter((segment) => segment !== '');
  return `${prefix}${encodeURIComponent(root)}/${segments.map(encodeURIComponent).join('/')}`;
}

/**
 * Characters no segment may hold once decoded: separators and NUL; `:` because `C:x` leaves the
 * root on Windows; `%` because a name that still has escapes after decoding was encoded twice.
 */
const FORBIDDEN_IN_SEGMENT = /[\\/\0:%]/;
/** Encoded dots and separators: our own URLs never contain them (encodeURIComponent keeps '.'). */
const SUSPICIOUS_ESCAPE = /%(2e|2f|5c|00)/i;

/**
 * The file a local-media URL path points at, or null. `urlPath` is the part after the base, as it
 * appears in the URL (still percent-encoded; a leading slash is allowed), e.g. Electron's
 * `new URL(request.url).pathname` or the browser host's path minus `/local-media`.
 *
 * Refused: unknown roots, `.`/`..` segments in any spelling (`%2e%2e`), encoded or literal
 * backslashes and encoded slashes, double encoding, NUL, empty segments, absolute paths, malformed escapes; and,
 * as the last word, anything that does not resolve strictly inside its root.
 */
export function resolveLocalMediaPath(roots: Record<string, string>, urlPath: string): string | null {
  if (typeof urlPath !== 'string' || urlPath.length === 0 || urlPath.length > 4096) return null;
  if (urlPath.includes('\\') || urlPath.includes('\0') || SUSPICIOUS_ESCAPE.test(urlPath)) return null;
  const raw = urlPath.startsWith('/') ? urlPath.slice(1) : urlPath;
  const parts = raw.split('/');
  if (parts.length < 2) return null;
  let decoded: string[];
  try {
    decoded = parts.map((part) => decodeURIComponent(part));
  } catch {
    return null;
  }
  for (const segment of decoded) {
    if (segment === '' || segment === '.' || segment === '..' || FORBIDDEN_IN_SEGMENT.test(segment)) return null;
  }
  const [rootName, ...rest] = decoded as [string, ...string[]];
  if (!Object.hasOwn(roots, rootName)) return null;
  const rootDir = roots[rootName];
  if (typeof rootDir !== 'string' || !path.isAbsolute(rootDir)) return null;
  const root = path.resolve(rootDir);
  const resolved = path.resolve(root, ...rest);
  if (!resolved.startsWith(root + path.sep)) return null;
  return resolved;
}

export interface LocalFileRequest {
  method: string;
  /** The request's Range header, if any. */
  range?: string | null;
}

const textResponse = (status: number, text: string, headers: Record<string, string> = {}): Response =>
  new Response(text, { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers } });

/**
 * A web Response for a local file: GET and HEAD only, a single byte range at most (206, or 416
 * with `Content-Range: bytes * /size`), the body streamed from disk (a 200 MB file is never
 * read into memory). Media elements seek with Range, so it has to be right.
 */
export async function createLocalFileResponse(filePath: string, request: LocalFileRequest): Promise<Response> {
  const method = request.method.toUpperCase();
  if (method !== 'GET' && method !== 'HEAD') return textResponse(405, 'Method not allowed', { allow: 'GET, HEAD' });
  let size: number;
  try {
    const info = await stat(filePath);
    if (!info.isFile()) return textResponse(404, 'Not found');
    size = info.size;
  } catch {
    return textResponse(404, 'Not found');
  }

  const headers: Record<string, string> = {
    'content-type': contentTypeFor(filePath),
    'accept-ranges': 'bytes',
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-cache',
  };
  const range = parseByteRange(request.range, size);
  if (range === 'unsatisfiable') {
    return textResponse(416, 'Range not satisfiable', { 'content-range': `bytes */${size}`, 'accept-ranges': 'bytes' });
  }
  const start = range?.start ?? 0;
  const end = range?.end ?? size - 1;
  const length = size === 0 ? 0 : end - start + 1;
  headers['content-length'] = String(length);
  if (range) headers['content-range'] = `bytes ${start}-${end}/${size}`;
  const status = range ? 206 : 200;
  if (method === 'HEAD' || length === 0) return new Response(null, { status, headers });
  const stream = createReadStream(filePath, { start, end });
  // Readable.toWeb destroys the file stream when the consumer cancels (a seek aborts the request).
  return new Response(Readable.toWeb(stream) as unknown as ReadableStream<Uint8Array>, { status, headers });
}
