/**
 * Main's log: one line per entry on stderr/stdout, prefixed so it stands out among Chromium's own
 * output. Main has no log file yet; packaged apps launched from a terminal still show these.
 */
export interface Logger {
  info(message: string, detail?: unknown): void;
  warn(message: string, detail?: unknown): void;
  error(message: string, detail?: unknown): void;
}

function describe(detail: unknown): string {
  if (detail === undefined) return '';
  if (detail instanceof Error) return ` ${detail.name}: ${detail.message}`;
  try {
    return ` ${JSON.stringify(detail)}`;
  } catch {
    return ` ${String(detail)}`;
  }
}

/* eslint-disable no-console -- the one place main writes to the console */
export const log: Logger = {
  info: (message, detail) => console.log(`[veza main] ${message}${describe(detail)}`),
  warn: (message, detail) => console.warn(`[veza main] ${message}${describe(detail)}`),
  error: (message, detail) => console.error(`[veza main] ${message}${describe(detail)}`),
};
/* eslint-enable no-console */
