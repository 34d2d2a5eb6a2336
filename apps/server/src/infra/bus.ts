import { EventEmitter } from 'node:events';

/**
 * Fan-out between features (and, with NATS, between instances). Publishers call it only
 * after their transaction commits, so subscribers never see an event that was rolled back.
 */
export interface Bus {
  publish(subject: string, payload: unknown): Promise<void>;
  /** Returns the function that unsubscribes. */
  subscribe(subject: string, handler: (payload: unknown) => void): () => void;
  close(): Promise<void>;
}

/** Single-instance bus. Delivery is asynchronous so a slow handler never blocks a publisher. */
export class InProcessBus implements Bus {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  publish(subject: string, payload: unknown): Promise<void> {
    queueMicrotask(() => this.emitter.emit(subject, payload));
    return Promise.resolve();
  }

  subscribe(subject: string, handler: (payload: unknown) => void): () => void {
    this.emitter.on(subject, handler);
    return () => this.emitter.off(subject, handler);
  }

  close(): Promise<void> {
    this.emitter.removeAllListeners();
    return Promise.resolve();
  }
}
