import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance } from 'fastify';
import { TRACK_QUALITIES, type ErrorBody, type ErrorCode, type TrackQuality } from '@veza/shared';
import { BlobNotFoundError, type BlobStore } from '../../infra/blobs/blob-store.js';
import type { Clock } from '../../infra/clock.js';
import type { Logger } from '../../infra/logger.js';
import type { Metrics } from '../../infra/metrics.js';
import { echoRequestId } from '../../http/request-id.js';
import { downloadKey, hlsKey } from './blob-keys.js';
import { parseByteRange } from './byte-range.js';
import type { HotCache } from './hot-cache.js';
import { answerPreflight, MEDIA_CORS_HEADERS, MEDIA_METHODS } from './media-cors.js';
import type { MediaGrant, UrlSigner } from './url-signer.js';

export const MEDIA_PREFIX = '/media';

const MAX_VERIFIED_LINKS = 50_000;

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const INTEGER = '(?:0|[1-9]\\d{0,9})';
const SIGNATURE = '[A-Za-z0-9_-]{1,64}';
const QUALITY = `(?:${TRACK_QUALITIES.join('|')})`;
/**
 * The whole path is matched at once against the only names a ladder or a download has: `..`,
 * encoded slashes, NUL, other names never reach the store (404). A query string is ignored.
 */
const HLS_PATH = new RegExp(
  `^${MEDIA_PREFIX}/hls/(${UUID})/(${INTEGER})/(${UUID})/(${INTEGER})/(${SIGNATURE})/` +
    `(master\\.m3u8|${QUALITY}/(?:index\\.m3u8|init\\.mp4|seg_\\d{5}\\.m4s))(?:\\?.*)?$`,
);
const DOWNLOAD_PATH = new RegExp(
  `^${MEDIA_PREFIX}/dl/(${UUID})/(${INTEGER})/(${QUALITY})/(${UUID})/(${INTEGER})/(${SIGNATURE})/` +
    `([A-Za-z0-9][A-Za-z0-9._-]{0,119}\\.m4a)(?:\\?.*)?$`,
);

const CONTENT_TYPES: Record<string, string> = {
  m3u8: 'application/vnd.apple.mpegurl',
  mp4: 'audio/mp4',
  m4a: 'audio/mp4',
  m4s: 'video/iso.segment',
};

const extensionOf = (fileName: string): string => fileName.slice(fileName.lastIndexOf('.') + 1);
const contentTypeOf = (fileName: string): string => CONTENT_TYPES[extensionOf(fileName)] ?? 'application/octet-stream';

/** The path of a signed ladder; the master playlist is `<base>/master.m3u8`. */
export const hlsBasePath = (grant: MediaGrant, signature: string): string =>
  `${MEDIA_PREFIX}/hls/${grant.trackId}/${grant.mediaVersion}/${grant.userId}/${grant.expiresAt}/${signature}`;

export const downloadPath = (grant: MediaGrant, quality: string, signature: string, fileName: string): string =>
  `${MEDIA_PREFIX}/dl/${grant.trackId}/${grant.mediaVersion}/${quality}/${grant.userId}/${grant.expiresAt}/${signature}/${fileName}`;

export interface MediaFileServerDeps {
  blobs: BlobStore;
  signer: UrlSigner;
  cache: HotCache;
  clock: Clock;
  logger: Logger;
  /** Origins whose preflight requests are allowed (reads need none: the path is the credential). */
  corsOrigins: ReadonlySet<string>;
  /** Counted as plain numbers (see Tally): this path must stay cheap. */
  metrics: Pick<Metrics, 'mediaRequests' | 'mediaCacheLookups'>;
}

interface Target {
  grant: MediaGrant;
  signature: string;
  /** The path up to and including the signature: what the signature vouches for. */
  signedPrefix: string;
  key: string;
  fileName: string;
  download: boolean;
}

/**
 * Signed media: no session, no header — the path is the credential, so `<audio>`, hls.js and a
 * CDN can all fetch it. This is the hot path (a player fetches a segment every few seconds per
 * listener), so it is plain Node: one regex, one HMAC, usually one memory lookup, and the
 * response written directly. The HTTP server hands every `/media/` request here, whatever its
 * method, before Fastify (see app.ts): none is logged, since the path is the credential. The
 * Fastify route below serves the same handler to `inject()` and any request that arrives
 * another way.
 */
export class MediaFileServer {
  /**
   * Signatures already checked, by the signed part of the path (a player fetches dozens of files
   * under one): the HMAC runs once per link, not once per segment. Bounded; cleared when full.
   */
  private readonly verified = new Map<string, number>();
  private closing = false;

  constructor(private readonly deps: MediaFileServerDeps) {}

