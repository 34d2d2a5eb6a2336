import type { ReportReceipt } from '@veza/shared';
import { DesktopError } from '../../common/errors.js';
import type { ApiClient } from '../api/api-client.js';
import type { SyncLogger } from '../sync/logger.js';
import type { ReportOutbox } from './report-outbox.js';

export const REPORTS_PATH = '/api/v1/reports';
/** Out of reach: stop and wait for the connection to come back. */
const UNREACHABLE = new Set(['OFFLINE', 'SERVER_UNREACHABLE', 'NOT_SIGNED_IN']);
/** "Not now": try again after a pause (the server dedups a report of the same open target). */
const TRANSIENT = new Set(['RATE_LIMITED', 'SERVICE_UNAVAILABLE', 'INTERNAL_ERROR', 'TOKEN_EXPIRED']);
const RETRY_MS = 30_000;

/**
 * Sends the queued reports, oldest first, one at a time. Runs when a report is made while online
 * and each time the connection comes back; a run asked for during another makes it go once more.
 * A report the server refuses for good is set aside with the refusal, which the caller that made
 * it (still waiting) receives.
 */
export class ReportSender {
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly refusals = new Map<number, DesktopError>();

  constructor(private readonly deps: { outbox: ReportOutbox; api: ApiClient; log: SyncLogger; retryMs?: number }) {}

  drain(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.loop().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Why the server refused report `id` for good, once (then forgotten). */
  takeRefusal(id: number): DesktopError | undefined {
    const refusal = this.refusals.get(id);
    this.refusals.delete(id);
    return refusal;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      await this.sendAll();
    } while (this.again && !this.stopped);
  }

  private async sendAll(): Promise<void> {
    for (const report of this.deps.outbox.pending()) {
      if (this.stopped) return;
      try {
        await this.deps.api.request<ReportReceipt>('POST', REPORTS_PATH, { body: report.body });
        this.deps.outbox.delete(report.id);
      } catch (error) {
        const shaped =
          error instanceof DesktopError ? error : new DesktopError('SERVER_UNREACHABLE', (error as Error).message);
        if (UNREACHABLE.has(shaped.code)) return;
        if (TRANSIENT.has(shaped.code)) {
          this.deps.outbox.recordAttempt(report.id, shaped.message);
          this.retryLater();
          return;
        }
        this.deps.log.warn('the server refused a report', { code: shaped.code });
        this.deps.outbox.markFailed(report.id, shaped.message);
        this.refusals.set(report.id, shaped);
      }
    }
  }

  private retryLater(): void {
    if (this.retryTimer || this.stopped) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.drain();
    }, this.deps.retryMs ?? RETRY_MS);
  }
}
