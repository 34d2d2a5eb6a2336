import { defineFeature } from '../feature-module.js';
import { adminRoutes } from './routes.js';

/** What administrators do through the API: users' roles. */
export const adminFeature = defineFeature({
  name: 'admin',
  limits: {},
  setup: ({ db, clock, logger }) => ({
    api: async (api) => {
      await api.register(adminRoutes, { db, clock, logger });
    },
  }),
});
