import { defineFeature } from '../feature-module.js';
import { DEFAULT_READ_LIMITS, type ReadLimits } from './read-throttle.js';
import { ChatRealtime } from './realtime/chat-realtime.js';
import { chatRoutes, DEFAULT_CHAT_ROUTE_LIMITS, type ChatRouteLimits } from './routes.js';
import { ChatService } from './service.js';

export { DEFAULT_CHAT_ROUTE_LIMITS } from './routes.js';
export type { ChatService, SendResult } from './service.js';
export type { ChatGuard, GuardVerdict, MessageAttempt } from './guards.js';

declare module '../feature-module.js' {
  interface FeatureServices {
    chat: ChatService;
  }
}

export interface ChatLimits {
  /** Read markers per user and room, and per user across rooms (socket `read` frames and POST /rooms/:id/read together). */
  chatReads: ReadLimits;
  chatRoutes: ChatRouteLimits;
}

/** Rooms, messages and their event log, served over REST and the realtime gateway. */
export const chatFeature = defineFeature<ChatLimits>({
  name: 'chat',
  limits: { chatReads: DEFAULT_READ_LIMITS, chatRoutes: DEFAULT_CHAT_ROUTE_LIMITS },
  setup: ({ db, bus, clock, logger, metrics, limits, gatewayLimits }) => {
    const chat = new ChatService({ db, bus, clock, logger, readLimits: limits.chatReads, metrics });
    return {
      services: { chat },
      api: async (api) => {
        await api.register(chatRoutes, { chat, limits: limits.chatRoutes });
      },
      realtime: new ChatRealtime({
        bus,
        chat,
        clock,
        logger,
        metrics,
        gapWaitMs: gatewayLimits.gapWaitMs,
        typingIntervalMs: gatewayLimits.typingIntervalMs,
      }),
    };
  },
});
