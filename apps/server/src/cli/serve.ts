import { parseArgs } from 'node:util';
import type { ServerConfig } from '../infra/config.js';
import { startServer } from '../runtime.js';

/** Runs the server until SIGTERM or SIGINT; the runtime logs "veza-server stopped" once all is closed. */
export async function serveCommand(config: ServerConfig, args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { demo: { type: 'boolean', default: false } }, strict: true });
  const demo = !config.production && (config.demo || values.demo);
  const server = await startServer({ ...config, demo });
  const logger = server.app.log;
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) {
        logger.warn({ signal }, 'second signal: exiting now');
        process.exit(1);
      }
      stopping = true;
      logger.info({ signal }, 'shutting down');
      // Never hang forever on a stuck request or database.
      setTimeout(() => {
        logger.error('shutdown took longer than 30 s; exiting');
        process.exit(1);
      }, 30_000).unref();
      void server.close().then(resolve);
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  return 0;
}
