import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TRACK_QUALITIES, type ErrorBody, type ErrorCode } from '@veza/shared';
import type { BlobStore } from '../../infra/blobs/blob-store.js';
import type { Clock } from '../../infra/clock.js';
import { downloadKey, hlsKey } from './blob-keys.js';
import { parseByteRange } from './byte-range.js';
import type { HotCache } from './hot-cache.js';
import type { MediaGrant, UrlSigner } from './url-signer.js';

export const MEDIA_PREFIX = '/media';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const INTEGER = /^(0|[1-9]\d{0,9})$/;
const QUALITY = `(?:${TRACK_QUALITIES.join('|')})`;
/** The only files a ladder has: anything else (`..`, encoded slashes, other names) is a 404. */
const HLS_FILE = new RegExp(`^(?:master\\.m3u8|${QUALITY}/(?:index\\.m3u8|init\\.mp4|seg_\\d{5}\\.m4s))$`);
const DOWNLOAD_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,119}\.m4a$/;

const CONTENT_TYPES: Record<string, string> = {
  m3u8: 'application/vnd.apple.mpegurl',
  mp4: 'audio/mp4',
  m4a: 'audio/mp4',
  m4s: 'video/iso.segment',
};

/** The path of a signed ladder; the master playlist is `<base>/master.m3u8`. */
export const hlsBasePath = (grant: MediaGrant, signature: string): string =>
  `${MEDIA_PREFIX}/hls/${grant.trackId}/${grant.mediaVersion}/${grant.userId}/${grant.expiresAt}/${signature}`;

export const downloadPath = (grant: MediaGrant, quality: string, signature: string, fileName: string): string =>
  `${MEDIA_PREFIX}/dl/${grant.trackId}/${grant.mediaVersion}/${quality}/${grant.userId}/${grant.expiresAt}/${signature}/${fileName}`;

interface ServingDeps {
  blobs: BlobStore;
  signer: UrlSigner;
  cache: HotCache;
  clock: Clock;
}

type HlsParams = { trackId: string; version: string; userId: string; expires: string; signature: string; '*': string };
type DownloadParams = Omit<HlsParams, '*'> & { quality: string; name: string };

/**
 * Signed media: no session, no header — the path is the credential, so `<audio>`, hls.js and a
 * CDN can all fetch it. Kept off /api/v1 and off the JSON schemas on purpose: this is the hot
 * path, and each request does only a regex check, one HMAC and (usually) a memory lookup.
 */
export async function mediaServing(app: FastifyInstance, deps: ServingDeps): Promise<void> {
  // The path is the credential: request logging would write it to the logs, on the hot path.
  const routeOptions = { schema: { hide: true }, logLevel: 'warn' } as const;

  app.get<{ Params: HlsParams }>(
    `${MEDIA_PREFIX}/hls/:trackId/:version/:userId/:expires/:signature/*`,
    routeOptions,
    async (request, reply) => {
      const { trackId, version, userId, expires, signature } = request.params;
      const file = request.params['*'];
      if (!validIds(trackId, version, userId, expires) || !HLS_FILE.test(file)) return notFound(reply);
      const grant: MediaGrant = {
        scope: 'hls',
        trackId,
        mediaVersion: Number(version),
        userId,
        expiresAt: Number(expires),
      };
      if (!checkSignature(deps, grant, signature, reply)) return reply;
      return sendBlob(deps, request, reply, hlsKey(trackId, grant.mediaVersion, file), file, grant.expiresAt);
    },
  );

  app.get<{ Params: DownloadParams }>(
    `${MEDIA_PREFIX}/dl/:trackId/:version/:quality/:userId/:expires/:signature/:name`,
    routeOptions,
    async (request, reply) => {
      const { trackId, version, quality, userId, expires, signature, name } = request.params;
      const knownQuality = (TRACK_QUALITIES as readonly string[]).includes(quality);
      if (!validIds(trackId, version, userId, expires) || !knownQuality || !DOWNLOAD_NAME.test(name)) {
        return notFound(reply);
      }
      const grant: MediaGrant = {
        scope: `download-${quality}`,
        trackId,
        mediaVersion: Number(version),
        userId,
        expiresAt: Number(expires),
      };
      if (!checkSignature(deps, grant, signature, reply)) return reply;
      reply.header('content-disposition', `attachment; filename="${name}"`);
      return sendBlob(
        deps,
        request,
        reply,
        downloadKey(trackId, grant.mediaVersion, quality as (typeof TRACK_QUALITIES)[number]),
        name,
        grant.expiresAt,
      );
    },
  );
}

