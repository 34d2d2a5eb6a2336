import { defineFeature } from '../feature-module.js';
import { healthRoutes } from './routes.js';

export { listenForScrapes } from './metrics-listener.js';

/** Probes and /metrics for orchestrators and Prometheus, outside /api/v1. */
export const healthFeature = defineFeature({
  name: 'health',
  limits: {},
  setup: ({ db, metrics, config }) => ({
    root: async (app) => {
      await app.register(healthRoutes, {
        db,
        metrics,
        // A separate listener serves /metrics when one is configured.
        metricsAccess: config.metricsListen ? null : { token: config.metricsToken, where: 'main-port' },
      });
    },
  }),
});
