import { defineFeature } from '../feature-module.js';
import { libraryRoutes } from './routes.js';

/** Browsing, search, playlists, likes and play reports. */
export const libraryFeature = defineFeature({
  name: 'library',
  limits: {},
  setup: ({ db, clock }) => ({
    api: async (api) => {
      await api.register(libraryRoutes, { db, clock });
    },
  }),
});
