import { CLIENT_FRAME_TYPES, SERVER_FRAME_TYPES } from '@veza/shared';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { tallyCounter, type Tally } from './tally.js';

export type WsConnectionState = 'authenticating' | 'open' | 'closing';
export const WS_CONNECTION_STATES: readonly WsConnectionState[] = ['authenticating', 'open', 'closing'];

/** A client frame's type, or `invalid` for one that is binary, not JSON, or of no known type. */
export type ReceivedFrameType = (typeof CLIENT_FRAME_TYPES)[number] | 'invalid';
export type SentFrameType = (typeof SERVER_FRAME_TYPES)[number];

/** Why a connection was closed with TOO_SLOW (4008). */
export type SlowConsumerReason = 'send_buffer' | 'pending_events' | 'inbound_queue';
/** Why a frame meant for a socket was not written: it was closing, or it was the one that overflowed. */
export type DroppedFrameReason = 'closed' | 'too_slow';

/** Statuses the media fast path writes; any other still counts, under its own number. */
const MEDIA_STATUSES = [200, 204, 206, 304, 403, 404, 405, 416, 500] as const;

export type JobOutcome = 'done' | 'retry' | 'failed' | 'interrupted';
export type TranscodeStep = 'ladder' | 'peaks' | 'package';

export interface JobQueueCount {
  kind: string;
  state: 'queued' | 'running';
  jobs: number;
}

export interface DbPoolUse {
  /** Connections open (idle or checked out). */
  total: number;
  idle: number;
  /** Queries and transactions waiting for a connection. */
  waiting: number;
  max: number;
}

export interface BusStatus {
  kind: 'nats' | 'in_process';
  connected: boolean;
}

/**
 * Values read when Prometheus scrapes rather than counted as they change: whoever owns the
 * state fills its entry in (the gateway its sockets, the app its pool and bus).
 */
export interface ScrapeSources {
  wsConnectionStates?: () => Iterable<WsConnectionState>;
  jobQueue?: () => Promise<JobQueueCount[]>;
  dbPool?: () => DbPoolUse;
  bus?: () => BusStatus;
  mediaCacheBytes?: () => number;
}

/**
 * One registry per app instance (never prom-client's global one), so two apps in one test
 * process keep separate counts. Every Veza family is declared here; docs/operations.md lists them.
 * Labels take values from the code only (frame types, statuses, job kinds), never from users.
 */
export interface Metrics {
  registry: Registry;
  sources: ScrapeSources;
  httpRequestDuration: Histogram<'method' | 'route' | 'status_code'>;
  authLogins: Counter<'result'>;
  authRegistrations: Counter;
  authRefreshes: Counter<'result'>;
  rateLimited: Counter<'route'>;
  wsFramesReceived: Tally<ReceivedFrameType>;
  wsFramesSent: Tally<SentFrameType>;
  wsFramesDropped: Tally<DroppedFrameReason>;
  wsSlowConsumerCloses: Tally<SlowConsumerReason>;
  chatMessagesStored: Counter;
  jobDuration: Histogram<'kind' | 'outcome'>;
  transcodeSeconds: Counter<'step'>;
  mediaRequests: Tally<number>;
  mediaCacheLookups: Tally<'hit' | 'miss'>;
}

const NAMED_LIKE_COUNTERS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

export interface MetricsOptions {
  /** A source that fails or does not answer in time: its family is left out of that scrape. */
  onScrapeError?: (source: string, error: unknown) => void;
  /** How long a scrape waits on the database (default 2 s); a stuck pool must not hang Prometheus. */
  scrapeQueryTimeoutMs?: number;
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // Gauges named like counters, which promtool rightly flags; each is the sum of a family kept
  // (nodejs_active_handles by type, and so on).
  for (const name of NAMED_LIKE_COUNTERS) registry.removeSingleMetric(name);
  const sources: ScrapeSources = {};
  const onScrapeError = options.onScrapeError ?? (() => undefined);
  const scrapeQueryTimeoutMs = options.scrapeQueryTimeoutMs ?? 2_000;

