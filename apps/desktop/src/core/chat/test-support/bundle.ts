import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const desktopRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const requireFromDesktop = createRequire(path.join(desktopRoot, 'package.json'));

/**
 * Bundles a TypeScript entry (and the core modules it imports) into one .mjs that plain `node`
 * runs: tsx is not installed, and a real child process is the only honest way to test SIGKILL.
 * better-sqlite3 (native) stays outside the bundle, imported from apps/desktop's node_modules.
 */
export async function bundleForNode(entry: string, outfile: string): Promise<void> {
  const sqlite = pathToFileURL(requireFromDesktop.resolve('better-sqlite3')).href;
  await build({
    entryPoints: [entry],
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
}
