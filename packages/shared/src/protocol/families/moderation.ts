import { Type } from 'typebox';
import { UuidSchema } from '../../schemas/common.js';
import { RuleHitSchema } from '../../schemas/moderation.js';

/*
 * Moderation's frame family: server frames only. Notices go to the user concerned (every one of
 * their connections, on every instance); `rules` goes to everyone when the rule set changes, so
 * the composer warns with the current rules (offline too, from the cache).
 */

/** Something a moderator or a rule did to the user. `until` is set for timeouts and timed bans. */
export const ModerationNoticeFrameSchema = Type.Object({
  type: Type.Literal('moderation'),
  kind: Type.Enum(['warning', 'timeout', 'room_ban', 'ban', 'unban', 'held', 'approved', 'rejected']),
  reason: Type.Union([Type.String(), Type.Null()]),
  until: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  roomId: Type.Union([UuidSchema, Type.Null()]),
  /** For held/approved/rejected: the send's clientId, so the outbox entry can be updated. */
  clientId: Type.Union([UuidSchema, Type.Null()]),
  hits: Type.Array(RuleHitSchema),
});

/** The rule set changed: fetch GET /moderation/rules/effective when `version` is newer than the cached one. */
export const RulesChangedFrameSchema = Type.Object({
  type: Type.Literal('rules'),
  version: Type.Integer({ minimum: 0 }),
});

export const MODERATION_SERVER_FRAMES = [ModerationNoticeFrameSchema, RulesChangedFrameSchema] as const;
