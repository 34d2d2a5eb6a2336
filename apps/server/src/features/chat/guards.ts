import type { Message, RoomRole } from '@veza/shared';
import type { Actor } from '../auth/index.js';

/*
 * What chat asks other features before a message goes out. Moderation registers its guard
 * here at set-up (chat.addGuard): chat never imports moderation, so the two stay free of a
 * cycle while every send, edit and join is still checked on the server.
 */

/** A message about to be stored (a send) or changed (an edit). */
export interface MessageAttempt {
  actor: Actor;
  roomId: string;
  /** The sender's role in the room; null when they are not a member (chat refuses them after the guards). */
  roomRole: RoomRole | null;
  body: string;
  /** Distinct users the body mentions. */
  mentions: readonly string[];
  /** A send's clientId; null for an edit. */
  clientId: string | null;
  replyTo: string | null;
  /** An edit's message; null for a send. */
  messageId: string | null;
}

/**
 * `allow`: the message is stored and delivered; `afterStore` runs once it is committed (a flag
 * queues it for moderators). `held`: the guard kept the message aside; chat stores nothing and
 * the sender is told by the guard's owner. A guard refuses by throwing an AppError.
 */
export type GuardVerdict = { kind: 'allow'; afterStore?: (message: Message) => Promise<void> } | { kind: 'held' };

export interface ChatGuard {
  checkSend(attempt: MessageAttempt): Promise<GuardVerdict>;
  /** Throws to refuse an edit (an edit cannot be held). */
  checkEdit(attempt: MessageAttempt): Promise<void>;
  /** Throws to refuse joining or being invited to a room (a room ban). */
  checkJoin(roomId: string, userId: string): Promise<void>;
}
