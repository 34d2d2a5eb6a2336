import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * Prometheus's promtool on the metrics, alert rules and dashboard (it must be installed):
 *   ./node_modules/.bin/vitest run --config apps/server/vitest.promtool.config.ts
 */
export default defineConfig({
  // Run from the repository root too: paths are this package's.
  root: path.dirname(fileURLToPath(import.meta.url)),
  resolve: { conditions: ['@veza/source'] },
  ssr: { resolve: { conditions: ['@veza/source'] } },
  test: {
    name: 'server-promtool',
    include: ['src/**/*.promtool.test.ts'],
    globalSetup: ['src/test-support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
