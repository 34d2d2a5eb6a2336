/*
 * The realtime gateway: one WebSocket per client, admitted by its hello, with per-user
 * channels, presence, room fan-out and frame families registered by features.
 */
export { Gateway } from './gateway.js';
export { realtimeGateway, type GatewayOptions } from './plugin.js';
export { watchAccountChanges } from './account-watch.js';
export { DEFAULT_GATEWAY_LIMITS, type GatewayLimits } from './limits.js';
export { DEFAULT_SEND_LIMITS, SendLimiter, type SendLimits } from './send-limiter.js';
export { encodeFrame } from './frames.js';
export { publishUserNotice, type UserNotice } from './notices.js';
export { RoomFanout, type RoomMember } from './room-fanout.js';
export type { Presence, PresenceAudience } from './presence.js';
export type { ClientFrameSpec, FeatureSession, GatewayServices, RealtimeFeature } from './registry.js';
export type { FeatureFrameType, GatewaySession, HelloFrame, WelcomeParts } from './session.js';
