import { defineFeature } from '../feature-module.js';
import { homeRoutes } from './routes.js';

/** The server's own page at the root. */
export const homeFeature = defineFeature({
  name: 'home',
  limits: {},
  setup: ({ db, config }) => ({
    root: async (app) => {
      await app.register(homeRoutes, { db, publicUrl: config.publicUrl });
    },
  }),
});
