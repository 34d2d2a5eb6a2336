#!/usr/bin/env node
/**
 * Builds everything the desktop app and the browser host run, into apps/desktop/dist:
 *   dist/main/main.cjs          Electron main (electron, better-sqlite3, electron-updater external)
 *   dist/main/assets/tray.png   the tray icon (copied from build/)
 *   dist/preload/preload.cjs    the sandboxed preload: one file, only 'electron' external
 *   dist/core/core-worker.cjs   core's worker thread (better-sqlite3 external)
 *   dist/host/host.mjs          the browser host's server (never packaged)
 *   dist/host/bridge.js         the browser host's window.veza client (never packaged)
 *   dist/renderer/              the React renderer, by Vite (apps/desktop/vite.config.ts)
 * Entries whose source does not exist yet are skipped with a message. Needs no Electron binary.
 *
 * Usage: node scripts/build.mjs [--only=main,preload,core,host,client,renderer] [--no-minify]
 */
/* eslint-disable no-console -- a command-line build script: the terminal is its output */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { inlineCommandNames } from './inline-command-names.mjs';

const desktopDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(desktopDir, 'dist');
const args = process.argv.slice(2);
const only = args
  .find((arg) => arg.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const minify = !args.includes('--no-minify');
const wanted = (name) => !only || only.includes(name);

/** Workspace packages are bundled from their TypeScript sources (their `@veza/source` export). */
const sourceConditions = ['@veza/source'];

/** Marks every bare import external except the workspace's own `@veza/*` packages. */
const externalNodeModules = {
  name: 'external-node-modules',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('@veza/') || path.isAbsolute(args.path)) return undefined;
      return { path: args.path, external: true };
    });
  },
};

const common = {
  bundle: true,
  sourcemap: true,
  minify,
  legalComments: 'linked',
  conditions: sourceConditions,
  logLevel: 'warning',
  metafile: true,
};

const entries = [
  {
    name: 'main',
    entry: 'src/main/main.ts',
    options: {
      outfile: 'dist/main/main.cjs',
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      external: ['electron', 'better-sqlite3', 'electron-updater'],
    },
  },
  {
    name: 'preload',
    entry: 'src/preload/preload.ts',
    options: {
      outfile: 'dist/preload/preload.cjs',
      format: 'cjs',
      // A sandboxed preload has a browser-like environment plus require('electron').
      platform: 'browser',
      target: 'chrome120',
      external: ['electron'],
      plugins: [inlineCommandNames(desktopDir)],
    },
  },
  {
    name: 'core',
    entry: 'src/core/worker/core-worker.ts',
    options: {
      outfile: 'dist/core/core-worker.cjs',
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      external: ['better-sqlite3'],
    },
  },
  {
    name: 'host',
    entry: 'src/host/server/main.ts',
    options: {
      outfile: 'dist/host/host.mjs',
      format: 'esm',
      platform: 'node',
      target: 'node20',
      external: ['better-sqlite3'],
      plugins: [externalNodeModules],
      // ESM output of code that may use require/__dirname through dependencies.
      banner: {
        js: "import { createRequire as __vezaCreateRequire } from 'node:module'; const require = __vezaCreateRequire(import.meta.url);",
      },
    },
  },
  {
    name: 'client',
    entry: 'src/host/client/bridge.ts',
    options: {
      outfile: 'dist/host/bridge.js',
      format: 'iife',
      platform: 'browser',
      target: 'chrome120',
      plugins: [inlineCommandNames(desktopDir)],
    },
  },
];

function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}

async function directorySize(dir) {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += await directorySize(full);
    else if (!entry.name.endsWith('.map')) total += (await stat(full)).size;
  }
  return total;
}

const results = [];
let failed = false;

for (const { name, entry, options } of entries) {
  if (!wanted(name)) continue;
  const entryPath = path.join(desktopDir, entry);
  if (!existsSync(entryPath)) {
    console.log(`skip ${name}: ${entry} does not exist yet`);
    results.push({ name, status: 'skipped' });
    continue;
  }
  try {
    const outfile = path.join(desktopDir, options.outfile);
    await rm(outfile, { force: true });
    await rm(`${outfile}.map`, { force: true });
    await esbuild.build({ ...common, ...options, entryPoints: [entryPath], outfile, absWorkingDir: desktopDir });
    results.push({ name, status: 'built', file: options.outfile, size: (await stat(outfile)).size });
  } catch (error) {
    failed = true;
    console.error(`✗ ${name}: ${error instanceof Error ? error.message : String(error)}`);
    results.push({ name, status: 'failed' });
  }
}

if (wanted('main') && results.find((r) => r.name === 'main')?.status === 'built') {
  // The tray icon ships inside dist/ (buildResources never reach the packaged app).
  const trayIcon = path.join(desktopDir, 'build', 'tray.png');
  if (existsSync(trayIcon)) {
    await mkdir(path.join(dist, 'main', 'assets'), { recursive: true });
    await copyFile(trayIcon, path.join(dist, 'main', 'assets', 'tray.png'));
  } else {
    console.log('note: build/tray.png is missing; the tray will show an empty icon');
  }
}

if (wanted('renderer')) {
  const viteConfig = path.join(desktopDir, 'vite.config.ts');
  if (!existsSync(viteConfig) || !existsSync(path.join(desktopDir, 'src', 'renderer', 'index.html'))) {
    console.log('skip renderer: vite.config.ts or src/renderer/index.html does not exist yet');
    results.push({ name: 'renderer', status: 'skipped' });
  } else {
    try {
      const { build } = await import('vite');
      await build({ configFile: viteConfig, logLevel: 'warn', mode: 'production' });
      const outDir = path.join(dist, 'renderer');
      results.push({ name: 'renderer', status: 'built', file: 'dist/renderer/', size: await directorySize(outDir) });
    } catch (error) {
      failed = true;
      console.error(`✗ renderer: ${error instanceof Error ? error.message : String(error)}`);
      results.push({ name: 'renderer', status: 'failed' });
    }
  }
}

console.log('');
for (const result of results) {
  const detail = result.status === 'built' ? `${result.file.padEnd(28)} ${formatSize(result.size)}` : result.status;
  console.log(
    `${result.status === 'built' ? '✓' : result.status === 'skipped' ? '–' : '✗'} ${result.name.padEnd(9)} ${detail}`,
  );
}
if (failed) process.exit(1);
