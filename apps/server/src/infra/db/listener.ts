import pg from 'pg';
import type { Logger } from '../logger.js';

export interface DbListenerOptions {
  /** How to connect: the pool's own settings. */
  config: pg.ClientConfig;
  channel: string;
  logger: Logger;
  /** Each notification's payload, in commit order. */
  onNotice(payload: string): void;
  /**
   * The connection came back after it was lost: notifications sent meanwhile are gone for good,
   * so whoever listens reads again what it follows.
   */
  onResync(): void;
  retryMinMs?: number;
  retryMaxMs?: number;
}

/**
 * A connection of its own that LISTENs on one channel for as long as the server runs (a pooled
 * connection cannot: LISTEN belongs to the session). It reconnects with backoff when it is
 * lost, and says so with `onResync`.
 */
export class DbListener {
  private client: pg.Client | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private attempts = 0;
  private stopped = false;

  constructor(private readonly options: DbListenerOptions) {}

  start(): void {
    void this.connect(false);
  }

  async close(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(afterLoss: boolean): Promise<void> {
    const { config, channel, logger } = this.options;
    const client = new pg.Client({ ...config, application_name: 'veza-listener' });
    this.client = client;
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, undefined));
    client.on('notification', (notice) => {
      if (notice.channel === channel && notice.payload !== undefined) this.options.onNotice(notice.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
    } catch (error) {
      this.lost(client, error);
      return;
    }
    if (this.client !== client) return;
    this.attempts = 0;
    if (afterLoss) {
      logger.info({ channel }, 'database notifications restored');
      this.options.onResync();
    }
  }

  private lost(client: pg.Client, error: unknown): void {
    if (this.client !== client || this.stopped) return;
    this.client = undefined;
    // Whatever the client still reports as it goes down is this same loss.
    client.removeAllListeners('end');
    client.on('error', () => undefined);
    void client.end().catch(() => undefined);
    const { retryMinMs = 100, retryMaxMs = 5_000 } = this.options;
    const delay = Math.min(retryMaxMs, retryMinMs * 2 ** Math.min(this.attempts, 16));
    this.attempts += 1;
    this.options.logger.warn(
      { channel: this.options.channel, message: (error as Error | undefined)?.message, retryInMs: delay },
      'database notifications lost; reconnecting',
    );
    this.retryTimer = setTimeout(() => void this.connect(true), delay);
  }
}
