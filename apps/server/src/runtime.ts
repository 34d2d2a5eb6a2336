import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { AudioToolsMissingError, checkAudioTools, findAudioTools, type AudioTools } from '@veza/audio';
import { buildApp, type AppLimits, type VezaApp } from './app.js';
import { DEFAULT_GATEWAY_LIMITS } from './gateway/index.js';
import { listenForScrapes } from './features/health/index.js';
import { DEFAULT_MEDIA_LIMITS } from './features/media/index.js';
import { LocalBlobStore } from './infra/blobs/local-blob-store.js';
import { seedDemoTracks } from './demo/demo-tracks.js';
import { seedDemoRooms } from './demo/demo-rooms.js';
import { formatDemoBanner, seedDemo } from './demo/seed.js';
import { InProcessBus, type Bus } from './infra/bus.js';
import { systemClock } from './infra/clock.js';
import type { ServerConfig } from './infra/config.js';
import { openDatabase } from './infra/db/database.js';
import { createDb } from './infra/db/db.js';
import { migrate } from './infra/db/migrate.js';
import { createConsoleLogger, type Logger } from './infra/logger.js';
import { NatsBus } from './infra/nats-bus.js';
import { loadJwtSecret } from './infra/secrets.js';

export interface RunningServer {
  app: VezaApp;
  /** NATS when VEZA_NATS_URL is set, in-process otherwise. */
  bus: Bus;
  url: string;
  /** Where /metrics is served when VEZA_METRICS_LISTEN is set. */
  metricsUrl: string | undefined;
  /** Stops accepting, finishes in-flight requests, closes the database, stops PostgreSQL. */
  close(): Promise<void>;
}

