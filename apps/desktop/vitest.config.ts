import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@veza/source'] },
  ssr: { resolve: { conditions: ['@veza/source'] } },
  test: {
    name: 'desktop',
    include: ['src/**/*.test.ts'],
    // The same PostgreSQL setup as the server's tests: embedded by default, DATABASE_URL in CI's second pass.
    globalSetup: ['../server/src/test-support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