  /** The server is shutting down: answers end their connection so clients move elsewhere. */
  startClosing(): void {
    this.closing = true;
  }

  /** True for the requests `handle` answers: every method under /media/. */
  static claims(url: string | undefined): boolean {
    return url !== undefined && url.startsWith(`${MEDIA_PREFIX}/`);
  }

  private verify(target: Target, now: number): 'valid' | 'expired' | 'forged' {
    const known = this.verified.get(target.signedPrefix);
    if (known !== undefined) return known * 1000 > now ? 'valid' : 'expired';
    const verdict = this.deps.signer.verify(target.grant, target.signature, now);
    if (verdict === 'valid') {
      if (this.verified.size >= MAX_VERIFIED_LINKS) this.verified.clear();
      this.verified.set(target.signedPrefix, target.grant.expiresAt);
    }
    return verdict;
  }

  handle(request: IncomingMessage, response: ServerResponse): void {
    echoRequestId(request, response);
    if (this.closing) response.setHeader('connection', 'close');
    if (request.method === 'OPTIONS') {
      this.deps.metrics.mediaRequests.add(204);
      return answerPreflight(request, response, this.deps.corsOrigins);
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('allow', MEDIA_METHODS);
      return this.refuse(response, 405, 'METHOD_NOT_ALLOWED', 'Media files can only be read (GET or HEAD).');
    }
    const target = parseTarget(request.url ?? '');
    if (!target) return this.refuse(response, 404, 'NOT_FOUND', 'No such media file.');
    const now = this.deps.clock.now().getTime();
    const verdict = this.verify(target, now);
    if (verdict !== 'valid') {
      return this.refuse(
        response,
        403,
        'FORBIDDEN',
        verdict === 'expired'
          ? 'This media link has expired; ask for a new one.'
          : 'This media link is not valid (its signature does not match).',
      );
    }
    // The common case (a hot segment) is answered synchronously: no promise, no await.
    const cached = this.deps.cache.get(target.key);
    if (cached) {
      this.deps.metrics.mediaCacheLookups.add('hit');
      this.respond(request, response, target, now, cached.data.length, cached.etag, cached.data);
      return;
    }
    this.deps.metrics.mediaCacheLookups.add('miss');
    this.serveFromStore(request, response, target, now).catch((error: unknown) => {
      this.deps.logger.error({ err: error }, 'serving a media file failed');
      if (!response.headersSent) this.refuse(response, 500, 'INTERNAL_ERROR', 'Something went wrong on the server.');
      else response.destroy();
    });
  }

  private async serveFromStore(
    request: IncomingMessage,
    response: ServerResponse,
    target: Target,
    now: number,
  ): Promise<void> {
    const { blobs, cache } = this.deps;
    // Playlists always come from here: the relative URIs in them must resolve under this signed
    // path (each segment is checked here, then maybe redirected), not under the store's URL.
    if (!target.fileName.endsWith('.m3u8')) {
      const url = await blobs.urlFor(target.key, {
        expiresAt: new Date(target.grant.expiresAt * 1000),
        contentType: contentTypeOf(target.fileName),
        ...(target.download ? { attachmentName: target.fileName } : {}),
      });
      if (url !== null) return this.redirect(response, url);
    }
    const stat = await blobs.stat(target.key);
    if (!stat) return this.refuse(response, 404, 'NOT_FOUND', 'No such media file.');
    if (stat.size <= cache.maxEntryBytes) {
      const data = await blobs.readAll(target.key);
      if (!data) return this.refuse(response, 404, 'NOT_FOUND', 'No such media file.');
      cache.set(target.key, { data, etag: stat.etag });
      this.respond(request, response, target, now, data.length, stat.etag, data);
      return;
    }
    const range = this.respond(request, response, target, now, stat.size, stat.etag, null);
    if (!range) return;
    // Deleted since the stat: the headers are out, so the connection is cut (and logged).
    const body = await blobs.read(target.key, range);
    if (!body) throw new BlobNotFoundError(target.key);
    await pipeline(body, response);
  }

  /**
   * Sends the player to the store's own URL for the file (signed, expiring with the link). The
   * redirect is not cached: the app checks each request before handing out the store's URL.
   */
  private redirect(response: ServerResponse, url: string): void {
    this.deps.metrics.mediaRequests.add(307);
    response
      .writeHead(307, { location: url, 'cache-control': 'no-store', 'content-length': 0, ...MEDIA_CORS_HEADERS })
      .end();
  }

