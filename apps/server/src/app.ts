import { createServer } from 'node:http';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { adminRoutes } from './features/admin/routes.js';
import {
  DEFAULT_GATEWAY_LIMITS,
  DEFAULT_SEND_LIMITS,
  DESKTOP_ORIGIN,
  Gateway,
  realtimeGateway,
  SendLimiter,
  watchAccountChanges,
  type GatewayLimits,
  type SendLimits,
} from './gateway/index.js';
import { ChatRealtime } from './features/chat/realtime/chat-realtime.js';
import { chatRoutes, DEFAULT_CHAT_ROUTE_LIMITS, type ChatRouteLimits } from './features/chat/routes.js';
import { DEFAULT_READ_LIMITS, type ReadLimits } from './features/chat/read-throttle.js';
import { ChatService } from './features/chat/service.js';
import { apiKeyRoutes } from './features/api-keys/routes.js';
import { AccessTokens } from './features/auth/access-tokens.js';
import { DEFAULT_LOGIN_THROTTLE, LoginThrottle, type LoginThrottleLimits } from './features/auth/login-throttle.js';
import { authRoutes } from './features/auth/routes.js';
import { AuthService } from './features/auth/service.js';
import type { FeatureDeps } from './features/feature-deps.js';
import { healthRoutes } from './features/health/routes.js';
import { homeRoutes } from './features/home/routes.js';
import { libraryRoutes } from './features/library/routes.js';
import { HotCache } from './features/media/hot-cache.js';
import { TRACK_PROCESSING_JOB, trackProcessingHandler } from './features/media/processing.js';
import { DEFAULT_MEDIA_ROUTE_LIMITS, mediaRoutes, type MediaRouteLimits } from './features/media/routes.js';
import { MediaFileServer, mediaServing } from './features/media/serving.js';
import { DEFAULT_MEDIA_LIMITS, MediaService, type MediaLimits } from './features/media/service.js';
import { trackDeletedTopic } from './features/media/topics.js';
import { mediaRealtime } from './features/media/track-notices.js';
import { UrlSigner } from './features/media/url-signer.js';
import type { AudioTools } from '@veza/audio';
import type { BlobStore } from './infra/blobs/blob-store.js';
import { countPendingJobs } from './infra/jobs/queue.js';
import { JobWorker } from './infra/jobs/worker.js';
import { installAccessControl } from './http/access.js';
import { installErrorHandling } from './http/error-handler.js';
import { closeConnectionsWithoutRequest } from './http/first-request-timeout.js';
import { installInFlightTracking } from './http/in-flight.js';
import { installRefusedBodyDrain } from './http/refused-body-drain.js';
import { installRequestIds, requestIdOf } from './http/request-id.js';
import { VezaLogController } from './http/request-log.js';
import { installValidation } from './http/validation.js';
import { AppError } from './infra/errors.js';
import type { Bus } from './infra/bus.js';
import type { Clock } from './infra/clock.js';
import type { ServerConfig } from './infra/config.js';
import type { Db } from './infra/db/db.js';
import type { Logger } from './infra/logger.js';
import { createMetrics, type Metrics } from './infra/metrics.js';

/** Infrastructure the app runs on, created by the caller (the server runtime or a test). */
export interface AppDeps {
  db: Db;
  bus: Bus;
  clock: Clock;
  logger: Logger;
  jwtSecret: Uint8Array;
  metrics?: Metrics;
  /** Where media lives (uploads, ladders, covers). */
  blobs: BlobStore;
  /** ffmpeg and ffprobe; null when missing (uploads answer 503, published media still plays). */
  audioTools: AudioTools | null;
}

