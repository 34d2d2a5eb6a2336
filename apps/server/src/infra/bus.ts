import { randomUUID } from 'node:crypto';
import { createLogger, type Logger } from './logger.js';
import type { BusStatus } from './metrics.js';

/**
 * Fan-out between features (and, with NATS, between instances). Publishers call it only
 * after their transaction commits, so subscribers never see an event that was rolled back.
 *
 * Subjects are dot-separated tokens (`room.<id>`). A subscription may use NATS wildcards: `*`
 * stands for exactly one token, `>` (last token only) for one or more. Payloads travel as JSON on
 * every bus, so a handler sees what another instance would see: plain data, no class instances,
 * `Date`s as strings. Handlers share one decoded payload and must not mutate it.
 */
export interface Bus {
  /** Random per running server; lets instances tell their own events and presence apart. */
  readonly instanceId?: string;
  /**
   * Resolves once the message is queued, not delivered. Rejects when the subject is not literal,
   * the payload is not JSON or exceeds MAX_PAYLOAD_BYTES, or the bus is closed.
   */
  publish(subject: string, payload: unknown): Promise<void>;
  /**
   * Returns the function that unsubscribes. A handler that throws (or rejects) is logged and
   * keeps its subscription. Throws when the subject is malformed or the bus is closed.
   */
  subscribe(subject: string, handler: (payload: unknown) => void | Promise<void>): () => void;
  /** Delivers what was published before the call, then stops; later publishes reject. */
  close(): Promise<void>;
  /** Which bus this is and whether it reaches other instances now (for /metrics). */
  status?(): BusStatus;
}

export type BusHandler = (payload: unknown) => void | Promise<void>;

export class BusClosedError extends Error {
  override name = 'BusClosedError';
  constructor() {
    super('the bus is closed');
  }
}

// `*` and `>` count as wildcards only as whole tokens in NATS; refusing them inside tokens keeps
// a subject meaning the same thing on both buses.
const LITERAL_TOKEN = /^[^\s.*>]+$/;

/** Throws unless `subject` is valid: literal tokens, plus wildcards when subscribing. */
export function assertSubject(subject: string, kind: 'publish' | 'subscribe'): void {
  const tokens = subject.split('.');
  const valid = tokens.every(
    (token, i) =>
      LITERAL_TOKEN.test(token) ||
      (kind === 'subscribe' && (token === '*' || (token === '>' && i === tokens.length - 1))),
  );
  if (!valid) throw new TypeError(`invalid bus subject for ${kind}: "${subject}"`);
}

/** `pattern` and `subject` split on dots; `subject` is literal. */
export function subjectMatches(pattern: readonly string[], subject: readonly string[]): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const token = pattern[i];
    if (token === '>') return subject.length > i;
    if (i >= subject.length || (token !== '*' && token !== subject[i])) return false;
  }
  return pattern.length === subject.length;
}

/** NATS's default `max_payload`; enforced on every bus so what works on one instance works on several. */
export const MAX_PAYLOAD_BYTES = 1024 * 1024;

export function assertPayloadSize(bytes: number): void {
  if (bytes > MAX_PAYLOAD_BYTES) throw new RangeError(`bus payload of ${bytes} bytes exceeds ${MAX_PAYLOAD_BYTES}`);
}

/** `undefined` (which JSON cannot carry) travels as an empty payload. */
export function encodePayload(payload: unknown): string {
  return (JSON.stringify(payload) as string | undefined) ?? '';
}

export function decodePayload(text: string): unknown {
  return text === '' ? undefined : JSON.parse(text);
}

export type HandlerErrorReporter = (err: unknown, subject: string) => void;

export interface Handler {
  readonly handler: BusHandler;
  active: boolean;
}

export interface Pattern {
  readonly subject: string;
  /** Split subject for wildcard patterns; undefined for literal ones, which are found by key. */
  readonly tokens: string[] | undefined;
  readonly handlers: Set<Handler>;
}

/** Handlers by subject pattern, matched the NATS way: the part both buses share. */
export class SubscriptionTable {
  private readonly patterns = new Map<string, Pattern>();
  private readonly wildcards = new Set<Pattern>();

