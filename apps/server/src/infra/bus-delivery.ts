import type { Static, TSchema } from 'typebox';
import type { Logger } from './logger.js';
import type { Topic, TopicParams } from './topic.js';

/** NATS's default `max_payload`; enforced on every bus so what works on one instance works on several. */
export const MAX_PAYLOAD_BYTES = 1024 * 1024;

export type BusHandler<Payload> = (payload: Payload) => void | Promise<void>;

/** One message ready to leave: its literal subject and its payload as JSON text. */
export interface Outgoing {
  subject: string;
  text: string;
}

/**
 * Checks and encodes a publish. Encoded now, so a publisher mutating its object afterwards
 * changes nothing delivered. `undefined` (which JSON cannot carry) travels as an empty payload.
 */
export function encodeMessage<Pattern extends string, Schema extends TSchema>(
  topic: Topic<Pattern, Schema>,
  params: TopicParams<Pattern>,
  payload: Static<Schema>,
): Outgoing {
  const subject = topic.subject(params);
  const text = (JSON.stringify(payload) as string | undefined) ?? '';
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_PAYLOAD_BYTES) throw new RangeError(`bus payload of ${bytes} bytes exceeds ${MAX_PAYLOAD_BYTES}`);
  return { subject, text };
}

interface Entry {
  readonly topic: Topic;
  readonly handler: BusHandler<never>;
  active: boolean;
}

export interface Pattern {
  readonly subject: string;
  /** Split subject for wildcard patterns; undefined for literal ones, which are found by key. */
  readonly tokens: string[] | undefined;
  readonly entries: Set<Entry>;
}

/** `pattern` and `subject` split on dots; `subject` is literal. */
function subjectMatches(pattern: readonly string[], subject: readonly string[]): boolean {
  return pattern.length === subject.length && pattern.every((token, i) => token === '*' || token === subject[i]);
}

/**
 * This process's subscriptions, matched the NATS way, and the one path every message takes to
 * them, whichever bus carried it: decoded once, checked against each subscriber's topic,
 * delivered so that neither a throw nor a rejection escapes into the bus.
 *
 * Payloads are validated on receipt, on every bus: a publisher is type-checked, but another
 * instance may run another version (a rolling upgrade) or the NATS subjects may be written by
 * something else. A message that does not match its topic is logged and skipped; the check costs
 * one compiled validator call per message and subscriber (no handler has more than a few).
 */
export class Subscribers {
  private readonly patterns = new Map<string, Pattern>();
  private readonly wildcards = new Set<Pattern>();

  /** `logger` is called only when something must be logged (tests build many buses without one). */
  constructor(
    private readonly logger: () => Logger,
    private readonly undecodableMessage = 'bus message is not JSON; skipped',
  ) {}

  /** `remove` returns true when it took the pattern's last handler (the pattern is then gone). */
  add<P extends string, S extends TSchema>(
    topic: Topic<P, S>,
    handler: BusHandler<Static<S>>,
    only?: Partial<TopicParams<P>>,
  ): { pattern: Pattern; remove: () => boolean } {
    const subject = topic.filter(only);
    let pattern = this.patterns.get(subject);
    if (!pattern) {
      const tokens = subject.split('.');
      const wild = tokens.includes('*');
      pattern = { subject, tokens: wild ? tokens : undefined, entries: new Set() };
      this.patterns.set(subject, pattern);
      if (wild) this.wildcards.add(pattern);
    }
    const entry: Entry = { topic: topic as Topic, handler: handler as BusHandler<never>, active: true };
    const owner = pattern;
    owner.entries.add(entry);
    const remove = (): boolean => {
      if (!entry.active) return false;
      entry.active = false;
      owner.entries.delete(entry);
      if (owner.entries.size > 0 || this.patterns.get(subject) !== owner) return false;
      this.patterns.delete(subject);
      this.wildcards.delete(owner);
      return true;
    };
    return { pattern: owner, remove };
  }

  /**
   * Delivers one of this process's own publishes to every matching pattern. A macrotask, not a
   * microtask: the publisher finishes its own work first (the chat ack goes out before the
   * fan-out to every socket of the room), and order is kept (FIFO).
   */
  deliverSoon({ subject, text }: Outgoing): void {
    setImmediate(() => {
      const entries = [...(this.patterns.get(subject)?.entries ?? [])];
      if (this.wildcards.size > 0) {
        const tokens = subject.split('.');
        for (const pattern of this.wildcards)
          if (subjectMatches(pattern.tokens ?? [], tokens)) entries.push(...pattern.entries);
      }
      if (entries.length > 0) this.dispatch(entries, subject, text);
    });
  }

  /** Delivers a message that reached one pattern (NATS delivers once per matching subscription). */
  deliver(pattern: Pattern, subject: string, text: string): void {
    // A copy: delivery may change the set.
    this.dispatch([...pattern.entries], subject, text);
  }

  clear(): void {
    for (const pattern of this.patterns.values()) for (const entry of pattern.entries) entry.active = false;
    this.patterns.clear();
    this.wildcards.clear();
  }

  private dispatch(entries: readonly Entry[], subject: string, text: string): void {
    let payload: unknown;
    try {
      payload = text === '' ? undefined : JSON.parse(text);
    } catch (err) {
      this.logger().warn({ subject, err }, this.undecodableMessage);
      return;
    }
    // Each still-subscribed handler: one may unsubscribe another mid-delivery.
    for (const entry of entries) {
      if (!entry.active) continue;
      if (!entry.topic.accepts(payload)) {
        this.logger().warn({ subject, topic: entry.topic.pattern }, 'bus payload does not match its topic; skipped');
        continue;
      }
      try {
        const result = (entry.handler as BusHandler<unknown>)(payload);
        if (result instanceof Promise) result.catch((err: unknown) => this.reportFailure(err, subject));
      } catch (err) {
        this.reportFailure(err, subject);
      }
    }
  }

  private reportFailure(err: unknown, subject: string): void {
    this.logger().error({ err, subject }, 'bus handler failed');
  }
}