  new Gauge({
    name: 'veza_ws_connections',
    help: 'Chat WebSocket connections by state: authenticating (before hello is accepted), open, closing',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const counts: Record<WsConnectionState, number> = { authenticating: 0, open: 0, closing: 0 };
      for (const state of sources.wsConnectionStates?.() ?? []) counts[state] += 1;
      for (const state of WS_CONNECTION_STATES) this.set({ state }, counts[state]);
    },
  });

  // Read before the queue depth below is collected: its query would count as one waiting.
  const poolGauge = (name: string, help: string, read: (use: DbPoolUse) => number): void => {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        const use = sources.dbPool?.();
        if (use) this.set(read(use));
      },
    });
  };
  poolGauge('veza_db_pool_connections', 'Database connections open in the pool (idle or in use)', (u) => u.total);
  poolGauge('veza_db_pool_idle_connections', 'Database connections open and idle', (u) => u.idle);
  poolGauge('veza_db_pool_waiting_requests', 'Queries waiting for a free database connection', (u) => u.waiting);
  poolGauge('veza_db_pool_max_connections', 'Most connections the pool opens', (u) => u.max);

  new Gauge({
    name: 'veza_job_queue_depth',
    help: 'Jobs queued or running, by kind and state, read from the jobs table at scrape time',
    labelNames: ['kind', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      const read = sources.jobQueue;
      if (!read) return;
      try {
        for (const row of await withTimeout(read(), scrapeQueryTimeoutMs))
          this.set({ kind: row.kind, state: row.state }, row.jobs);
      } catch (error) {
        onScrapeError('jobQueue', error);
      }
    },
  });

  new Gauge({
    name: 'veza_bus_connected',
    help: 'Whether the event bus reaches other instances: 1 connected, 0 not; the in-process bus is always 1',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      this.reset();
      const status = sources.bus?.();
      if (status) this.set({ kind: status.kind }, status.connected ? 1 : 0);
    },
  });

  new Gauge({
    name: 'veza_media_cache_bytes',
    help: 'Bytes of media files held in the memory cache',
    registers: [registry],
    collect() {
      const bytes = sources.mediaCacheBytes?.();
      if (bytes !== undefined) this.set(bytes);
    },
  });

  return {
    registry,
    sources,
    httpRequestDuration: new Histogram({
      name: 'veza_http_request_duration_seconds',
      help: 'HTTP request duration by route template',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    authLogins: new Counter({
      name: 'veza_auth_logins_total',
      help: 'Login attempts by result',
      labelNames: ['result'],
      registers: [registry],
    }),
    authRegistrations: new Counter({
      name: 'veza_auth_registrations_total',
      help: 'Accounts registered',
      registers: [registry],
    }),
    authRefreshes: new Counter({
      name: 'veza_auth_refreshes_total',
      help: 'Refresh token uses by result',
      labelNames: ['result'],
      registers: [registry],
    }),
    rateLimited: new Counter({
      name: 'veza_rate_limited_total',
      help: 'Requests refused by a rate limit',
      labelNames: ['route'],
      registers: [registry],
    }),
    wsFramesReceived: tallyCounter(registry, {
      name: 'veza_ws_frames_received_total',
      help: 'Chat WebSocket frames received, by frame type (invalid: binary, not JSON or of no known type)',
      label: 'type',
      keys: [...CLIENT_FRAME_TYPES, 'invalid'],
    }),
    wsFramesSent: tallyCounter(registry, {
      name: 'veza_ws_frames_sent_total',
      help: 'Chat WebSocket frames written to sockets, by frame type',
      label: 'type',
      keys: SERVER_FRAME_TYPES,
    }),
    wsFramesDropped: tallyCounter(registry, {
      name: 'veza_ws_frames_dropped_total',
      help: 'Frames not written to a socket: it was closing, or it was too slow and this frame overflowed it',
      label: 'reason',
      keys: ['closed', 'too_slow'],
    }),
    wsSlowConsumerCloses: tallyCounter(registry, {
      name: 'veza_ws_slow_consumer_closes_total',
      help: 'Connections closed with TOO_SLOW (4008): send buffer full, too many events pending, too many frames queued in',
      label: 'reason',
      keys: ['send_buffer', 'pending_events', 'inbound_queue'],
    }),
    chatMessagesStored: new Counter({
      name: 'veza_chat_messages_stored_total',
      help: 'Chat messages stored (resends of a stored message not counted)',
      registers: [registry],
    }),
    jobDuration: new Histogram({
      name: 'veza_job_duration_seconds',
      help: 'Background job runs by kind and outcome (done, retry, failed, interrupted)',
      labelNames: ['kind', 'outcome'],
      buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800],
      registers: [registry],
    }),
    transcodeSeconds: new Counter({
      name: 'veza_transcode_seconds_total',
      help: 'Wall time spent running ffmpeg for uploads, by step (ladder, peaks, package)',
      labelNames: ['step'],
      registers: [registry],
    }),
    mediaRequests: tallyCounter(registry, {
      name: 'veza_media_requests_total',
      help: 'Signed media requests (the fast path outside the API) by HTTP status',
      label: 'status_code',
      keys: MEDIA_STATUSES,
    }),
    mediaCacheLookups: tallyCounter(registry, {
      name: 'veza_media_cache_lookups_total',
      help: 'Media memory cache lookups by result (hit, miss)',
      label: 'result',
      keys: ['hit', 'miss'],
    }),
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
