import type { ChatGuard, GuardVerdict, MessageAttempt } from '../chat/index.js';
import type { Sanctions } from './sanctions.js';

/** What the rules decide about one message (automod.ts). */
export interface MessageScreen {
  screenSend(attempt: MessageAttempt): Promise<GuardVerdict>;
  screenEdit(attempt: MessageAttempt): Promise<void>;
}

/**
 * Moderation's guard on chat: sanctions first (a room ban, then a timeout), then the rules.
 * A non-member gets past it only to be refused by chat itself; rules never run for them.
 */
export class ModerationChatGuard implements ChatGuard {
  constructor(
    private readonly sanctions: Sanctions,
    private readonly screen: MessageScreen,
  ) {}

  async checkSend(attempt: MessageAttempt): Promise<GuardVerdict> {
    await this.sanctions.checkSend(attempt.actor.id, attempt.roomId);
    if (!attempt.roomRole) return { kind: 'allow' };
    return this.screen.screenSend(attempt);
  }

  async checkEdit(attempt: MessageAttempt): Promise<void> {
    await this.sanctions.checkSend(attempt.actor.id, attempt.roomId);
    if (attempt.roomRole) await this.screen.screenEdit(attempt);
  }

  checkJoin(roomId: string, userId: string): Promise<void> {
    return this.sanctions.checkJoin(roomId, userId);
  }
}
