import { availableParallelism } from 'node:os';
import path from 'node:path';
import { resolveEnvironment, type Env } from './config-sources.js';
import { SECRET_FILE_VARIABLES, type ServerVariable } from './config-variables.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
export type LogFormat = 'pretty' | 'json';
const LOG_FORMATS: readonly LogFormat[] = ['pretty', 'json'];

export interface ServerConfig {
  host: string;
  port: number;
  dataDir: string;
  publicUrl: string;
  /** External PostgreSQL; when absent the server runs an embedded one in `dataDir`. */
  databaseUrl: string | undefined;
  natsUrl: string | undefined;
  logLevel: LogLevel;
  /** Log lines for people or for machines; undefined: for people when the console is a terminal. */
  logFormat: LogFormat | undefined;
  /** HS256 signing secret; when absent one is generated into `dataDir` on first start. */
  jwtSecret: string | undefined;
  /** Origins allowed by CORS. Empty means closed (the desktop app does not need CORS). */
  corsOrigins: string[];
  /** Create the demo accounts on a fresh database (never in production). */
  demo: boolean;
  production: boolean;
  /** Trust X-Forwarded-* (set when behind a reverse proxy, so rate limits see client IPs). */
  trustProxy: boolean;
  /** Requests per minute per IP on register, login and refresh. */
  authRequestsPerMinute: number;
  /** Largest track upload in bytes. */
  uploadMaxBytes: number;
  /** Transcodes run at once by this instance (default: one per core). */
  transcodeConcurrency: number;
  /** Memory for hot media files served from RAM, in bytes. */
  mediaCacheBytes: number;
  /** VEZA_FFMPEG and VEZA_FFPROBE: the audio tools' paths, when not found on PATH. */
  ffmpegPath: string | undefined;
  ffprobePath: string | undefined;
  /** Chat sockets one account may have open on this instance. */
  maxSocketsPerUser: number;
  /** Chat sockets one client address may have open on this instance before they say hello. */
  maxPendingSocketsPerAddress: number;
  /** A TCP connection that sends no request within this many milliseconds is closed. */
  firstRequestTimeoutMs: number;
  /** Bearer token a scraper must send to /metrics; unset: no token asked. */
  metricsToken: string | undefined;
  /** A separate address serving /metrics alone; the main port then does not serve it. */
  metricsListen: ListenAddress | undefined;
}

