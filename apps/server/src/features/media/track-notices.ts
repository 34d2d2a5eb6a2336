import type { ServerFrameOf } from '@veza/shared';
import type { Bus } from '../../infra/bus.js';
import { publishUserNotice, type RealtimeFeature } from '../../gateway/index.js';

/**
 * Media over the realtime gateway: server frames only. Processing progress reaches the
 * uploader's connections, on whichever instance, as per-user notices.
 */
export const mediaRealtime: RealtimeFeature = { name: 'media', clientFrames: {}, serverFrames: ['track'] };

export function publishTrackProgress(bus: Bus, userId: string, frame: Omit<ServerFrameOf<'track'>, 'type'>): void {
  // Progress is advisory: a lost notice is replaced by the next one or by the track's state.
  publishUserNotice(bus, { userId, frame: { type: 'track', ...frame } });
}
