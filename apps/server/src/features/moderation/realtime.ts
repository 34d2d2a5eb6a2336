import type { ServerFrameOf } from '@veza/shared';
import { encodeFrame, type GatewayServices, type RealtimeFeature } from '../../gateway/index.js';

/**
 * Moderation's frame family on the gateway: server frames only. `moderation` notices go to one
 * user through the gateway's notices; `rules` goes to every connection of this instance when
 * the rule set changes (each instance tells its own).
 */
export class ModerationRealtime implements RealtimeFeature {
  readonly name = 'moderation';
  readonly clientFrames = {};
  readonly serverFrames = ['moderation', 'rules'] as const;
  private gateway: GatewayServices | undefined;

  start(gateway: GatewayServices): void {
    this.gateway = gateway;
  }

  close(): void {
    this.gateway = undefined;
  }

  rulesChanged(version: number): void {
    const clients = this.gateway?.clients;
    if (!clients) return;
    const frame: ServerFrameOf<'rules'> = { type: 'rules', version };
    const data = encodeFrame(frame);
    for (const userId of clients.userIds()) clients.sendToUser(userId, data, 'rules');
  }
}
