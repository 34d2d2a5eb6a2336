// Types for electron-download.mjs (plain JavaScript so that scripts/veza.mjs runs before any build).

export const RETRY_AFTER_MS: number;
export const INSTALL_TIMEOUT_MS: number;

export interface DownloadServer {
  host: string;
  port: number;
  /** host, or host:port when the mirror names a port. */
  label: string;
}

export interface RememberedFailure {
  failedAt: number;
  reason: string;
  electronVersion: string;
}

export function electronBinary(packageDir: string): string | null;
export function ensureElectron(options: {
  packageDir: string;
  failureFile: string;
  env?: NodeJS.ProcessEnv;
  /** The clock, injected so that tests can move a day on. */
  now?: () => number;
  /** Where progress goes (npm start: its step lines). */
  say?: (message: string) => void;
  timeoutMs?: number;
}): Promise<{ binary: string; fallback: null } | { binary: null; fallback: string }>;
export function downloadServer(env?: NodeJS.ProcessEnv): DownloadServer | null;
export function explainInstallerFailure(output: string, server: DownloadServer | null): Promise<string>;
export function installElectron(
  packageDir: string,
  options?: { env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<string | null>;
export function readFailure(file: string): RememberedFailure | null;
export function recordFailure(file: string, failure: { reason: string; electronVersion: string }, now?: number): void;
export function forgetFailure(file: string): void;
export function shouldTryDownload(options: {
  file: string;
  electronVersion: string;
  env?: NodeJS.ProcessEnv;
  now?: number;
}): { tryNow: true } | { tryNow: false; failure: RememberedFailure; retryAt: number };
export function explainFallback(options: {
  reason: string;
  failedAt?: number;
  retryAt: number;
  file: string;
  now?: number;
}): string;