export interface AppLimits {
  /** Requests per minute per IP on register, login and refresh. */
  authRequestsPerMinute: number;
  loginThrottle: LoginThrottleLimits;
  /** Largest request body in bytes. */
  bodyLimit: number;
  gateway: GatewayLimits;
  chatSends: SendLimits;
  /** Read markers per user and room, and per user across rooms (socket `read` frames and POST /rooms/:id/read together). */
  chatReads: ReadLimits;
  /** How often each instance re-announces its online users. */
  presenceIntervalMs: number;
  chatRoutes: ChatRouteLimits;
  media: MediaLimits;
  mediaRoutes: MediaRouteLimits;
  /** Processing jobs (transcodes) run at once by this instance; 0 runs none. */
  transcodeConcurrency: number;
  /** Memory for hot media files (segments, playlists) served from RAM. */
  mediaCacheBytes: number;
  /** Signed media URLs live at least this long (then until the next full hour). */
  mediaUrlTtlSeconds: number;
  /** A TCP connection that sends no request within this is closed. */
  firstRequestTimeoutMs: number;
  /** How long a body refused for its size (413) may take to arrive and be discarded. */
  refusedBodyDrainMs: number;
}

export const DEFAULT_LIMITS: AppLimits = {
  authRequestsPerMinute: 60,
  loginThrottle: DEFAULT_LOGIN_THROTTLE,
  bodyLimit: 1024 * 1024,
  gateway: DEFAULT_GATEWAY_LIMITS,
  chatSends: DEFAULT_SEND_LIMITS,
  chatReads: DEFAULT_READ_LIMITS,
  presenceIntervalMs: 30_000,
  chatRoutes: DEFAULT_CHAT_ROUTE_LIMITS,
  media: DEFAULT_MEDIA_LIMITS,
  mediaRoutes: DEFAULT_MEDIA_ROUTE_LIMITS,
  transcodeConcurrency: 1,
  mediaCacheBytes: 64 * 1024 * 1024,
  mediaUrlTtlSeconds: 6 * 60 * 60,
  firstRequestTimeoutMs: 10_000,
  refusedBodyDrainMs: 10_000,
};

export type VezaApp = FastifyInstance & {
  veza: {
    auth: AuthService;
    metrics: Metrics;
    chat: ChatService;
    gateway: Gateway;
    media: MediaService;
    jobs: JobWorker;
    /** Requests being handled now. */
    inFlight: { count(): number };
  };
};

export type AppConfig = Pick<ServerConfig, 'publicUrl' | 'corsOrigins' | 'trustProxy'> &
  Partial<Pick<ServerConfig, 'metricsToken' | 'metricsListen'>>;

