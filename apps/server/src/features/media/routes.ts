import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import {
  DownloadGrantSchema,
  DownloadQuerySchema,
  StreamGrantSchema,
  TrackSchema,
  UuidSchema,
  WaveformPeaksSchema,
  type WaveformPeaksDto,
} from '@veza/shared';
import { errorResponses } from '../../http/error-responses.js';
import { perUser } from '../../http/rate-limits.js';
import { actorOf } from '../auth/index.js';
import type { MediaService } from './service.js';
import { receiveUpload } from './upload-intake.js';

const trackParams = Type.Object({ id: UuidSchema });
const security = [{ bearer: [] }];
const notModified = Type.Null({ description: 'Not modified (ETag matched)' });

export interface MediaRouteLimits {
  uploadsPerHour: number;
  deletesPerMinute: number;
}

export const DEFAULT_MEDIA_ROUTE_LIMITS: MediaRouteLimits = { uploadsPerHour: 120, deletesPerMinute: 60 };

/** Upload, delete, and the signed links, waveform and cover of a track. */
export const mediaRoutes: FastifyPluginAsyncTypebox<{ media: MediaService; limits: MediaRouteLimits }> = async (
  app,
  { media, limits },
) => {
  // Registered here, not globally: no other route accepts multipart bodies.
  await app.register(multipart, { throwFileSizeLimit: false });

  app.post(
    '/tracks',
    {
      config: {
        access: 'tracks:upload',
        rateLimit: perUser(limits.uploadsPerHour, '1 hour'),
      },
      schema: {
        tags: ['media'],
        summary: 'Upload a track (multipart/form-data)',
        description:
          'Parts: `file` (MP3, AAC/M4A, FLAC, WAV, Ogg Vorbis/Opus or AIFF; the format is read from the content, ' +
          'not the name), and optional text fields `title`, `artist`, `album`, `genre` (tags in the file fill ' +
          'what is missing). The size limit is enforced while the file arrives. Answers 202 with the track in ' +
          'state `processing`; progress arrives as `track` frames on the WebSocket.',
        consumes: ['multipart/form-data'],
        security,
        response: { 202: TrackSchema, ...errorResponses(400, 401, 403, 413, 415, 422, 429, 503) },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      media.assertCanProcess();
      const release = media.reserveUploadSlot(actor.id);
      // A client that hangs up stops the checks (and their ffmpeg runs) at once.
      const gone = new AbortController();
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) gone.abort();
      });
      try {
        const upload = await receiveUpload(request, {
          scratch: media.scratch,
          maxBytes: media.limits.uploadMaxBytes,
        });
        return reply.code(202).send(await media.createTrack(actor, upload, { signal: gone.signal }));
      } finally {
        release();
      }
    },
  );

  app.delete(
    '/tracks/:id',
    {
      config: {
        access: 'tracks:play',
        rateLimit: perUser(limits.deletesPerMinute),
      },
      schema: {
        tags: ['media'],
        summary: 'Delete a track and all its files (its uploader or an admin)',
        security,
        params: trackParams,
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await media.deleteTrack(actorOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/tracks/:id/stream',
    {
      config: { access: 'tracks:play' },
      schema: {
        tags: ['media'],
        summary: 'A signed, expiring URL of the HLS master playlist',
        description: 'Variant playlists and segments are relative to it, so the URL alone plays the track.',
        security,
        params: trackParams,
        response: { 200: StreamGrantSchema, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => media.streamGrant(actorOf(request), request.params.id),
  );

  app.get(
    '/tracks/:id/download',
    {
      config: { access: 'tracks:play' },
      schema: {
        tags: ['media'],
        summary: 'A signed, expiring URL of one rendition as a single M4A file (for offline use)',
        security,
        params: trackParams,
        querystring: DownloadQuerySchema,
        response: { 200: DownloadGrantSchema, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => media.downloadGrant(actorOf(request), request.params.id, request.query.quality),
  );

  app.get(
    '/tracks/:id/peaks',
    {
      config: { access: 'tracks:play' },
      schema: {
        tags: ['media'],
        summary: 'Waveform peaks for wavesurfer.js',
        security,
        params: trackParams,
        response: { 200: WaveformPeaksSchema, 304: notModified, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const { data, etag } = await media.peaks(actorOf(request), request.params.id);
      reply.header('etag', etag).header('cache-control', 'private, max-age=86400');
      if (request.headers['if-none-match'] === etag) return reply.code(304).send(null);
      // Stored as JSON already: a Buffer is sent as it is, not parsed and serialised again.
      return reply.type('application/json; charset=utf-8').send(data as unknown as WaveformPeaksDto);
    },
  );

  app.get(
    '/tracks/:id/cover',
    {
      config: { access: 'public' },
      schema: {
        tags: ['media'],
        summary: 'Cover art (JPEG): embedded art from the file, or a generated placeholder',
        params: trackParams,
        querystring: Type.Object({ v: Type.Optional(Type.Integer({ minimum: 0 })) }),
        response: {
          200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }),
          304: notModified,
          ...errorResponses(400, 404),
        },
      },
    },
    async (request, reply) => {
      const cover = await media.cover(request.params.id);
      if (!cover) return reply.code(404).send({ error: { code: 'NOT_FOUND', message: 'No cover for this track.' } });
      reply
        .header('etag', cover.etag)
        .header('cache-control', 'public, max-age=86400')
        .header('cross-origin-resource-policy', 'cross-origin');
      if (request.headers['if-none-match'] === cover.etag) return reply.code(304).send(null);
      return reply.type('image/jpeg').send(cover.data);
    },
  );
};
