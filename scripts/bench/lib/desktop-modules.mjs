/**
 * The desktop core's TypeScript modules for a benchmark: bundled with esbuild at bench time into
 * one temporary .mjs (no build step, no tsx), then imported. esbuild and better-sqlite3 are the
 * desktop app's own (resolved from apps/desktop); better-sqlite3 stays outside the bundle (native).
 */
import fsp from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './harness.mjs';

const DESKTOP = path.join(ROOT, 'apps/desktop');
const requireFromDesktop = createRequire(path.join(DESKTOP, 'package.json'));

/** What the desktop-cache benchmark measures: the real stores, applier and service. */
const EXPORTS = `
export { openCacheDatabase } from './src/core/cache/database.ts';
export { ChatService } from './src/core/chat/chat-service.ts';
export { EventApplier } from './src/core/chat/store/event-applier.ts';
export { MessageStore } from './src/core/chat/store/message-store.ts';
export { OutboxStore } from './src/core/chat/store/outbox-store.ts';
export { RoomStore } from './src/core/chat/store/room-store.ts';
export { UsersStore } from './src/core/chat/store/users-store.ts';
export { ApiClient } from './src/core/api/api-client.ts';
export { MessageView } from './src/core/chat/store/message-view.ts';
export { ChangeNotifier } from './src/core/chat/sync/change-notifier.ts';
export { parseServerFrame } from './src/core/chat/sync/server-frames.ts';
export { SyncEngine } from './src/core/chat/sync/sync-engine.ts';
export { uuidv7 } from './src/core/chat/uuidv7.ts';
`;

/**
 * Bundles the desktop core modules and imports them. Returns the module and a cleanup that
 * removes the temporary directory.
 */
export async function loadDesktopModules() {
  const { build } = requireFromDesktop('esbuild');
  const sqlite = pathToFileURL(requireFromDesktop.resolve('better-sqlite3')).href;
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'veza-bench-desktop-'));
  const outfile = path.join(dir, 'desktop-core.mjs');
  await build({
    stdin: { contents: EXPORTS, resolveDir: DESKTOP, sourcefile: 'bench-entry.ts', loader: 'ts' },
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['@veza/source'],
    logLevel: 'error',
    // CommonJS inside an ESM bundle (ws) calls require() for Node built-ins.
    banner: {
      js: "import { createRequire as __veza_cr } from 'node:module'; const require = __veza_cr(import.meta.url);",
    },
    external: ['bufferutil', 'utf-8-validate'],
    plugins: [
      {
        name: 'native-from-desktop',
        setup(builder) {
          builder.onResolve({ filter: /^better-sqlite3$/ }, () => ({ path: sqlite, external: true }));
        },
      },
    ],
  });
  const modules = await import(pathToFileURL(outfile).href);
  return { modules, cleanup: () => fsp.rm(dir, { recursive: true, force: true }) };
}
