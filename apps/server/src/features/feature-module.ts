import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AudioTools } from '@veza/audio';
import type { FastifyInstance } from 'fastify';
import type { GatewayLimits, RealtimeFeature } from '../gateway/index.js';
import type { Authenticator } from '../http/access.js';
import type { BlobStore } from '../infra/blobs/blob-store.js';
import type { Bus } from '../infra/bus.js';
import type { Clock } from '../infra/clock.js';
import type { ServerConfig } from '../infra/config.js';
import type { Db } from '../infra/db/db.js';
import type { JobHandler } from '../infra/jobs/worker.js';
import type { Logger } from '../infra/logger.js';
import type { Metrics } from '../infra/metrics.js';

/**
 * The services features share with each other and with tests (as `app.veza`). Empty here: each
 * feature's index.ts adds its own with `declare module`, so the app never names a feature's
 * internals and a consumer never casts what it receives.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging
export interface FeatureServices {}

export type FeatureConfig = Pick<ServerConfig, 'publicUrl' | 'corsOrigins'> &
  Partial<Pick<ServerConfig, 'metricsToken' | 'metricsListen'>>;

/** What a feature is built from: injected infrastructure, its own limits, and earlier features' services. */
export interface FeatureDeps<Limits extends object = object> {
  db: Db;
  bus: Bus;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  jwtSecret: Uint8Array;
  blobs: BlobStore;
  /** ffmpeg and ffprobe; null when missing. */
  audioTools: AudioTools | null;
  config: FeatureConfig;
  /**
   * Origins a browser may call from beyond the API's CORS list (sockets, media files): the
   * desktop app, the server's own pages and the CORS origins.
   */
  trustedOrigins: readonly string[];
  /** The realtime gateway's limits (chat paces typing notices and gap waits by them). */
  gatewayLimits: GatewayLimits;
  limits: Limits;
  /** A service of a feature earlier in the list; throws at start-up when it is not there. */
  service<Name extends keyof FeatureServices>(name: Name): FeatureServices[Name];
}

type Plugin = (app: FastifyInstance) => Promise<void>;

/** Jobs a feature queues and runs through the app's one job worker. */
export interface FeatureJobs {
  /** Every kind the feature queues, counted on /metrics even when this instance runs none. */
  kinds: readonly string[];
  /** Handlers this instance runs (none when a tool they need is missing). */
  handlers: Record<string, JobHandler>;
  /** How many of them run at once on this instance. */
  concurrency: number;
}

/** Requests a feature answers before Fastify routes them (the media hot path). */
export interface RawRequestHandler {
  claims(url: string | undefined): boolean;
  handle(request: IncomingMessage, response: ServerResponse): void;
}

/** Subscribes to one of the bus's typed topics (`bus.subscribe(topic, handler)`); returns the unsubscribe. */
export type BusSubscription = (bus: Bus) => () => void;

/** What a feature adds to the app once it is set up. Every part is optional. */
export interface FeatureParts {
  services?: Partial<FeatureServices>;
  /** Routes under /api/v1 (each declares its access). */
  api?: Plugin;
  /** Routes at the root: probes, pages, media files. */
  root?: Plugin;
  /** Its frame family on the realtime gateway: client frames with their handlers, server frames. */
  realtime?: RealtimeFeature;
  jobs?: FeatureJobs;
  /** Subscribed while the app runs, until it starts closing. */
  subscriptions?: readonly BusSubscription[];
  /** Who resolves a bearer credential to a principal for access control: exactly one feature. */
  authenticator?: Authenticator;
  rawRequests?: RawRequestHandler;
  /** Closing begins: stop taking new work (before the job worker stops). */
  preClose?: () => void | Promise<void>;
  /** The app is closed: release what the feature holds. */
  onClose?: () => void | Promise<void>;
}

/**
 * One feature of the server: its name, its limits (their defaults; the app's limits are all the
 * features' limits together, so their names must differ) and how it sets itself up.
 */
export interface FeatureModule<Limits extends object = object> {
  readonly name: string;
  readonly limits: Limits;
  setup(deps: FeatureDeps<Limits>): FeatureParts | Promise<FeatureParts>;
}

/** Declares a module, keeping its limits' type for the app's composed limits. */
export const defineFeature = <Limits extends object>(module: FeatureModule<Limits>): FeatureModule<Limits> => module;
