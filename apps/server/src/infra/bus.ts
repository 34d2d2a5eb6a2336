import { randomUUID } from 'node:crypto';
import type { Static, TSchema } from 'typebox';
import { encodeMessage, Subscribers, type BusHandler } from './bus-delivery.js';
import { createLogger, type Logger } from './logger.js';
import type { BusStatus } from './metrics.js';
import type { Topic, TopicParams } from './topic.js';

export { MAX_PAYLOAD_BYTES, type BusHandler } from './bus-delivery.js';
export { defineTopic, type PayloadOf, type Topic, type TopicParams } from './topic.js';

/**
 * Fan-out between features (and, with NATS, between instances). Publishers call it only
 * after their transaction commits, so subscribers never see an event that was rolled back.
 *
 * Messages travel on topics (`defineTopic('room.{roomId}', RoomEventSchema)`), each declared
 * once by its feature; a subscription listens on every value of the parameters it leaves out.
 * Payloads travel as JSON on every bus, so a handler sees what another instance would see: plain
 * data, no class instances, `Date`s as strings. A payload that does not match its topic's schema
 * is logged and skipped, never handed to a subscriber. Handlers share one decoded payload and
 * must not mutate it.
 */
export interface Bus {
  /** Random per running server; lets instances tell their own events and presence apart. */
  readonly instanceId?: string;
  /**
   * Resolves once the message is queued, not delivered. Rejects when a parameter is not one
   * literal token, the payload is not JSON or exceeds MAX_PAYLOAD_BYTES, or the bus is closed.
   */
  publish<P extends string, S extends TSchema>(
    topic: Topic<P, S>,
    params: TopicParams<P>,
    payload: Static<S>,
  ): Promise<void>;
  /**
   * Returns the function that unsubscribes. `only` narrows the subscription to some parameter
   * values. A handler that throws (or rejects) is logged and keeps its subscription. Throws when
   * a parameter is not one literal token or the bus is closed.
   */
  subscribe<P extends string, S extends TSchema>(
    topic: Topic<P, S>,
    handler: BusHandler<Static<S>>,
    only?: Partial<TopicParams<P>>,
  ): () => void;
  /** Delivers what was published before the call, then stops; later publishes reject. */
  close(): Promise<void>;
  /** Which bus this is and whether it reaches other instances now (for /metrics). */
  status?(): BusStatus;
}

export class BusClosedError extends Error {
  override name = 'BusClosedError';
  constructor() {
    super('the bus is closed');
  }
}

/**
 * Single-instance bus with the NATS bus's semantics (wildcards, JSON payloads, ordering per
 * publisher). Delivery is asynchronous so a slow handler never blocks a publisher.
 */
export class InProcessBus implements Bus {
  readonly instanceId: string;
  private logger: Logger | undefined;
  // A logger of its own only when needed: tests build many buses without one.
  private readonly subscribers = new Subscribers(() => (this.logger ??= createLogger('error')));
  private closed = false;
  private closing: Promise<void> | undefined;

  constructor(options: { logger?: Logger; instanceId?: string } = {}) {
    this.logger = options.logger;
    this.instanceId = options.instanceId ?? randomUUID();
  }

  publish<P extends string, S extends TSchema>(
    topic: Topic<P, S>,
    params: TopicParams<P>,
    payload: Static<S>,
  ): Promise<void> {
    try {
      if (this.closed) throw new BusClosedError();
      this.subscribers.deliverSoon(encodeMessage(topic, params, payload));
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
    const { remove } = this.subscribers.add(topic, handler, only);
    return () => void remove();
  }

  /** Alone in its process, it has nobody else to reach: always connected. */
  status(): BusStatus {
    return { kind: 'in_process', connected: true };
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closed = true;
      // Deliveries queued before close are earlier immediates, so they all run before this one.
      await new Promise((resolve) => setImmediate(resolve));
      this.subscribers.clear();
    })();
    return this.closing;
  }
}
