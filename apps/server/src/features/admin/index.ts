import { defineFeature } from '../feature-module.js';
import { adminRoutes } from './routes.js';

/** What administrators do through the API: users' roles (each change goes to the audit log). */
export const adminFeature = defineFeature({
  name: 'admin',
  limits: {},
  setup: ({ db, clock, logger, service }) => {
    const { audit } = service('moderation');
    return {
      api: async (api) => {
        await api.register(adminRoutes, { db, clock, logger, audit });
      },
    };
  },
});
