import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'audio',
    include: ['src/**/*.test.ts'],
    // Tests run real ffmpeg; on a loaded two-core machine a few seconds per file is normal.
    testTimeout: 30_000,
    pool: 'forks',
  },
});