export interface ListenAddress {
  host: string;
  port: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads and validates the environment once at start (with the configuration file and secret
 * files it names: config-sources.ts); every problem is reported together.
 */
export function loadConfig(givenEnv: Env = process.env, cwd = process.cwd()): ServerConfig {
  const { env, problems } = resolveEnvironment(givenEnv, cwd);
  const value = (name: ServerVariable): string | undefined => {
    const raw = env[name];
    return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
  };

  const host = value('VEZA_HOST') ?? '127.0.0.1';

  let port = 8080;
  const rawPort = value('VEZA_PORT');
  if (rawPort !== undefined) {
    port = Number(rawPort);
    if (!/^\d+$/.test(rawPort) || port > 65535) {
      problems.push(`VEZA_PORT must be an integer between 0 and 65535 (got "${rawPort}")`);
    }
  }

  const dataDir = path.resolve(cwd, value('VEZA_DATA_DIR') ?? 'data');

  const portValid = problems.length === 0;
  const explicitPublicUrl = value('VEZA_PUBLIC_URL');
  const publicUrl = explicitPublicUrl ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  if (explicitPublicUrl !== undefined && !isUrl(explicitPublicUrl, ['http:', 'https:'])) {
    problems.push(`VEZA_PUBLIC_URL must be an http(s) URL (got "${explicitPublicUrl}")`);
  } else if (explicitPublicUrl === undefined && portValid && !isUrl(publicUrl, ['http:', 'https:'])) {
    problems.push(`VEZA_HOST is not a valid host name or address (got "${host}")`);
  }

  const databaseUrl = value('DATABASE_URL');
  if (databaseUrl !== undefined && !isUrl(databaseUrl, ['postgres:', 'postgresql:'])) {
    problems.push('DATABASE_URL must be a postgres:// or postgresql:// URL');
  }

  const natsUrl = value('VEZA_NATS_URL');
  if (natsUrl !== undefined && !isUrl(natsUrl, ['nats:', 'tls:'])) {
    // The URL may carry a password: only its scheme is told back.
    problems.push(`VEZA_NATS_URL must be a nats:// or tls:// URL (got ${describeUrlScheme(natsUrl)})`);
  }

  const rawLevel = value('VEZA_LOG_LEVEL') ?? 'info';
  const logLevel = LOG_LEVELS.find((level) => level === rawLevel.toLowerCase());
  if (logLevel === undefined) {
    problems.push(`VEZA_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${rawLevel}")`);
  }
  const rawFormat = value('VEZA_LOG_FORMAT');
  const logFormat = LOG_FORMATS.find((format) => format === rawFormat?.toLowerCase());
  if (rawFormat !== undefined && logFormat === undefined) {
    problems.push(`VEZA_LOG_FORMAT must be ${LOG_FORMATS.join(' or ')} (got "${rawFormat}")`);
  }

  const jwtSecret = value('VEZA_JWT_SECRET');
  if (jwtSecret !== undefined && Buffer.byteLength(jwtSecret) < 32) {
    problems.push('VEZA_JWT_SECRET must be at least 32 bytes long');
  }

  const corsOrigins = (value('VEZA_CORS_ORIGINS') ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o !== '');
  for (const origin of corsOrigins) {
    if (!isUrl(origin, ['http:', 'https:'])) problems.push(`VEZA_CORS_ORIGINS has an invalid origin "${origin}"`);
  }

  let authRequestsPerMinute = 60;
  const rawAuthRate = value('VEZA_AUTH_REQUESTS_PER_MINUTE');
  if (rawAuthRate !== undefined) {
    authRequestsPerMinute = Number(rawAuthRate);
    if (!/^\d+$/.test(rawAuthRate) || authRequestsPerMinute < 1) {
      problems.push(`VEZA_AUTH_REQUESTS_PER_MINUTE must be a positive integer (got "${rawAuthRate}")`);
    }
  }

  const integer = (name: ServerVariable, fallback: number, min: number, max: number, unit = ''): number => {
    const raw = value(name);
    if (raw === undefined) return fallback;
    const parsed = Number(raw);
    if (!/^\d+$/.test(raw) || parsed < min || parsed > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}${unit} (got "${raw}")`);
      return fallback;
    }
    return parsed;
  };
  const uploadMaxMb = integer('VEZA_UPLOAD_MAX_MB', 500, 1, 10_240, ' (megabytes)');
  const transcodeConcurrency = integer('VEZA_TRANSCODE_CONCURRENCY', availableParallelism(), 0, 64);
  const mediaCacheMb = integer('VEZA_MEDIA_CACHE_MB', 64, 0, 16_384, ' (megabytes)');
  const maxSocketsPerUser = integer('VEZA_MAX_SOCKETS_PER_USER', 20, 1, 10_000);
  const maxPendingSocketsPerAddress = integer('VEZA_MAX_PENDING_SOCKETS_PER_ADDRESS', 32, 1, 1_000_000);
  const firstRequestTimeoutMs = integer('VEZA_FIRST_REQUEST_TIMEOUT_MS', 10_000, 100, 600_000, ' (milliseconds)');

  const metricsToken = value('VEZA_METRICS_TOKEN');
  if (metricsToken !== undefined && !/^[A-Za-z0-9._~+/=-]{16,4096}$/.test(metricsToken)) {
    problems.push(
      'VEZA_METRICS_TOKEN must be at least 16 characters of letters, digits and -._~+/= (make one with: openssl rand -hex 32)',
    );
  }
  const rawMetricsListen = value('VEZA_METRICS_LISTEN');
  const metricsListen = rawMetricsListen === undefined ? undefined : parseListenAddress(rawMetricsListen);
  if (rawMetricsListen !== undefined && metricsListen === undefined) {
    problems.push(
      `VEZA_METRICS_LISTEN must be host:port, e.g. 127.0.0.1:9464 or [::1]:9464 (got "${rawMetricsListen}")`,
    );
  } else if (metricsListen && metricsListen.port !== 0 && metricsListen.port === port && metricsListen.host === host) {
    problems.push('VEZA_METRICS_LISTEN must differ from VEZA_HOST:VEZA_PORT (the main port)');
  }

  const production = value('NODE_ENV') === 'production';
  // Parsed even in production, so a typo is reported rather than hidden.
  const demo = parseBool(value('VEZA_DEMO'), 'VEZA_DEMO', problems) && !production;
  const trustProxy = parseBool(value('VEZA_TRUST_PROXY'), 'VEZA_TRUST_PROXY', problems);

  if (problems.length > 0) throw new ConfigError(withoutSecrets(problems, env));
  return {
    host,
    port,
    dataDir,
    publicUrl: publicUrl.replace(/\/+$/, ''),
    databaseUrl,
    natsUrl,
    logLevel: logLevel ?? 'info',
    logFormat,
    jwtSecret,
    corsOrigins,
    demo,
    production,
    trustProxy,
    authRequestsPerMinute,
    uploadMaxBytes: uploadMaxMb * 1024 * 1024,
    transcodeConcurrency,
    mediaCacheBytes: mediaCacheMb * 1024 * 1024,
    ffmpegPath: value('VEZA_FFMPEG'),
    ffprobePath: value('VEZA_FFPROBE'),
    maxSocketsPerUser,
    maxPendingSocketsPerAddress,
    firstRequestTimeoutMs,
    metricsToken,
    metricsListen,
  };
}

/** `host:port` or `[v6 address]:port`; undefined when it is neither. */
function parseListenAddress(raw: string): ListenAddress | undefined {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^\s:[\]/]+)):(\d{1,5})$/.exec(raw);
  if (!match) return undefined;
  const host = match[1] ?? match[2]!;
  const port = Number(match[3]);
  if (port > 65535 || !isUrl(`http://${match[1] ? `[${host}]` : host}:${port}`, ['http:'])) return undefined;
  return { host, port };
}

function parseBool(raw: string | undefined, name: ServerVariable, problems: string[]): boolean {
  if (raw === undefined) return false;
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  problems.push(`${name} must be true or false (got "${raw}")`);
  return false;
}

/** Schemes common enough to name back; anything else before `:` may be a user name (`user:pw@host`). */
const KNOWN_SCHEMES = [
  'http',
  'https',
  'ws',
  'wss',
  'nats',
  'tls',
  'redis',
  'rediss',
  'postgres',
  'postgresql',
  'amqp',
  'mqtt',
];

/** What a secret URL was, without any of it: its scheme when it is a well-known one. */
function describeUrlScheme(raw: string): string {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(raw)?.[1]?.toLowerCase();
  return scheme !== undefined && KNOWN_SCHEMES.includes(scheme) ? `a ${scheme}:// URL` : 'something else';
}

/**
 * Problems as reported, with the value of every secret variable (given directly or read from
 * its _FILE) blanked wherever a message would still quote it: a start-up error is printed,
 * logged and pasted into issues.
 */
function withoutSecrets(problems: string[], env: Env): string[] {
  const secrets = SECRET_FILE_VARIABLES.flatMap((name) => [env[name], env[name]?.trim()]).filter(
    (secret): secret is string => secret !== undefined && secret.length >= 4,
  );
  return problems.map((problem) => secrets.reduce((text, secret) => text.replaceAll(secret, '[redacted]'), problem));
}

function isUrl(raw: string, protocols: string[]): boolean {
  try {
    return protocols.includes(new URL(raw).protocol);
  } catch {
    return false;
  }
}
