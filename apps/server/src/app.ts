import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { adminRoutes } from './features/admin/routes.js';
import { DEFAULT_GATEWAY_LIMITS, type GatewayLimits } from './features/chat/gateway/connection.js';
import { ChatHub } from './features/chat/gateway/hub.js';
import { chatGateway } from './features/chat/gateway/plugin.js';
import { DEFAULT_SEND_LIMITS, SendLimiter, type SendLimits } from './features/chat/gateway/send-limiter.js';
import { chatRoutes, DEFAULT_CHAT_ROUTE_LIMITS, type ChatRouteLimits } from './features/chat/routes.js';
import { ChatService } from './features/chat/service.js';
import { apiKeyRoutes } from './features/api-keys/routes.js';
import { AccessTokens } from './features/auth/access-tokens.js';
import { DEFAULT_LOGIN_THROTTLE, LoginThrottle, type LoginThrottleLimits } from './features/auth/login-throttle.js';
import { authRoutes } from './features/auth/routes.js';
import { AuthService } from './features/auth/service.js';
import type { FeatureDeps } from './features/feature-deps.js';
import { healthRoutes } from './features/health/routes.js';
import { installAccessControl } from './http/access.js';
import { installErrorHandling } from './http/error-handler.js';
import { installInFlightTracking } from './http/in-flight.js';
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
}

export interface AppLimits {
  /** Requests per minute per IP on register, login and refresh. */
  authRequestsPerMinute: number;
  loginThrottle: LoginThrottleLimits;
  /** Largest request body in bytes. */
  bodyLimit: number;
  gateway: GatewayLimits;
  chatSends: SendLimits;
  /** How often each instance re-announces its online users. */
  presenceIntervalMs: number;
  chatRoutes: ChatRouteLimits;
}

export const DEFAULT_LIMITS: AppLimits = {
  authRequestsPerMinute: 60,
  loginThrottle: DEFAULT_LOGIN_THROTTLE,
  bodyLimit: 1024 * 1024,
  gateway: DEFAULT_GATEWAY_LIMITS,
  chatSends: DEFAULT_SEND_LIMITS,
  presenceIntervalMs: 30_000,
  chatRoutes: DEFAULT_CHAT_ROUTE_LIMITS,
};

export type VezaApp = FastifyInstance & {
  veza: {
    auth: AuthService;
    metrics: Metrics;
    chat: ChatService;
    hub: ChatHub;
    /** Requests being handled now. */
    inFlight: { count(): number };
  };
};

type AppConfig = Pick<ServerConfig, 'publicUrl' | 'corsOrigins' | 'trustProxy'>;

export async function buildApp(config: AppConfig, deps: AppDeps, limits: Partial<AppLimits> = {}): Promise<VezaApp> {
  const {
    bodyLimit,
    authRequestsPerMinute,
    loginThrottle,
    gateway,
    chatSends,
    presenceIntervalMs,
    chatRoutes: chatRouteLimits,
  } = {
    ...DEFAULT_LIMITS,
    ...limits,
  };
  const metrics = deps.metrics ?? createMetrics();
  const app = Fastify({
    // pino's Logger is a FastifyBaseLogger; typing it as such keeps plugin types compatible.
    loggerInstance: deps.logger as FastifyBaseLogger,
    trustProxy: config.trustProxy,
    bodyLimit,
    return503OnClosing: true,
  }).withTypeProvider<TypeBoxTypeProvider>();

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
  const chat = new ChatService({ db: deps.db, bus: deps.bus, clock: deps.clock, logger: deps.logger });
  const hub = new ChatHub({ bus: deps.bus, chat, logger: deps.logger, presenceIntervalMs });
  hub.start();
  const featureDeps: FeatureDeps = {
    db: deps.db,
    bus: deps.bus,
    clock: deps.clock,
    logger: deps.logger,
    metrics,
    auth,
  };

  const inFlight = installInFlightTracking(app);
  installValidation(app);
  installErrorHandling(app);

  // Responses finishing after close() began end their keep-alive connection, so shutdown does
  // not wait out the keep-alive timeout of every client that had a request in flight.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
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
  await app.register(healthRoutes, { db: deps.db, metrics });
  await app.register(
    async (api) => {
      await api.register(authRoutes, { ...featureDeps, requestsPerMinute: authRequestsPerMinute });
      await api.register(apiKeyRoutes, featureDeps);
      await api.register(adminRoutes, featureDeps);
      await api.register(chatRoutes, { chat, limits: chatRouteLimits });
      await api.register(chatGateway, {
        auth,
        chat,
        hub,
        limiter: new SendLimiter(deps.clock, chatSends),
        clock: deps.clock,
        logger: deps.logger,
        limits: gateway,
        allowedOrigins: [new URL(config.publicUrl).origin, ...config.corsOrigins],
      });
    },
    { prefix: '/api/v1' },
  );

  const vezaApp = app as unknown as VezaApp;
  vezaApp.veza = { auth, metrics, chat, hub, inFlight };
  return vezaApp;
}
