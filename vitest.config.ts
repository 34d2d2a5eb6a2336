import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/shared', 'packages/audio', 'apps/server', 'apps/desktop', 'scripts', 'deploy'],
  },
});