/** Everything `veza-server serve` does before listening, in order. */
export async function startServer(
  config: ServerConfig,
  options: { logger?: Logger; limits?: Partial<AppLimits>; print?: (text: string) => void } = {},
): Promise<RunningServer> {
  const startedAt = performance.now();
  const logger = options.logger ?? createConsoleLogger(config.logLevel, { format: config.logFormat });
  const database = await openDatabase(config, logger, { warnIfSuperuser: true });
  const cleanups: (() => Promise<void>)[] = [() => database.shutdown()];
  const cleanup = async (): Promise<void> => {
    for (const step of cleanups.reverse())
      await step().catch((error: unknown) => logger.error({ err: error }, 'shutdown step failed'));
  };
  try {
    await migrate(database.connectionString, logger);
    const db = createDb({
      connectionString: database.connectionString,
      // Each running transcode keeps one connection for its lock; requests keep the other ten.
      max: 10 + config.transcodeConcurrency,
      // Only the code and message: the error carries the whole pg client object.
      onError: (err) =>
        logger.warn({ code: (err as { code?: string }).code, message: err.message }, 'database connection lost'),
    });
    cleanups.push(() => db.close());
    const jwtSecret = await loadJwtSecret(config.dataDir, config.jwtSecret);
    const bus = config.natsUrl ? await connectNats(config.natsUrl, logger) : new InProcessBus({ logger });
    // Cleanups run in reverse: the bus closes after the app (whose in-flight requests may still
    // publish) and before the database.
    cleanups.push(() => bus.close());
    // With the embedded database this process owns the data dir alone; instances on an external
    // one may share the media directory, so each sweeps only scratch nobody can still be using.
    const blobs = await new LocalBlobStore(path.join(config.dataDir, 'media')).open({
      sweep: database.embedded ? 'all' : 'stale',
    });
    const audioTools = await locateAudioTools(config, logger, options.print);
    const app = await buildApp(
      config,
      { db, bus, clock: systemClock, logger, jwtSecret, blobs, audioTools },
      {
        authRequestsPerMinute: config.authRequestsPerMinute,
        transcodeConcurrency: config.transcodeConcurrency,
        mediaCacheBytes: config.mediaCacheBytes,
        media: { ...DEFAULT_MEDIA_LIMITS, uploadMaxBytes: config.uploadMaxBytes },
        gateway: {
          ...DEFAULT_GATEWAY_LIMITS,
          maxSocketsPerUser: config.maxSocketsPerUser,
          maxPendingSocketsPerAddress: config.maxPendingSocketsPerAddress,
        },
        firstRequestTimeoutMs: config.firstRequestTimeoutMs,
        ...options.limits,
      },
    );
    cleanups.push(() => app.close());

    let demoCreated = false;
    if (config.demo) {
      const created = await seedDemo({
        db,
        clock: systemClock,
        logger,
        dataDir: config.dataDir,
        production: config.production,
      });
      demoCreated = created !== undefined;
      if (created) await seedDemoRooms({ db, chat: app.veza.chat });
      if (created)
        (options.print ?? ((text) => process.stdout.write(`${text}\n`)))(
          formatDemoBanner(created, config.dataDir, config.publicUrl),
        );
    }

    await app.listen({ host: config.host, port: config.port });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    let metricsUrl: string | undefined;
    if (config.metricsListen) {
      const scrapes = await listenForScrapes({
        address: config.metricsListen,
        registry: app.veza.metrics.registry,
        token: config.metricsToken,
        logger,
        firstRequestTimeoutMs: config.firstRequestTimeoutMs,
      }).catch((error: unknown) => {
        throw new Error(`VEZA_METRICS_LISTEN: ${(error as Error).message}`, { cause: error });
      });
      cleanups.push(() => scrapes.close());
      metricsUrl = scrapes.url;
      logger.info({ url: metricsUrl }, 'metrics listening');
    }
    logger.info(
      { url, startMs: Math.round(performance.now() - startedAt), embeddedDb: database.embedded },
      'veza-server ready',
    );

    if (demoCreated && audioTools) {
      // In the background: the server answers at once and the demo library fills in behind it.
      const stopSeeding = new AbortController();
      const seeding = seedDemoTracks({
        db,
        logger,
        media: app.veza.media,
        tools: audioTools,
        signal: stopSeeding.signal,
      }).catch((error: unknown) => {
        if (!stopSeeding.signal.aborted) logger.error({ err: error }, 'demo tracks could not be created');
      });
      cleanups.push(async () => {
        stopSeeding.abort();
        await seeding;
      });
    }

    // The last line of a run, once everything has closed: a reader of the log knows the stop was
    // clean and complete, not a crash halfway.
    const stop = async (): Promise<void> => {
      await cleanup();
      logger.info({ uptimeSeconds: Math.round((performance.now() - startedAt) / 1000) }, 'veza-server stopped');
    };
    let closing: Promise<void> | undefined;
    return { app, bus, url, metricsUrl, close: () => (closing ??= stop()) };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/**
 * ffmpeg is needed to take uploads, not to serve what is published: without it the server says
 * so loudly and keeps running (chat, streaming and downloads all work).
 */
async function locateAudioTools(
  config: Pick<ServerConfig, 'ffmpegPath' | 'ffprobePath'>,
  logger: Logger,
  print?: (text: string) => void,
): Promise<AudioTools | null> {
  try {
    // The paths may come from the configuration file, which is not in process.env.
    const tools = findAudioTools({
      ...process.env,
      ...(config.ffmpegPath !== undefined && { VEZA_FFMPEG: config.ffmpegPath }),
      ...(config.ffprobePath !== undefined && { VEZA_FFPROBE: config.ffprobePath }),
    });
    const versions = await checkAudioTools(tools);
    logger.info({ ...tools, ...versions }, 'ffmpeg found');
    return tools;
  } catch (error) {
    const message = error instanceof AudioToolsMissingError ? error.message : (error as Error).message;
    logger.error({ problem: message }, 'ffmpeg is missing: uploads are disabled');
    (print ?? ((text) => process.stderr.write(`${text}\n`)))(
      `\n⚠ ${message}\n  Uploads are disabled until it is installed; everything else works.\n`,
    );
    return null;
  }
}

async function connectNats(url: string, logger: Logger): Promise<NatsBus> {
  try {
    return await NatsBus.connect(url, logger);
  } catch (error) {
    throw new Error(`VEZA_NATS_URL: ${(error as Error).message}`, { cause: error });
  }
}
