import { defineFeature, type FeatureJobs } from '../feature-module.js';
import { HotCache } from './hot-cache.js';
import { TRACK_PROCESSING_JOB, trackProcessingHandler } from './processing.js';
import { DEFAULT_MEDIA_ROUTE_LIMITS, mediaRoutes, type MediaRouteLimits } from './routes.js';
import { MediaFileServer, mediaServing } from './serving.js';
import { mediaRealtime } from './track-notices.js';
import { trackDeletedTopic } from './topics.js';
import { DEFAULT_MEDIA_LIMITS, MediaService, type MediaLimits } from './service.js';
import { UrlSigner } from './url-signer.js';

export { DEFAULT_MEDIA_LIMITS, type MediaLimits, type MediaService } from './service.js';
export { canSeeTrack, coverPath, TRACK_FROM, toTrack, trackColumns, type TrackRow } from './track-rows.js';
export { canManageTracks, canSee, requireVisibleTrack, visibleTrackSql } from './track-visibility.js';

declare module '../feature-module.js' {
  interface FeatureServices {
    media: MediaService;
  }
}

export interface MediaFeatureLimits {
  media: MediaLimits;
  mediaRoutes: MediaRouteLimits;
  /** Processing jobs (transcodes) run at once by this instance; 0 runs none. */
  transcodeConcurrency: number;
  /** Memory for hot media files (segments, playlists) served from RAM. */
  mediaCacheBytes: number;
  /** Signed media URLs live at least this long (then until the next full hour). */
  mediaUrlTtlSeconds: number;
}

/** Uploads, processing into HLS ladders, and serving media files behind signed URLs. */
export const mediaFeature = defineFeature<MediaFeatureLimits>({
  name: 'media',
  limits: {
    media: DEFAULT_MEDIA_LIMITS,
    mediaRoutes: DEFAULT_MEDIA_ROUTE_LIMITS,
    transcodeConcurrency: 1,
    mediaCacheBytes: 64 * 1024 * 1024,
    mediaUrlTtlSeconds: 6 * 60 * 60,
  },
  setup: ({ db, bus, clock, logger, metrics, jwtSecret, blobs, audioTools, config, trustedOrigins, limits }) => {
    const cache = new HotCache(limits.mediaCacheBytes, 4 * 1024 * 1024);
    metrics.sources.mediaCacheBytes = () => cache.size.bytes;
    const signer = new UrlSigner(jwtSecret, { ttlSeconds: limits.mediaUrlTtlSeconds, bucketSeconds: 3600 });
    const files = new MediaFileServer({
      blobs,
      signer,
      cache,
      clock,
      logger,
      corsOrigins: new Set(trustedOrigins),
      metrics,
    });
    const media = new MediaService({
      db,
      bus,
      clock,
      logger,
      blobs,
      tools: audioTools,
      signer,
      cache,
      publicUrl: config.publicUrl,
      limits: limits.media,
    });
    // Without ffmpeg this instance runs no transcodes; others (or a later start) will.
    const jobs: FeatureJobs = audioTools
      ? {
          kinds: [TRACK_PROCESSING_JOB],
          handlers: {
            [TRACK_PROCESSING_JOB]: trackProcessingHandler({ db, bus, logger, blobs, tools: audioTools, metrics }),
          },
          concurrency: limits.transcodeConcurrency,
        }
      : { kinds: [TRACK_PROCESSING_JOB], handlers: {}, concurrency: 0 };
    return {
      services: { media },
      // Signed media requests skip Fastify altogether: the hot path (docs/benchmarks.md).
      rawRequests: { claims: MediaFileServer.claims, handle: (request, response) => files.handle(request, response) },
      root: async (app) => {
        await app.register(mediaServing, { files });
      },
      api: async (api) => {
        await api.register(mediaRoutes, { media, limits: limits.mediaRoutes });
      },
      realtime: mediaRealtime,
      jobs,
      // Other instances evict a deleted track's files from their memory cache too.
      subscriptions: [
        (bus) => bus.subscribe(trackDeletedTopic, ({ trackId }) => cache.evictPrefix(`tracks/${trackId}`)),
      ],
      preClose: () => files.startClosing(),
    };
  },
});
