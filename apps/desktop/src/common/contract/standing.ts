/**
 * What a listener sees of moderation besides reports: the mirrored rule set (the composer warns
 * before sending, offline too) and the user's own standing (bans and timeouts the server
 * announced), plus the notices moderators and rules send them.
 */
import type { ModerationRuleSet } from '@veza/shared';
import { command } from './command.js';

export type { ModerationRuleSet };

/** One restriction on me. `scope` is 'server' or a room's id. `until` null: until lifted. */
export interface Restriction {
  scope: string;
  kind: 'ban' | 'timeout' | 'room_ban';
  reason: string | null;
  until: string | null;
}

/** My restrictions still in force (expired ones are left out). */
export interface Standing {
  restrictions: Restriction[];
}

export const standingCommands = {
  /** The last effective rule set the server gave (cached), or null before the first fetch. */
  getEffectiveRules: command().returns<ModerationRuleSet | null>(),
  getStanding: command().returns<Standing>(),
};

export type ModerationNoticeKind =
  'warning' | 'timeout' | 'room_ban' | 'ban' | 'unban' | 'held' | 'approved' | 'rejected';

/** `*.changed` carry no data: the store re-queries. `moderation.notice` is for a toast or banner. */
export type StandingEvent =
  | { type: 'rules.changed'; version: number }
  | { type: 'standing.changed' }
  | {
      type: 'moderation.notice';
      kind: ModerationNoticeKind;
      reason: string | null;
      until: string | null;
      roomId: string | null;
    };