  /**
   * Writes the answer. With `data` it is sent at once; without, the caller streams the returned
   * byte range from the store (null when there is no body to send).
   */
  private respond(
    request: IncomingMessage,
    response: ServerResponse,
    target: Target,
    now: number,
    size: number,
    etag: string,
    data: Buffer | null,
  ): { start: number; end: number } | null {
    const extension = extensionOf(target.fileName);
    const secondsLeft = Math.max(0, target.grant.expiresAt - Math.floor(now / 1000));
    const immutable = extension === 'm4s' || extension === 'mp4';
    const headers: Record<string, string | number> = {
      'content-type': CONTENT_TYPES[extension] ?? 'application/octet-stream',
      // A CDN may keep it until the link expires; segments and init never change under their path.
      'cache-control': `public, max-age=${Math.min(secondsLeft, 86_400)}${immutable ? ', immutable' : ''}`,
      etag,
      ...FIXED_HEADERS,
    };
    if (target.download) headers['content-disposition'] = `attachment; filename="${target.fileName}"`;

    if (request.headers['if-none-match'] === etag) {
      this.deps.metrics.mediaRequests.add(304);
      response.writeHead(304, headers).end();
      return null;
    }
    const range = parseByteRange(request.headers.range, size);
    if (range === 'unsatisfiable') {
      response.setHeader('content-range', `bytes */${size}`);
      this.refuse(response, 416, 'BAD_REQUEST', 'The requested range is outside the file.');
      return null;
    }
    const start = range ? range.start : 0;
    const end = range ? range.end : size - 1;
    headers['content-length'] = end - start + 1;
    if (range) headers['content-range'] = `bytes ${start}-${end}/${size}`;
    this.deps.metrics.mediaRequests.add(range ? 206 : 200);
    response.writeHead(range ? 206 : 200, headers);
    if (request.method === 'HEAD') {
      response.end();
      return null;
    }
    if (data) {
      response.end(range ? data.subarray(start, end + 1) : data);
      return null;
    }
    return { start, end };
  }

  private refuse(response: ServerResponse, status: number, code: ErrorCode, message: string): void {
    this.deps.metrics.mediaRequests.add(status);
    sendError(response, status, code, message);
  }
}

const FIXED_HEADERS = {
  'accept-ranges': 'bytes',
  ...MEDIA_CORS_HEADERS,
  'cross-origin-resource-policy': 'cross-origin',
  'x-content-type-options': 'nosniff',
} as const;

function parseTarget(url: string): Target | null {
  const hls = HLS_PATH.exec(url);
  if (hls) {
    const [, trackId, version, userId, expires, signature, file] = hls as unknown as string[];
    const grant: MediaGrant = {
      scope: 'hls',
      trackId: trackId!,
      mediaVersion: Number(version),
      userId: userId!,
      expiresAt: Number(expires),
    };
    return {
      grant,
      signature: signature!,
      signedPrefix: `hls/${trackId}/${version}/${userId}/${expires}/${signature}`,
      key: hlsKey(grant.trackId, grant.mediaVersion, file!),
      fileName: file!.slice(file!.lastIndexOf('/') + 1),
      download: false,
    };
  }
  const download = DOWNLOAD_PATH.exec(url);
  if (download) {
    const [, trackId, version, quality, userId, expires, signature, name] = download as unknown as string[];
    const grant: MediaGrant = {
      scope: `download-${quality!}`,
      trackId: trackId!,
      mediaVersion: Number(version),
      userId: userId!,
      expiresAt: Number(expires),
    };
    return {
      grant,
      signature: signature!,
      signedPrefix: `dl/${trackId}/${version}/${quality}/${userId}/${expires}/${signature}`,
      key: downloadKey(grant.trackId, grant.mediaVersion, quality as TrackQuality),
      fileName: name!,
      download: true,
    };
  }
  return null;
}

function sendError(response: ServerResponse, status: number, code: ErrorCode, message: string): void {
  const body: ErrorBody = { error: { code, message } };
  const json = JSON.stringify(body);
  // Never let a cache in front keep a refusal: the same path may be fine later (or for a retry).
  // The CORS headers let a player on another origin read why (an expired link: ask for a new one).
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
    'cache-control': 'no-store',
    'access-control-allow-origin': '*',
    'cross-origin-resource-policy': 'cross-origin',
    'x-content-type-options': 'nosniff',
  });
  response.end(json);
}

/**
 * The same handler as a Fastify route, for `inject()` and for requests the server-level fast
 * path does not take. Request logging is off at info, as on the fast path; what is logged has the
 * path redacted (infra/logger.ts). The handler answers CORS itself, not @fastify/cors.
 */
export async function mediaServing(app: FastifyInstance, { files }: { files: MediaFileServer }): Promise<void> {
  app.route({
    method: ['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE'],
    url: `${MEDIA_PREFIX}/*`,
    schema: { hide: true },
    config: { cors: false },
    logLevel: 'warn',
    handler: (request, reply) => {
      reply.hijack();
      files.handle(request.raw, reply.raw);
    },
  });
}
