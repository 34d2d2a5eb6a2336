import { randomUUID } from 'node:crypto';
import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import type { Static, TSchema } from 'typebox';
import { BusClosedError, type Bus } from './bus.js';
import { encodeMessage, Subscribers, type BusHandler, type Pattern } from './bus-delivery.js';
import type { Logger } from './logger.js';
import type { BusStatus } from './metrics.js';
import { LITERAL_TOKEN, type Topic, type TopicParams } from './topic.js';

export interface NatsBusOptions {
  /** Put before every subject; deployments (and tests) sharing one NATS server stay apart. */
  prefix?: string;
  /** The connection name the NATS server's monitoring shows. */
  name?: string;
  /** Handshake time allowed for the first connection. */
  connectTimeoutMs?: number;
  /** Bytes of publishes kept for other instances while disconnected; past this they are dropped. */
  maxBufferedBytes?: number;
  /** How long close() waits for in-flight messages; a drain never ends while disconnected. */
  drainTimeoutMs?: number;
}

export const DEFAULT_MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/**
 * Bus over NATS core (no JetStream): at most once, ordered per publisher.
 *
 * This instance's own publishes are delivered to its handlers in-process (the connection has
 * `noEcho`), so they are as fast as on the InProcessBus and keep flowing while NATS is down; NATS
 * carries them to the other instances. Each subject pattern has one NATS subscription, shared by
 * its local handlers, so a room with many listeners here costs one message on the wire.
 */
