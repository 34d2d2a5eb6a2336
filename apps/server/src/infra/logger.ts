import { pino, type Logger, type LoggerOptions } from 'pino';
import type { LogFormat, LogLevel } from './config.js';
import { PrettyDestination } from './log-format.js';
import { redactCredentialPaths, redactRequestUrl } from './log-redaction.js';

/**
 * Paths pino blanks in every log line. Request bodies are never logged, but services log
 * objects that may carry these fields, so they are redacted wherever they appear.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'password',
  '*.password',
  'passwordHash',
  '*.passwordHash',
  'token',
  '*.token',
  'accessToken',
  '*.accessToken',
  'refreshToken',
  '*.refreshToken',
  'key',
  '*.key',
  'apiKey',
  'secret',
  '*.secret',
  'jwtSecret',
  'databaseUrl',
  '*.databaseUrl',
  'metricsToken',
  '*.metricsToken',
];

/** What Fastify logs of a request (its own serializer's fields), with credential paths redacted. */
interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  headers?: { host?: string };
  socket?: { remoteAddress?: string; remotePort?: number };
}

/**
 * Signed media paths are credentials: request URLs, error messages and stacks, and message
 * strings lose them wherever they appear (docs/media.md). These replace Fastify's
 * own `req` and `err` serializers, which it merges under the logger's.
 */
const serializers = {
  req: (req: LoggedRequest) => ({
    method: req.method,
    url: req.url === undefined ? undefined : redactRequestUrl(req.url),
    host: req.host ?? req.headers?.host,
    remoteAddress: req.ip ?? req.socket?.remoteAddress,
    remotePort: req.socket?.remotePort,
  }),
  err: (error: Error) => {
    const serialized = pino.stdSerializers.err(error);
    // Node's parse errors carry the raw request bytes (Fastify logs them as "client error" at
    // trace): signed paths, Authorization headers, login bodies. Never logged.
    delete serialized.rawPacket;
    if (typeof serialized.message === 'string') serialized.message = redactCredentialPaths(serialized.message);
    if (typeof serialized.stack === 'string') serialized.stack = redactCredentialPaths(serialized.stack);
    return serialized;
  },
};

export function loggerOptions(level: LogLevel): LoggerOptions {
  return {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers,
    hooks: {
      logMethod(args, method) {
        const redacted = args.map((arg) => (typeof arg === 'string' ? redactCredentialPaths(arg) : arg));
        // An error logged alone has its message as the line's message: redacted as well.
        const [first] = args;
        if (args.length === 1 && first instanceof Error) redacted.push(redactCredentialPaths(first.message));
        method.apply(this, redacted as Parameters<typeof method>);
      },
    },
    base: { service: 'veza-server' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
}

export function createLogger(level: LogLevel, destination?: pino.DestinationStream): Logger {
  return destination ? pino(loggerOptions(level), destination) : pino(loggerOptions(level));
}

/** Where the console logger writes: stdout for the server, stderr for CLI commands (stdout is their output). */
export interface ConsoleOutput {
  write(text: string): unknown;
  isTTY?: boolean;
}

/**
 * The logger of a running process: lines for people on a terminal, JSON lines otherwise (a
 * supervisor, a pipe, a log collector); `format` (VEZA_LOG_FORMAT) overrides the guess.
 */
export function createConsoleLogger(
  level: LogLevel,
  options: { format?: LogFormat | undefined; output?: ConsoleOutput } = {},
): Logger {
  const output = options.output ?? process.stdout;
  const format = options.format ?? (output.isTTY === true ? 'pretty' : 'json');
  if (format === 'pretty') {
    const colors = output.isTTY === true && process.env.NO_COLOR === undefined;
    return pino(loggerOptions(level), new PrettyDestination(output, { colors }));
  }
  if (output === process.stdout) return pino(loggerOptions(level));
  if (output === process.stderr) return pino(loggerOptions(level), pino.destination(2));
  return pino(loggerOptions(level), output as pino.DestinationStream);
}

export type { Logger };
