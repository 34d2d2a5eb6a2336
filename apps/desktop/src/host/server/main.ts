/**
 * `node dist/host/host.mjs [--port 5174] [--data-dir DIR] [--server-url URL]`: core in a worker
 * thread, the renderer served on 127.0.0.1. What `pnpm dev:web` runs, and what `pnpm start` falls
 * back to when no Electron binary can be had. Prints the URL; Ctrl-C (or SIGTERM) closes cleanly.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { FileSecretStore } from '../../core/session/secret-store.js';
import { startCoreWorker } from '../../core/worker/core-client.js';
import { startBrowserHost } from './browser-host.js';

/** The bundle lives in dist/host/; its siblings are the renderer, the bridge and the core worker. */
const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function usage(message: string): never {
  process.stderr.write(
    `${message}\nUsage: host.mjs [--port 5174] [--data-dir DIR] [--server-url http://127.0.0.1:8080] [--renderer-dir DIR]\n`,
  );
  process.exit(2);
}

async function main(): Promise<void> {
  let values: { port?: string; 'data-dir'?: string; 'server-url'?: string; 'renderer-dir'?: string };
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        'server-url': { type: 'string' },
        'renderer-dir': { type: 'string' },
      },
    }));
  } catch (error) {
    usage((error as Error).message);
  }
  const port = Number(values.port ?? process.env.VEZA_HOST_PORT ?? 5174);
  if (!Number.isInteger(port) || port < 0 || port > 65535) usage('--port must be a port number (0 picks a free one).');
  const dataDir = path.resolve(values['data-dir'] ?? process.env.VEZA_DESKTOP_DATA_DIR ?? 'data/desktop-web');
  const serverUrl = values['server-url'] ?? process.env.VEZA_SERVER_URL ?? 'http://127.0.0.1:8080';
  if (!/^https?:\/\//.test(serverUrl)) usage('--server-url must be an http(s) URL.');

  const start = (listenPort: number) =>
    startBrowserHost({
      port: listenPort,
      dataDir,
      serverUrl,
      // --renderer-dir: a snapshot of dist/renderer (and its bridge.js), e.g. for a benchmark that
      // must not see a rebuild happening meanwhile.
      rendererDir: values['renderer-dir'] ? path.resolve(values['renderer-dir']) : path.join(DIST, 'renderer'),
      bridgeScript: values['renderer-dir']
        ? path.resolve(values['renderer-dir'], '__veza', 'bridge.js')
        : path.join(DIST, 'host', 'bridge.js'),
      core: ({ localMediaBase }) =>
        startCoreWorker({
          dataDir,
          localMediaBase,
          secretStore: new FileSecretStore(path.join(dataDir, 'secrets.json')),
          workerPath: path.join(DIST, 'core', 'core-worker.cjs'),
        }),
    });
  let host: Awaited<ReturnType<typeof start>>;
  try {
    host = await start(port);
  } catch (error) {
    // The usual port is taken (another host still running): any free one will do.
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || port === 0) throw error;
    process.stderr.write(`Port ${port} is in use; picking a free one.\n`);
    host = await start(0);
  }
  process.stdout.write(`Veza (browser host) is running. Open ${host.url} in your browser.\n`);

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    // A core stuck on a download must not keep the process alive forever.
    setTimeout(() => process.exit(1), 10_000).unref();
    host.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `The Veza browser host could not start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
