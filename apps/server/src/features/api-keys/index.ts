import { defineFeature } from '../feature-module.js';
import { apiKeyRoutes } from './routes.js';

export { apiKeyRevokedTopic } from './topics.js';

/** Long-lived credentials for scripts and bots: created, listed and revoked by their owner. */
export const apiKeysFeature = defineFeature({
  name: 'api-keys',
  limits: {},
  setup: ({ db, clock, bus }) => ({
    api: async (api) => {
      await api.register(apiKeyRoutes, { db, clock, bus });
    },
  }),
});