export class NatsBus implements Bus {
  private readonly subscribers: Subscribers;
  private readonly natsSubscriptions = new Map<Pattern, Subscription>();
  private connected = true;
  /** Closed by NATS for good: nothing will be sent again. */
  private lost = false;
  /**
   * Publishes made while disconnected. nats.js resets its outbound buffer on every dial attempt,
   * so it would lose them; they are sent after its reconnect, in order, up to maxBufferedBytes.
   */
  private buffered: { subject: string; data: Uint8Array }[] = [];
  private bufferedBytes = 0;
  private dropped = 0;
  private closed = false;
  private closing: Promise<void> | undefined;
  private readonly statusWatch: Promise<void>;
  private readonly maxBufferedBytes: number;
  private readonly drainTimeoutMs: number;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly logger: Logger,
    private readonly prefix: string,
    readonly instanceId: string,
    options: NatsBusOptions,
  ) {
    this.maxBufferedBytes = options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
    this.drainTimeoutMs = options.drainTimeoutMs ?? 5_000;
    this.subscribers = new Subscribers(() => logger, 'NATS message is not JSON; skipped');
    this.statusWatch = this.watchStatus();
    void nc.closed().then((err) => {
      if (this.closed) return;
      // Only an error ends a connection that reconnects forever (an authorization refused twice):
      // this instance keeps its local fan-out, and publishes for the others are dropped.
      this.connected = false;
      this.lost = true;
      logger.error({ err }, 'NATS connection closed for good; events no longer reach other instances');
    });
  }

  /** Fails (without retrying) when the first connection cannot be made; reconnects forever after. */
  static async connect(url: string, logger: Logger, options: NatsBusOptions = {}): Promise<NatsBus> {
    const prefix = options.prefix ?? 'veza';
    if (!prefix.split('.').every((token) => LITERAL_TOKEN.test(token)))
      throw new TypeError(`invalid NATS subject prefix "${prefix}"`);
    if (/^wss?:/i.test(url)) throw new Error(`NATS over WebSocket is not supported by the server (${redactUrl(url)})`);
    const instanceId = randomUUID();
    let nc: NatsConnection;
    try {
      nc = await connect({
        servers: url,
        name: options.name ?? `veza-server ${instanceId}`,
        noEcho: true,
        maxReconnectAttempts: -1,
        timeout: options.connectTimeoutMs ?? 10_000,
      });
    } catch (error) {
      throw new Error(`cannot connect to NATS at ${redactUrl(url)} (${(error as Error).message})`, { cause: error });
    }
    logger.info({ server: nc.getServer(), prefix, instanceId }, 'NATS connected');
    return new NatsBus(nc, logger, prefix, instanceId, options);
  }

  publish<P extends string, S extends TSchema>(
    topic: Topic<P, S>,
    params: TopicParams<P>,
    payload: Static<S>,
  ): Promise<void> {
    try {
      if (this.closed) throw new BusClosedError();
      const message = encodeMessage(topic, params, payload);
      const { subject } = message;
      const data = Buffer.from(message.text);
      if (this.connected) {
        // Only queued on the connection, written on the next tick: no round trip per message.
        this.nc.publish(`${this.prefix}.${subject}`, data);
      } else if (!this.lost && this.bufferedBytes + data.byteLength <= this.maxBufferedBytes) {
        this.buffered.push({ subject, data });
        this.bufferedBytes += data.byteLength;
      } else if (this.dropped++ === 0) {
        this.logger.warn(
          { maxBufferedBytes: this.maxBufferedBytes },
          'NATS still disconnected and its buffer is full: publishes no longer reach other instances',
        );
      }
      // As in InProcessBus: after the publisher's own continuation, in publish order.
      this.subscribers.deliverSoon(message);
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  subscribe<P extends string, S extends TSchema>(
    topic: Topic<P, S>,
    handler: BusHandler<Static<S>>,
    only?: Partial<TopicParams<P>>,
  ): () => void {
    if (this.closed) throw new BusClosedError();
    const { pattern, remove } = this.subscribers.add(topic, handler, only);
    if (!this.natsSubscriptions.has(pattern)) {
      const subscription = this.nc.subscribe(`${this.prefix}.${pattern.subject}`, {
        callback: (err, msg) => {
          if (err) {
            this.logger.error({ err, subject: pattern.subject }, 'NATS subscription failed');
            return;
          }
          this.subscribers.deliver(pattern, msg.subject.slice(this.prefix.length + 1), msg.string());
        },
      });
      this.natsSubscriptions.set(pattern, subscription);
    }
    return () => {
      if (!remove()) return;
      this.natsSubscriptions.get(pattern)?.unsubscribe();
      this.natsSubscriptions.delete(pattern);
    };
  }

  /** Disconnected while nats.js redials, and for good once NATS closed the connection. */
  status(): BusStatus {
    return { kind: 'nats', connected: this.connected && !this.closed };
  }

  /** Resolves once the server has processed everything sent so far, subscriptions included. */
  flush(): Promise<void> {
    return this.nc.flush();
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    // Local deliveries queued before close are earlier immediates: they run before this one.
    await new Promise((resolve) => setImmediate(resolve));
    // Drain: messages already received reach their handlers, pending publishes reach the server.
    const drained = this.nc.drain().then(
      () => true,
      (err: unknown) => {
        if (!this.nc.isClosed()) this.logger.warn({ err }, 'NATS drain failed');
        return true;
      },
    );
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), this.drainTimeoutMs)));
    const finished = await Promise.race([drained, timedOut]);
    clearTimeout(timer);
    if (!finished) {
      this.logger.warn(
        { drainTimeoutMs: this.drainTimeoutMs, unsentPublishes: this.buffered.length + this.dropped },
        'NATS drain timed out (disconnected?); closing without sending what is left',
      );
      await this.nc.close();
    }
    await this.statusWatch;
    this.subscribers.clear();
    this.natsSubscriptions.clear();
    this.buffered = [];
  }

  private onReconnect(server: string): void {
    this.logger.info(
      { server, bufferedPublishes: this.buffered.length, droppedPublishes: this.dropped },
      'NATS reconnected',
    );
    // Subscriptions are already restored (nats.js resends them before reporting the reconnect).
    for (const { subject, data } of this.buffered) this.nc.publish(`${this.prefix}.${subject}`, data);
    this.buffered = [];
    this.bufferedBytes = 0;
    this.dropped = 0;
    this.connected = true;
  }

  private async watchStatus(): Promise<void> {
    try {
      for await (const status of this.nc.status()) {
        switch (status.type) {
          case 'disconnect':
            this.connected = false;
            this.logger.warn(
              { server: status.server },
              'NATS connection lost; reconnecting, publishes for other instances are buffered meanwhile',
            );
            break;
          case 'reconnect':
            this.onReconnect(status.server);
            break;
          case 'reconnecting':
            this.logger.debug('NATS reconnecting');
            break;
          case 'error':
            this.logger.error({ err: status.error }, 'NATS error');
            break;
          case 'staleConnection':
            this.logger.warn('NATS connection stale (pings unanswered); reconnecting');
            break;
          case 'ldm':
            this.logger.warn({ server: status.server }, 'NATS server is shutting down (lame duck mode)');
            break;
          default:
            break;
        }
      }
    } catch (err) {
      this.logger.error({ err }, 'NATS status watch failed');
    }
  }
}

/** The URL without credentials (user, password or token), for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username === '' && parsed.password === '') return url;
    parsed.username = '***';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return url;
  }
}
