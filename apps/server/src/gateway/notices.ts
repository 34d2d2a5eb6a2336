import type { ServerFrame } from '@veza/shared';
import type { Bus } from '../infra/bus.js';
import type { ConnectedClients } from './clients.js';
import { encodeFrame } from './frames.js';
import { userNoticeTopic } from './topics.js';

/**
 * Notices are advisory (track processing progress, for instance): a lost one is replaced by the
 * next or by a REST read.
 */
export interface UserNotice<F extends ServerFrame = ServerFrame> {
  userId: string;
  frame: F;
}

export function publishUserNotice(bus: Bus, notice: UserNotice): void {
  bus.publish(userNoticeTopic, { userId: notice.userId }, notice).catch(() => undefined);
}

/** Delivers the bus's user notices to this instance's connections. */
export class UserNotices {
  private stop: (() => void) | undefined;

  constructor(
    private readonly bus: Bus,
    private readonly clients: ConnectedClients,
  ) {}

  start(): void {
    this.stop = this.bus.subscribe(userNoticeTopic, (notice) => {
      if (this.clients.count(notice.userId) === 0) return;
      this.clients.sendToUser(notice.userId, encodeFrame(notice.frame), notice.frame.type);
    });
  }

  close(): void {
    this.stop?.();
  }
}
