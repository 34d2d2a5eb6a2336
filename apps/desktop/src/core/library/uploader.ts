import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { isErrorCode, type Track } from '@veza/shared';
import { DesktopError } from '../../common/errors.js';
import type { TokenSource } from '../api/api-client.js';

const CHUNK_BYTES = 64 * 1024;
/** Progress events at most this often (plus the last one): the UI cannot draw faster. */
const PROGRESS_INTERVAL_MS = 100;
const RESPONSE_TIMEOUT_MS = 10 * 60 * 1000;

export interface UploadInput {
  fileName: string;
  data: Uint8Array;
  /** Text fields, sent before the file in this order; undefined ones are left out. */
  fields: Record<string, string | undefined>;
}

export interface UploadOptions {
  serverUrl: string;
  tokens: TokenSource;
  onProgress(sentBytes: number, totalBytes: number): void;
  signal?: AbortSignal;
}

/** A quoted multipart parameter: quotes, CR and LF escaped as browsers do; UTF-8 otherwise kept. */
const quoted = (value: string): string =>
  `"${value.replaceAll('\\', '_').replaceAll('"', '%22').replaceAll('\r', '%0D').replaceAll('\n', '%0A')}"`;

/** The multipart body as a head (text fields, file part header), the file bytes, and a tail. */
function multipartBody(input: UploadInput): { boundary: string; head: Buffer; tail: Buffer } {
  const boundary = `----veza-${randomBytes(16).toString('hex')}`;
  let head = '';
  for (const [name, value] of Object.entries(input.fields)) {
    if (value === undefined) continue;
    head += `--${boundary}\r\nContent-Disposition: form-data; name=${quoted(name)}\r\n\r\n${value}\r\n`;
  }
  head +=
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename=${quoted(input.fileName)}\r\n` +
    'Content-Type: application/octet-stream\r\n\r\n';
  return { boundary, head: Buffer.from(head, 'utf8'), tail: Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8') };
}

interface RawAnswer {
  status: number;
  body: string;
}

/**
 * POST /api/v1/tracks with upload progress. fetch() cannot report how much of a request body has
 * been sent, so the multipart body is written by hand on node:http(s), 64 KiB at a time, waiting
 * for 'drain' when the socket buffer is full: the byte count is then what the kernel accepted,
 * not what sits in memory. An expired token is renewed once and the upload replayed.
 */
export async function uploadTrackMultipart(input: UploadInput, options: UploadOptions): Promise<Track> {
  let answer = await send(input, options, await options.tokens.accessToken());
  if (answer.status === 401) {
    const code = errorOf(answer)?.code;
    if (code === 'TOKEN_EXPIRED' || code === 'TOKEN_INVALID') {
      answer = await send(input, options, await options.tokens.renewAccessToken());
    }
  }
  if (answer.status === 200 || answer.status === 201 || answer.status === 202) return JSON.parse(answer.body) as Track;
  throw toDesktopError(answer);
}

function errorOf(answer: RawAnswer): { code: string; message: string } | null {
  try {
    const parsed = JSON.parse(answer.body) as { error?: { code?: unknown; message?: unknown } };
    const { code, message } = parsed.error ?? {};
    return isErrorCode(code) && typeof message === 'string' ? { code, message } : null;
  } catch {
    return null;
  }
}

function toDesktopError(answer: RawAnswer): DesktopError {
  const error = errorOf(answer);
  if (error) return new DesktopError(error.code as never, error.message);
  if (answer.status === 413) return new DesktopError('PAYLOAD_TOO_LARGE', 'The file is too large for this server.');
  if (answer.status >= 500)
    return new DesktopError('SERVER_UNREACHABLE', `The server had a problem (HTTP ${answer.status}).`);
  return new DesktopError('BAD_REQUEST', `The server refused the upload (HTTP ${answer.status}).`);
}

function send(input: UploadInput, options: UploadOptions, token: string): Promise<RawAnswer> {
  const { boundary, head, tail } = multipartBody(input);
  const total = head.length + input.data.byteLength + tail.length;
  const url = new URL(`${options.serverUrl.replace(/\/+$/, '')}/api/v1/tracks`);
  const client = url.protocol === 'https:' ? https : http;

  return new Promise<RawAnswer>((resolve, reject) => {
    let answered = false;
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      outcome();
    };
    const request = client.request(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/json',
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(total),
      },
      timeout: RESPONSE_TIMEOUT_MS,
    });
    const onAbort = () => request.destroy(new DesktopError('BAD_REQUEST', 'Upload cancelled.'));
    options.signal?.addEventListener('abort', onAbort, { once: true });

    request.on('response', (response) => {
      // The server may answer before the body is complete (413, 401): stop sending then.
      answered = true;
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        finish(() => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') })),
      );
      response.on('error', (error) => finish(() => reject(networkError(error))));
    });
    request.on('timeout', () =>
      request.destroy(new DesktopError('SERVER_UNREACHABLE', 'The server stopped answering during the upload.')),
    );
    request.on('error', (error) => {
      // A write error after the server answered (it closed the connection on a refused upload)
      // is not the outcome: the answer is.
      if (answered) return;
      finish(() => reject(error instanceof DesktopError ? error : networkError(error)));
    });

    void (async () => {
      let sent = 0;
      let lastReport = 0;
      const report = (force: boolean) => {
        const now = Date.now();
        if (force || now - lastReport >= PROGRESS_INTERVAL_MS) {
          lastReport = now;
          options.onProgress(sent, total);
        }
      };
      const write = async (chunk: Uint8Array) => {
        if (answered || request.destroyed) return;
        if (!request.write(chunk)) {
          await new Promise<void>((done) => {
            const release = () => {
              request.off('drain', release);
              request.off('close', release);
              done();
            };
            request.on('drain', release);
            request.on('close', release);
          });
        }
        sent += chunk.byteLength;
        report(false);
      };
      report(true);
      await write(head);
      for (let offset = 0; offset < input.data.byteLength; offset += CHUNK_BYTES) {
        await write(input.data.subarray(offset, Math.min(offset + CHUNK_BYTES, input.data.byteLength)));
        if (answered || request.destroyed) return;
      }
      await write(tail);
      if (!answered && !request.destroyed) {
        report(true);
        request.end();
      }
    })();
  });
}

function networkError(error: unknown): DesktopError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ETIMEDOUT') return new DesktopError('SERVER_UNREACHABLE', 'The server is taking too long to answer.');
  return new DesktopError(
    'OFFLINE',
    'The server cannot be reached, so the upload did not happen. Try again when you are online.',
  );
}
