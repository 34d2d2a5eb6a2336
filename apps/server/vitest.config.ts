import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@veza/source'] },
  ssr: { resolve: { conditions: ['@veza/source'] } },
  test: {
    name: 'server',
    include: ['src/**/*.test.ts'],
    // Needs promtool; CI runs it with vitest.promtool.config.ts.
    exclude: [...configDefaults.exclude, 'src/**/*.promtool.test.ts'],
    globalSetup: ['src/test-support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
