/**
 * Every environment variable the server reads. `loadConfig` can only read a name from this list
 * (its accessor is typed by it), and a configuration file may only set these (plus the `_FILE`
 * variants below): a `VEZA_*` name that is not here is a typo. docs/configuration.md documents
 * each one; a test keeps the two lists equal.
 */
export const SERVER_VARIABLES = [
  'VEZA_HOST',
  'VEZA_PORT',
  'VEZA_DATA_DIR',
  'VEZA_PUBLIC_URL',
  'DATABASE_URL',
  'VEZA_NATS_URL',
  'VEZA_LOG_LEVEL',
  'VEZA_LOG_FORMAT',
  'VEZA_JWT_SECRET',
  'VEZA_CORS_ORIGINS',
  'VEZA_TRUST_PROXY',
  'VEZA_AUTH_REQUESTS_PER_MINUTE',
  'VEZA_UPLOAD_MAX_MB',
  'VEZA_TRANSCODE_CONCURRENCY',
  'VEZA_MEDIA_CACHE_MB',
  'VEZA_MAX_SOCKETS_PER_USER',
  'VEZA_MAX_PENDING_SOCKETS_PER_ADDRESS',
  'VEZA_FIRST_REQUEST_TIMEOUT_MS',
  'VEZA_METRICS_TOKEN',
  'VEZA_METRICS_LISTEN',
  'VEZA_FFMPEG',
  'VEZA_FFPROBE',
  'VEZA_DEMO',
  'NODE_ENV',
] as const;

export type ServerVariable = (typeof SERVER_VARIABLES)[number];

/**
 * Secrets that may instead be read from a file named by `<NAME>_FILE` (Docker secrets, systemd
 * credentials), so the secret never sits in the environment or in a unit file.
 */
export const SECRET_FILE_VARIABLES = [
  'VEZA_JWT_SECRET',
  'DATABASE_URL',
  'VEZA_NATS_URL',
  'VEZA_METRICS_TOKEN',
] as const satisfies readonly ServerVariable[];

/** Names the configuration file itself: it cannot be set inside a configuration file. */
export const CONFIG_FILE_VARIABLE = 'VEZA_CONFIG_FILE';
