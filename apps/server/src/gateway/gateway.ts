import type { Bus } from '../infra/bus.js';
import type { Clock } from '../infra/clock.js';
import type { Logger } from '../infra/logger.js';
import { ConnectedClients } from './clients.js';
import { FrameParser } from './frames.js';
import { UserNotices } from './notices.js';
import { Presence } from './presence.js';
import { FrameRegistry, type GatewayServices, type RealtimeFeature } from './registry.js';

/**
 * The instance's realtime gateway: its connections by user, presence and per-user notices, and
 * the frame families of the features that speak over the socket. The Fastify plugin
 * (plugin.ts) admits sockets into it.
 */
export class Gateway implements GatewayServices {
  readonly clients: ConnectedClients;
  readonly presence: Presence;
  readonly notices: UserNotices;
  readonly registry: FrameRegistry;
  readonly parser: FrameParser;

  constructor(
    private readonly deps: {
      bus: Bus;
      clock: Clock;
      logger: Logger;
      /** How often this instance re-announces its online users. */
      presenceIntervalMs: number;
      features: readonly RealtimeFeature[];
    },
  ) {
    this.registry = new FrameRegistry(deps.features);
    this.parser = new FrameParser(this.registry.clientSchemas());
    this.presence = new Presence({
      bus: deps.bus,
      clock: deps.clock,
      logger: deps.logger,
      intervalMs: deps.presenceIntervalMs,
      audiences: deps.features.flatMap((feature) => (feature.presenceAudience ? [feature.presenceAudience] : [])),
    });
    this.clients = new ConnectedClients((userId) => this.presence.leave(userId));
    this.notices = new UserNotices(deps.bus, this.clients);
  }

  start(): void {
    for (const feature of this.deps.features) feature.start?.(this);
    this.clients.watchRevocations(this.deps.bus);
    this.notices.start();
    this.presence.start();
  }

  close(): void {
    this.presence.close();
    this.notices.close();
    this.clients.close();
    for (const feature of this.deps.features) feature.close?.();
  }
}