export async function buildApp(config: AppConfig, deps: AppDeps, limits: Partial<AppLimits> = {}): Promise<VezaApp> {
  const {
    bodyLimit,
    authRequestsPerMinute,
    loginThrottle,
    gateway,
    chatSends,
    chatReads,
    presenceIntervalMs,
    chatRoutes: chatRouteLimits,
    media: mediaLimits,
    mediaRoutes: mediaRouteLimits,
    transcodeConcurrency,
    mediaCacheBytes,
    mediaUrlTtlSeconds,
    firstRequestTimeoutMs,
    refusedBodyDrainMs,
  } = {
    ...DEFAULT_LIMITS,
    ...limits,
  };
  const metrics =
    deps.metrics ??
    createMetrics({
      onScrapeError: (source, error) => deps.logger.warn({ source, err: error }, 'a metrics source did not answer'),
    });
  const mediaCache = new HotCache(mediaCacheBytes, 4 * 1024 * 1024);
  const { pool } = deps.db;
  metrics.sources.dbPool = () => ({
    total: pool.totalCount,
    idle: pool.idleCount,
    waiting: pool.waitingCount,
    max: pool.options.max ?? 10,
  });
  metrics.sources.bus = deps.bus.status?.bind(deps.bus);
  metrics.sources.jobQueue = () => countPendingJobs(deps.db, [TRACK_PROCESSING_JOB]);
  metrics.sources.mediaCacheBytes = () => mediaCache.size.bytes;
  const urlSigner = new UrlSigner(deps.jwtSecret, { ttlSeconds: mediaUrlTtlSeconds, bucketSeconds: 3600 });
  // Browsers' origins allowed beyond the API's CORS list: the server's own pages and the desktop app.
  const browserOrigins = [new URL(config.publicUrl).origin, ...config.corsOrigins];
  const mediaFiles = new MediaFileServer({
    blobs: deps.blobs,
    signer: urlSigner,
    cache: mediaCache,
    clock: deps.clock,
    logger: deps.logger,
    corsOrigins: new Set([DESKTOP_ORIGIN, ...browserOrigins]),
    metrics,
  });
  const app = Fastify({
    // Signed media requests skip Fastify's routing and hooks altogether: they are the hot path
    // (measured at about 4× the throughput through Fastify, docs/benchmarks.md), need none of the
    // API's hooks (no session, no JSON), set their own headers, and are never logged (the path
    // is the credential), whatever their method.
    serverFactory: (handler) =>
      createServer((request, response) => {
        if (MediaFileServer.claims(request.url)) mediaFiles.handle(request, response);
        else handler(request, response);
      }),
    // pino's Logger is a FastifyBaseLogger; typing it as such keeps plugin types compatible.
    loggerInstance: deps.logger as FastifyBaseLogger,
    logController: new VezaLogController(),
    trustProxy: config.trustProxy,
    bodyLimit,
    return503OnClosing: true,
    // A caller's X-Request-Id (checked) or a new UUID; it is the reqId of every log line.
    genReqId: requestIdOf,
    requestIdHeader: false,
  }).withTypeProvider<TypeBoxTypeProvider>();
  closeConnectionsWithoutRequest(app.server, firstRequestTimeoutMs);

  const accessTokens = new AccessTokens(deps.jwtSecret, config.publicUrl, deps.clock);
  const auth = new AuthService({
    bus: deps.bus,
    db: deps.db,
    clock: deps.clock,
    logger: deps.logger,
    metrics,
    accessTokens,
    throttle: new LoginThrottle(deps.clock, loginThrottle),
  });
  const chat = new ChatService({
    db: deps.db,
    bus: deps.bus,
    clock: deps.clock,
    logger: deps.logger,
    readLimits: chatReads,
    metrics,
  });
  const chatRealtime = new ChatRealtime({
    bus: deps.bus,
    chat,
    clock: deps.clock,
    logger: deps.logger,
    metrics,
    gapWaitMs: gateway.gapWaitMs,
    typingIntervalMs: gateway.typingIntervalMs,
  });
  const realtime = new Gateway({
    bus: deps.bus,
    clock: deps.clock,
    logger: deps.logger,
    presenceIntervalMs,
    features: [chatRealtime, mediaRealtime],
  });
  realtime.start();
  const accountWatch = watchAccountChanges({ db: deps.db, clients: realtime.clients, logger: deps.logger });
  accountWatch.start();
  const media = new MediaService({
    db: deps.db,
    bus: deps.bus,
    clock: deps.clock,
    logger: deps.logger,
    blobs: deps.blobs,
    tools: deps.audioTools,
    signer: urlSigner,
    cache: mediaCache,
    publicUrl: config.publicUrl,
    limits: mediaLimits,
  });
  const jobs = new JobWorker({
    db: deps.db,
    bus: deps.bus,
    clock: deps.clock,
    logger: deps.logger,
    concurrency: deps.audioTools ? transcodeConcurrency : 0,
    metrics,
    handlers: deps.audioTools
      ? {
          [TRACK_PROCESSING_JOB]: trackProcessingHandler({
            db: deps.db,
            bus: deps.bus,
            logger: deps.logger,
            blobs: deps.blobs,
            tools: deps.audioTools,
            metrics,
          }),
        }
      : {},
  });
  // Other instances evict a deleted track's files from their memory cache too.
  const stopEvictions = deps.bus.subscribe(trackDeletedTopic, ({ trackId }) =>
    mediaCache.evictPrefix(`tracks/${trackId}`),
  );
  const featureDeps: FeatureDeps = {
    db: deps.db,
    bus: deps.bus,
    clock: deps.clock,
    logger: deps.logger,
    metrics,
    auth,
  };

  // First, so that every answer carries the id, whichever hook refuses the request.
  installRequestIds(app);
  const inFlight = installInFlightTracking(app);
  installValidation(app);
  installErrorHandling(app);
  installRefusedBodyDrain(app, refusedBodyDrainMs);

  // Responses finishing after close() began end their keep-alive connection, so shutdown does
  // not wait out the keep-alive timeout of every client that had a request in flight.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
    mediaFiles.startClosing();
    // Running transcodes stop and go back to the queue (another instance, or the next start).
    await jobs.stop();
    stopEvictions();
  });
  app.addHook('onReady', async () => jobs.start());
  app.addHook('onClose', async () => accountWatch.close());
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });

  app.addHook('onResponse', async (request, reply) => {
    metrics.httpRequestDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  await app.register(helmet, {
    // The API serves JSON; only the docs page needs scripts and styles, from itself.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        styleSrc: ["'self'", "'unsafe-inline'"],
        // TLS ends at the reverse proxy; on plain http this would break the docs page's assets.
        upgradeInsecureRequests: null,
      },
    },
  });
  await app.register(cors, { origin: config.corsOrigins.length > 0 ? config.corsOrigins : false });
  // After helmet and CORS, so 401/403 answers carry their headers too.
  installAccessControl(app, auth);
  // JSON only: a text/plain body is a 415, not a string that fails validation.
  app.removeContentTypeParser('text/plain');
  await app.register(rateLimit, {
    global: false,
    onExceeded: (request) => metrics.rateLimited.inc({ route: request.routeOptions.url ?? 'unmatched' }),
    errorResponseBuilder: (_request, context) =>
      new AppError(429, 'RATE_LIMITED', `Too many requests. Try again in ${Math.ceil(context.ttl / 1000)} s.`, {
        'retry-after': String(Math.ceil(context.ttl / 1000)),
      }),
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Veza API',
        version: '1',
        description: 'Audio streaming and real-time chat. Errors are { error: { code, message } }.',
      },
      servers: [{ url: config.publicUrl }],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'Access token (JWT) or API key (vz_…)' },
        },
      },
    },
  });
  await app.register(swaggerUi, {
    routePrefix: '/api/docs',
    staticCSP: true,
    transformStaticCSP: (header) => header.replace(/\s*upgrade-insecure-requests;?/, ''),
  });

  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(healthRoutes, {
    db: deps.db,
    metrics,
    metricsAccess: config.metricsListen ? null : { token: config.metricsToken, where: 'main-port' },
  });
  await app.register(homeRoutes, { db: deps.db, publicUrl: config.publicUrl });
  await app.register(mediaServing, { files: mediaFiles });
  await app.register(
    async (api) => {
      await api.register(authRoutes, { ...featureDeps, requestsPerMinute: authRequestsPerMinute });
      await api.register(apiKeyRoutes, featureDeps);
      await api.register(adminRoutes, featureDeps);
      await api.register(chatRoutes, { chat, limits: chatRouteLimits });
      await api.register(libraryRoutes, featureDeps);
      await api.register(mediaRoutes, { media, limits: mediaRouteLimits });
      await api.register(realtimeGateway, {
        gateway: realtime,
        auth,
        limiter: new SendLimiter(deps.clock, chatSends),
        clock: deps.clock,
        logger: deps.logger,
        limits: gateway,
        metrics,
        allowedOrigins: browserOrigins,
      });
    },
    { prefix: '/api/v1' },
  );

  const vezaApp = app as unknown as VezaApp;
  vezaApp.veza = { auth, metrics, chat, gateway: realtime, media, jobs, inFlight };
  return vezaApp;
}
