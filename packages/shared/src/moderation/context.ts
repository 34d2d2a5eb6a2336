import type { Role } from '../roles.js';
import type { RoomRole } from '../schemas/chat.js';
import type { RuleAction, RuleHit } from '../schemas/moderation.js';

/** What the engine knows about a message besides its text. Callers build it; the engine never looks anything up. */
export interface RuleContext {
  authorRole: Role;
  /** The room the message is sent to; null outside rooms (only global rules apply). */
  roomId: string | null;
  /** The author's role in that room, null when not a member or outside rooms. */
  roomRole: RoomRole | null;
  /** Milliseconds since the epoch. */
  accountCreatedAt: number;
  /** Milliseconds since the epoch; every window is measured back from it. */
  now: number;
  /** The author's earlier messages in this room, oldest first, within RECENT_WINDOW_MS of now. */
  recent: readonly { body: string; at: number }[];
  /** Distinct users mentioned by the message. */
  mentionCount: number;
}

export interface RuleEvaluation {
  /** Strongest action first; rules that fire more than once (keywords) give one hit per place, a few at most. */
  hits: RuleHit[];
  /** The strongest action among the hits, null when none fire. */
  action: RuleAction | null;
}

/**
 * The longest window any rule kind looks back over (slow mode, up to 6 hours), so callers know
 * how much of an author's history to keep for `recent`.
 */
export const RECENT_WINDOW_MS = 6 * 3600 * 1000;

/**
 * The most earlier messages any rule needs (flood allows up to 100 in its window): callers may
 * keep only this many of `recent`, newest ones.
 */
export const RECENT_MAX_MESSAGES = 100;