  /** `remove` returns true when it took the pattern's last handler (the pattern is then gone). */
  add(subject: string, handler: BusHandler): { pattern: Pattern; remove: () => boolean } {
    let pattern = this.patterns.get(subject);
    if (!pattern) {
      const tokens = subject.split('.');
      const wild = tokens.some((token) => token === '*' || token === '>');
      pattern = { subject, tokens: wild ? tokens : undefined, handlers: new Set() };
      this.patterns.set(subject, pattern);
      if (wild) this.wildcards.add(pattern);
    }
    const entry: Handler = { handler, active: true };
    const owner = pattern;
    owner.handlers.add(entry);
    const remove = (): boolean => {
      if (!entry.active) return false;
      entry.active = false;
      owner.handlers.delete(entry);
      if (owner.handlers.size > 0 || this.patterns.get(subject) !== owner) return false;
      this.patterns.delete(subject);
      this.wildcards.delete(owner);
      return true;
    };
    return { pattern: owner, remove };
  }

  /** The handlers of every pattern matching a literal subject, copied: delivery may change the table. */
  matching(subject: string): Handler[] {
    const handlers = [...(this.patterns.get(subject)?.handlers ?? [])];
    if (this.wildcards.size > 0) {
      const tokens = subject.split('.');
      for (const pattern of this.wildcards)
        if (subjectMatches(pattern.tokens ?? [], tokens)) handlers.push(...pattern.handlers);
    }
    return handlers;
  }

  clear(): void {
    for (const pattern of this.patterns.values()) for (const entry of pattern.handlers) entry.active = false;
    this.patterns.clear();
    this.wildcards.clear();
  }
}

/**
 * Calls each still-subscribed handler (one may unsubscribe another mid-delivery) so that
 * neither a throw nor a rejection escapes into the bus.
 */
export function dispatch(
  handlers: readonly Handler[],
  payload: unknown,
  subject: string,
  report: HandlerErrorReporter,
): void {
  for (const entry of handlers) {
    if (!entry.active) continue;
    try {
      const result = entry.handler(payload);
      if (result instanceof Promise) result.catch((err: unknown) => report(err, subject));
    } catch (err) {
      report(err, subject);
    }
  }
}

/** Delivers an encoded payload to this process's matching handlers, decoding it once. */
export function deliverLocally(
  table: SubscriptionTable,
  subject: string,
  text: string,
  report: HandlerErrorReporter,
): void {
  const handlers = table.matching(subject);
  if (handlers.length > 0) dispatch(handlers, decodePayload(text), subject, report);
}

/**
 * Single-instance bus with the NATS bus's semantics (wildcards, JSON payloads, ordering per
 * publisher). Delivery is asynchronous so a slow handler never blocks a publisher.
 */
export class InProcessBus implements Bus {
  readonly instanceId: string;
  private logger: Logger | undefined;
  private readonly table = new SubscriptionTable();
  private closed = false;
  private closing: Promise<void> | undefined;
  private readonly reportHandlerError: HandlerErrorReporter = (err, subject) => {
    // A logger of its own only when needed: tests build many buses without one.
    this.logger ??= createLogger('error');
    this.logger.error({ err, subject }, 'bus handler failed');
  };

  constructor(options: { logger?: Logger; instanceId?: string } = {}) {
    this.logger = options.logger;
    this.instanceId = options.instanceId ?? randomUUID();
  }

  publish(subject: string, payload: unknown): Promise<void> {
    try {
      if (this.closed) throw new BusClosedError();
      assertSubject(subject, 'publish');
      // Encoded now, so a publisher mutating its object afterwards changes nothing delivered.
      const text = encodePayload(payload);
      assertPayloadSize(Buffer.byteLength(text));
      // A macrotask, not a microtask: the publisher finishes its own work first (the chat ack
      // goes out before the fan-out to every socket of the room), and order is kept (FIFO).
      setImmediate(() => deliverLocally(this.table, subject, text, this.reportHandlerError));
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  subscribe(subject: string, handler: BusHandler): () => void {
    if (this.closed) throw new BusClosedError();
    assertSubject(subject, 'subscribe');
    const { remove } = this.table.add(subject, handler);
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
      this.table.clear();
    })();
    return this.closing;
  }
}
