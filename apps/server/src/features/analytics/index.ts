import type { RealtimeFeature } from '../../gateway/index.js';
import { defineFeature } from '../feature-module.js';
import { analyticsRoutes } from './routes.js';
import { AnalyticsService } from './service.js';
import { pruneLive } from './store.js';

declare module '../feature-module.js' {
  interface FeatureServices {
    analytics: AnalyticsService;
  }
}

export type { AnalyticsService } from './service.js';

/**
 * The dashboards: live tiles, history, top lists and artists' own figures, all read from
 * rollups that triggers keep as messages, plays and accounts are stored (migration
 * 0006-analytics). It holds no frames; it listens to the gateway only for who is online.
 */
export const analyticsFeature = defineFeature({
  name: 'analytics',
  limits: {
    /** How often this instance drops per-minute rows the live tiles no longer read. */
    analyticsPruneIntervalMs: 60_000,
  },
  setup: ({ db, clock, logger, limits }) => {
    let countOnline = (): number => 0;
    const analytics = new AnalyticsService({ db, clock, usersOnline: () => countOnline() });
    const realtime: RealtimeFeature = {
      name: 'analytics',
      clientFrames: {},
      serverFrames: [],
      start: (gateway) => {
        countOnline = () => gateway.presence.onlineCount();
      },
    };
    const pruning = clock.setInterval(() => {
      pruneLive(db, clock.now()).catch((error: unknown) => {
        // Harmless when it fails once: the rows are only read by time range, and the next run prunes them.
        logger.warn({ err: error }, 'pruning the live analytics rows failed');
      });
    }, limits.analyticsPruneIntervalMs);
    return {
      services: { analytics },
      realtime,
      api: async (api) => {
        await api.register(analyticsRoutes, { analytics });
      },
      preClose: () => clock.clearTimeout(pruning),
    };
  },
});
