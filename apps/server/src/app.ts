import { createServer } from 'node:http';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { defaultFeatureLimits, FEATURES, type FeatureLimits } from './features/index.js';
import type { FeatureConfig, FeatureServices } from './features/feature-module.js';
import { setUpFeatures } from './features/set-up.js';
import {
  DEFAULT_GATEWAY_LIMITS,
  DEFAULT_SEND_LIMITS,
  Gateway,
  realtimeGateway,
  SendLimiter,
  watchAccountChanges,
  type GatewayLimits,
  type SendLimits,
} from './gateway/index.js';
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
import { trustedOrigins } from './http/origins.js';
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

/** Limits of the HTTP server itself; each feature adds its own (features/<name>/index.ts). */
export interface HttpLimits {
  /** Largest request body in bytes. */
  bodyLimit: number;
  /** A TCP connection that sends no request within this is closed. */
  firstRequestTimeoutMs: number;
  /** How long a body refused for its size (413) may take to arrive and be discarded. */
  refusedBodyDrainMs: number;
}

/** Limits of the realtime gateway (src/gateway), which every feature speaking over the socket shares. */
export interface RealtimeLimits {
  gateway: GatewayLimits;
  /** Writes (sends, edits, reactions…) per socket. */
  chatSends: SendLimits;
  /** How often each instance re-announces its online users. */
  presenceIntervalMs: number;
}

export type AppLimits = HttpLimits & RealtimeLimits & FeatureLimits;

export const DEFAULT_LIMITS: AppLimits = {
  bodyLimit: 1024 * 1024,
  firstRequestTimeoutMs: 10_000,
  refusedBodyDrainMs: 10_000,
  gateway: DEFAULT_GATEWAY_LIMITS,
  chatSends: DEFAULT_SEND_LIMITS,
  presenceIntervalMs: 30_000,
  ...defaultFeatureLimits(),
};

export type VezaApp = FastifyInstance & {
  /** The features' services, and the app's own, for the runtime and tests. */
  veza: FeatureServices & {
    /** The realtime gateway: connections by user, presence, notices. */
    gateway: Gateway;
    metrics: Metrics;
    jobs: JobWorker;
    /** Requests being handled now. */
    inFlight: { count(): number };
  };
};

export type AppConfig = FeatureConfig & Pick<ServerConfig, 'trustProxy'>;

export async function buildApp(config: AppConfig, deps: AppDeps, overrides: Partial<AppLimits> = {}): Promise<VezaApp> {
  const limits: AppLimits = { ...DEFAULT_LIMITS, ...overrides };
  const metrics =
    deps.metrics ??
    createMetrics({
      onScrapeError: (source, error) => deps.logger.warn({ source, err: error }, 'a metrics source did not answer'),
    });
  const { pool } = deps.db;
  metrics.sources.dbPool = () => ({
    total: pool.totalCount,
    idle: pool.idleCount,
    waiting: pool.waitingCount,
    max: pool.options.max ?? 10,
  });
  metrics.sources.bus = deps.bus.status?.bind(deps.bus);

  const origins = trustedOrigins(config);
  const features = await setUpFeatures(FEATURES, {
    ...deps,
    metrics,
    config,
    trustedOrigins: origins,
    gatewayLimits: limits.gateway,
    limits,
  });
  const gateway = new Gateway({
    bus: deps.bus,
    clock: deps.clock,
    logger: deps.logger,
    presenceIntervalMs: limits.presenceIntervalMs,
    features: features.realtime,
  });
  gateway.start();
  const accountWatch = watchAccountChanges({ db: deps.db, clients: gateway.clients, logger: deps.logger });
  accountWatch.start();
  const jobs = new JobWorker({
    db: deps.db,
    bus: deps.bus,
    clock: deps.clock,
    logger: deps.logger,
    concurrency: features.jobs.concurrency,
    metrics,
    handlers: features.jobs.handlers,
  });
  metrics.sources.jobQueue = () => countPendingJobs(deps.db, features.jobs.kinds);
  const unsubscribes = features.subscriptions.map((subscribe) => subscribe(deps.bus));
  const { rawRequests } = features;

  const app = Fastify({
    // Requests a feature claims skip Fastify's routing and hooks altogether. Signed media
    // requests are the hot path (measured at about 4× the throughput through Fastify,
    // docs/benchmarks.md), need none of the API's hooks (no session, no JSON), set their own
    // headers, and are never logged (the path is the credential), whatever their method.
    serverFactory: (handler) =>
      createServer((request, response) => {
        for (const raw of rawRequests) if (raw.claims(request.url)) return raw.handle(request, response);
        handler(request, response);
      }),
    // pino's Logger is a FastifyBaseLogger; typing it as such keeps plugin types compatible.
    loggerInstance: deps.logger as FastifyBaseLogger,
    logController: new VezaLogController(),
    trustProxy: config.trustProxy,
    bodyLimit: limits.bodyLimit,
    return503OnClosing: true,
    // A caller's X-Request-Id (checked) or a new UUID; it is the reqId of every log line.
    genReqId: requestIdOf,
    requestIdHeader: false,
  }).withTypeProvider<TypeBoxTypeProvider>();
  closeConnectionsWithoutRequest(app.server, limits.firstRequestTimeoutMs);

  // First, so that every answer carries the id, whichever hook refuses the request.
  installRequestIds(app);
  const inFlight = installInFlightTracking(app);
  installValidation(app);
  installErrorHandling(app);
  installRefusedBodyDrain(app, limits.refusedBodyDrainMs);

  // Responses finishing after close() began end their keep-alive connection, so shutdown does
  // not wait out the keep-alive timeout of every client that had a request in flight.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
    for (const part of features.parts) await part.preClose?.();
    // Running jobs stop and go back to the queue (another instance, or the next start).
    await jobs.stop();
    for (const unsubscribe of unsubscribes) unsubscribe();
  });
  app.addHook('onReady', async () => jobs.start());
  app.addHook('onClose', async () => {
    await accountWatch.close();
    for (const part of features.parts) await part.onClose?.();
  });
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
  installAccessControl(app, features.authenticator);
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
  for (const part of features.parts) await part.root?.(app);
  await app.register(
    async (api) => {
      for (const part of features.parts) await part.api?.(api);
      await api.register(realtimeGateway, {
        gateway,
        auth: features.services.auth,
        limiter: new SendLimiter(deps.clock, limits.chatSends),
        clock: deps.clock,
        logger: deps.logger,
        limits: limits.gateway,
        metrics,
        allowedOrigins: origins,
      });
    },
    { prefix: '/api/v1' },
  );

  const vezaApp = app as unknown as VezaApp;
  vezaApp.veza = { ...features.services, gateway, metrics, jobs, inFlight };
  return vezaApp;
}
