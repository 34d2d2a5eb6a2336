import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * Builds the renderer (React + zustand) into dist/renderer. The output must run under a strict
 * CSP (`script-src 'self'; style-src 'self'`): no inline scripts, no eval, CSS only as files.
 * Relative asset paths (base './') so Electron can load it from disk and the browser host can
 * serve it from any path.
 */
export default defineConfig({
  root: fileURLToPath(new URL('./src/renderer', import.meta.url)),
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'chrome120',
    sourcemap: true,
    // The polyfill is useless on Chromium 120 and would be the only code not in a module file.
    modulePreload: { polyfill: false },
    // Keep every asset a file (no data: URLs), so img-src/font-src 'self' is enough.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1500,
  },
  server: { port: 5273, strictPort: false },
});
