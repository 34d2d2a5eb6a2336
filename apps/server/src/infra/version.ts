import { readFileSync } from 'node:fs';

/**
 * The server package's version, read once from its package.json (two levels up from both
 * src/infra and dist/infra), so `veza-server --version` and the home page never disagree with it.
 */
export const SERVER_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
