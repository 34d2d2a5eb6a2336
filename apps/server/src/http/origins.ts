import type { ServerConfig } from '../infra/config.js';

/** The desktop app's origin (its custom scheme). */
export const DESKTOP_ORIGIN = 'veza://app';

/**
 * Origins a browser may call from beyond the API's CORS list (the chat socket, media files): the
 * desktop app, the server's own pages and the CORS origins.
 */
export const trustedOrigins = (config: Pick<ServerConfig, 'publicUrl' | 'corsOrigins'>): string[] => [
  DESKTOP_ORIGIN,
  new URL(config.publicUrl).origin,
  ...config.corsOrigins,
];
