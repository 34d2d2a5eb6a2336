import type { RuleHit, ServerFrameOf } from '@veza/shared';
import { publishUserNotice } from '../../gateway/index.js';
import type { Bus } from '../../infra/bus.js';

export type NoticeKind = ServerFrameOf<'moderation'>['kind'];

/** Tells a user, on every connection and instance, what moderation did to them. */
export function notifyUser(
  bus: Bus,
  userId: string,
  notice: {
    kind: NoticeKind;
    reason?: string | null;
    until?: Date | null;
    roomId?: string | null;
    clientId?: string | null;
    hits?: readonly RuleHit[];
  },
): void {
  publishUserNotice(bus, {
    userId,
    frame: {
      type: 'moderation',
      kind: notice.kind,
      reason: notice.reason ?? null,
      until: notice.until?.toISOString() ?? null,
      roomId: notice.roomId ?? null,
      clientId: notice.clientId ?? null,
      hits: [...(notice.hits ?? [])],
    },
  });
}
