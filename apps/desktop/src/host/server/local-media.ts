/**
 * /local-media/<root>/<path>: downloaded tracks and cached covers, from the folders core names
 * (CoreClient.localMediaRoots), with Range support for <audio> seeking. Path safety and the
 * Range logic live in core/media/local-media.ts, shared with Electron's media protocol.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { createLocalFileResponse, resolveLocalMediaPath } from '../../core/media/local-media.js';

export const LOCAL_MEDIA_PREFIX = '/local-media/';

/** Streams `rawPath` (everything after the prefix, still URL-encoded) or answers 404. */
export async function serveLocalMedia(
  request: IncomingMessage,
  response: ServerResponse,
  rawPath: string,
  options: { roots: () => Promise<Record<string, string>>; headers: Record<string, string> },
): Promise<void> {
  const file = resolveLocalMediaPath(await options.roots(), rawPath);
  if (file === null) {
    response.writeHead(404, {
      ...options.headers,
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'no-store',
    });
    return void response.end('Not found');
  }
  const range = request.headers.range;
  const answer = await createLocalFileResponse(file, {
    method: request.method ?? 'GET',
    range: typeof range === 'string' ? range : null,
  });
  const headers: Record<string, string> = { ...options.headers, 'cache-control': 'no-store' };
  answer.headers.forEach((value, name) => {
    headers[name] = value;
  });
  response.writeHead(answer.status, headers);
  if (!answer.body || request.method === 'HEAD') return void response.end();
  const body = Readable.fromWeb(answer.body as unknown as NodeReadableStream);
  body.on('error', () => response.destroy());
  response.on('close', () => body.destroy());
  body.pipe(response);
}
