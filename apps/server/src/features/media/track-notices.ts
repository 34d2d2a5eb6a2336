import type { ServerFrameOf } from '@veza/shared';
import type { Bus } from '../../infra/bus.js';

/**
 * Frames for one user's connections, on whichever instance holds them (the chat hub delivers
 * them). Used for processing progress, which only the uploader sees.
 */
export const userNoticeSubject = (userId: string): string => `notice.${userId}`;
export const ALL_USER_NOTICES = 'notice.*';

export interface UserNotice {
  userId: string;
  frame: ServerFrameOf<'track'>;
}

export function publishTrackProgress(bus: Bus, userId: string, frame: Omit<ServerFrameOf<'track'>, 'type'>): void {
  const notice: UserNotice = { userId, frame: { type: 'track', ...frame } };
  // Progress is advisory: a lost notice is replaced by the next one or by the track's state.
  bus.publish(userNoticeSubject(userId), notice).catch(() => undefined);
}
