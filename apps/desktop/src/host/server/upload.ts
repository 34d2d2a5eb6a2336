/**
 * POST /__veza/upload: uploadTrack's bytes, which JSON over the socket cannot carry. The body is
 * the raw file (read with a hard cap, never more than UPLOAD_BRIDGE_MAX_BYTES in memory), the
 * other arguments come URI-encoded JSON in a header, and the answer is the CommandOutcome.
 * Guarded like the socket: our Host and Origin, and the token in a header (a custom header also
 * forces a CORS preflight, which this host never grants, on any cross-site attempt).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { UPLOAD_BRIDGE_MAX_BYTES } from '../../common/commands.js';
import type { CommandOutcome } from '../../common/contract.js';
import { toErrorShape } from '../../common/errors.js';
import { isOwnHost, isOwnOrigin, tokenMatches } from './security.js';
import type { BridgeCore } from './ws-bridge.js';

export const UPLOAD_PATH = '/__veza/upload';
export const TOKEN_HEADER = 'x-veza-host-token';
export const UPLOAD_ARGS_HEADER = 'x-veza-upload-args';
const MAX_ARGS_HEADER = 8 * 1024;

function answer(
  response: ServerResponse,
  status: number,
  headers: Record<string, string>,
  outcome: CommandOutcome<unknown>,
): void {
  const body = JSON.stringify(outcome);
  response.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': String(Buffer.byteLength(body)),
  });
  response.end(body);
}

const invalid = (message: string): CommandOutcome<unknown> => ({
  ok: false,
  error: { code: 'INVALID_ARGUMENT', message },
});

/** The body, or null once it passes `limit` bytes (the rest is not read). */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) return resolve(null);
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.destroy();
        resolve(null);
      } else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks, size)));
    request.on('error', reject);
  });
}

function parseArgs(header: string | string[] | undefined): Record<string, unknown> | null {
  if (typeof header !== 'string' || header.length > MAX_ARGS_HEADER) return null;
  try {
    const value: unknown = JSON.parse(decodeURIComponent(header));
    if (typeof value !== 'object' || value === null || Array.isArray(value) || 'data' in value) return null;
    return value as Record<string, unknown>;
  } catch {
    return null;
  }
}

export async function handleUpload(
  request: IncomingMessage,
  response: ServerResponse,
  options: { hostOrigin: string; token: string; headers: Record<string, string>; core: BridgeCore },
): Promise<void> {
  const { headers } = options;
  const denied: CommandOutcome<unknown> = {
    ok: false,
    error: { code: 'FORBIDDEN', message: 'This page may not upload through this host.' },
  };
  if (
    !isOwnHost(request.headers.host, options.hostOrigin) ||
    !isOwnOrigin(request.headers.origin, options.hostOrigin)
  ) {
    return answer(response, 403, headers, denied);
  }
  const token = request.headers[TOKEN_HEADER];
  if (!tokenMatches(typeof token === 'string' ? token : null, options.token))
    return answer(response, 401, headers, denied);
  const args = parseArgs(request.headers[UPLOAD_ARGS_HEADER]);
  if (args === null)
    return answer(response, 400, headers, invalid('uploadTrack: the upload arguments are missing or not valid.'));
  let body: Buffer | null;
  try {
    body = await readBody(request, UPLOAD_BRIDGE_MAX_BYTES);
  } catch {
    return void response.destroy();
  }
  if (body === null) {
    // Close the connection: the rest of an oversized body is not worth reading.
    response.setHeader('connection', 'close');
    return answer(
      response,
      413,
      headers,
      invalid(`uploadTrack: the file is larger than ${UPLOAD_BRIDGE_MAX_BYTES / 1024 / 1024} MiB.`),
    );
  }
  const outcome = await options.core
    .invoke('uploadTrack', { ...args, data: new Uint8Array(body.buffer, body.byteOffset, body.byteLength) })
    .catch((error: unknown): CommandOutcome<unknown> => ({ ok: false, error: toErrorShape(error) }));
  answer(response, 200, headers, outcome);
}