const validIds = (trackId: string, version: string, userId: string, expires: string): boolean =>
  UUID.test(trackId) && UUID.test(userId) && INTEGER.test(version) && INTEGER.test(expires);

function checkSignature(deps: ServingDeps, grant: MediaGrant, signature: string, reply: FastifyReply): boolean {
  const verdict = deps.signer.verify(grant, signature, deps.clock.now().getTime());
  if (verdict === 'valid') return true;
  sendError(
    reply,
    403,
    'FORBIDDEN',
    verdict === 'expired'
      ? 'This media link has expired; ask for a new one.'
      : 'This media link is not valid (its signature does not match).',
  );
  return false;
}

async function sendBlob(
  deps: ServingDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  key: string,
  fileName: string,
  expiresAt: number,
): Promise<FastifyReply> {
  const extension = fileName.slice(fileName.lastIndexOf('.') + 1);
  const secondsLeft = Math.max(0, expiresAt - Math.floor(deps.clock.now().getTime() / 1000));
  const immutable = extension === 'm4s' || extension === 'mp4';
  reply.headers({
    'content-type': CONTENT_TYPES[extension] ?? 'application/octet-stream',
    // A CDN may keep it until the link expires; segments and init never change under their path.
    'cache-control': `public, max-age=${Math.min(secondsLeft, 86_400)}${immutable ? ', immutable' : ''}`,
    'accept-ranges': 'bytes',
    // The path is the credential (no cookies), so any origin may read it: hls.js in the desktop
    // renderer and the browser host fetch cross-origin, and <audio> loads downloads no-cors.
    'access-control-allow-origin': '*',
    'access-control-expose-headers': 'content-length, content-range, etag',
    'cross-origin-resource-policy': 'cross-origin',
  });

  let cached = deps.cache.get(key);
  let size: number;
  let etag: string;
  if (cached) {
    size = cached.data.length;
    etag = cached.etag;
  } else {
    const stat = await deps.blobs.stat(key);
    if (!stat) return notFound(reply);
    size = stat.size;
    etag = stat.etag;
    if (size <= deps.cache.maxEntryBytes) {
      const data = await deps.blobs.read(key);
      if (!data) return notFound(reply);
      cached = { data, etag };
      deps.cache.set(key, cached);
    }
  }
  reply.header('etag', etag);
  if (request.headers['if-none-match'] === etag) return reply.code(304).send();

  const range = parseByteRange(request.headers.range, size);
  if (range === 'unsatisfiable') {
    reply.header('content-range', `bytes */${size}`);
    return sendError(reply, 416, 'BAD_REQUEST', 'The requested range is outside the file.');
  }
  if (range) {
    reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${size}`);
    reply.header('content-length', range.end - range.start + 1);
    return reply.send(
      cached ? cached.data.subarray(range.start, range.end + 1) : deps.blobs.createReadStream(key, range),
    );
  }
  reply.header('content-length', size);
  return reply.send(cached ? cached.data : deps.blobs.createReadStream(key));
}

function notFound(reply: FastifyReply): FastifyReply {
  return sendError(reply, 404, 'NOT_FOUND', 'No such media file.');
}

function sendError(reply: FastifyReply, status: number, code: ErrorCode, message: string): FastifyReply {
  const body: ErrorBody = { error: { code, message } };
  // Never let a cache in front keep a refusal: the same path may be fine later (or for a retry).
  // The CORS headers let a player on another origin read why (an expired link: ask for a new one).
  return reply
    .code(status)
    .headers({
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      'access-control-allow-origin': '*',
      'cross-origin-resource-policy': 'cross-origin',
    })
    .send(JSON.stringify(body));
}
