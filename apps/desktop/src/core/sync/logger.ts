/**
 * Where core's sync (the connection and the domains behind it) reports what it ignored or
 * survived; the host decides where it goes.
 */
export interface SyncLogger {
  warn(message: string, detail?: Record<string, unknown>): void;
  error(message: string, detail?: Record<string, unknown>): void;
}

/** Default: one line on stderr (core has no console; `no-console` holds in src). */
export const stderrLogger: SyncLogger = {
  warn: (message, detail) => process.stderr.write(`[veza chat] ${message}${detail ? ` ${safeJson(detail)}` : ''}\n`),
  error: (message, detail) =>
    process.stderr.write(`[veza chat] ERROR ${message}${detail ? ` ${safeJson(detail)}` : ''}\n`),
};

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
