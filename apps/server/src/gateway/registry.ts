import { AuthFrameSchema, HelloFrameSchema, type ClientFrameOf, type Permission, type ServerFrame } from '@veza/shared';
import type { TSchema } from 'typebox';
import type { ConnectedClients } from './clients.js';
import type { Presence, PresenceAudience } from './presence.js';
import type { FeatureFrameType, GatewaySession, HelloFrame, WelcomeParts } from './session.js';
import type { UserNotices } from './notices.js';

/** One client frame a feature answers: the schema it is validated against before it is handled. */
export interface ClientFrameSpec<K extends FeatureFrameType> {
  schema: TSchema;
  /** What, besides its `ref`, an error answering this frame carries (a send's clientId). */
  refusal?(frame: ClientFrameOf<K>): { clientId?: string };
}

/** A feature's side of one connection, from its hello until it closes. */
export interface FeatureSession<T extends FeatureFrameType> {
  /** The connection is admitted: the feature's part of `welcome`. */
  hello?(frame: HelloFrame): Promise<Partial<WelcomeParts>>;
  /** After `welcome` went out, in the order features were registered (replays, for chat). */
  afterWelcome?(): Promise<void>;
  /** One of the feature's client frames, validated; frames of one connection are handled one at a time. */
  handle(frame: ClientFrameOf<T>): Promise<void> | void;
  dispose(): void;
}

/** The gateway's shared pieces a feature may use once it started. */
export interface GatewayServices {
  clients: ConnectedClients;
  presence: Presence;
  notices: UserNotices;
}

/**
 * A feature that speaks over the socket: its frame family (client frames with their schemas,
 * server frames by type) and what it does with a connection. `T` is its client frame types.
 */
export interface RealtimeFeature<T extends FeatureFrameType = never> {
  readonly name: string;
  readonly clientFrames: { readonly [K in T]: ClientFrameSpec<K> };
  readonly serverFrames: readonly ServerFrame['type'][];
  /** A permission a credential needs to hold a socket at all, and the words for refusing it. */
  readonly admission?: { permission: Permission; refused: string; lost: string };
  /** Where presence of this feature's users travels (chat: to room-mates). */
  readonly presenceAudience?: PresenceAudience;
  start?(gateway: GatewayServices): void;
  close?(): void;
  attach?(session: GatewaySession): FeatureSession<T>;
}

/** The gateway's own frames, which no feature may claim. */
const GATEWAY_CLIENT_FRAMES = { hello: HelloFrameSchema, auth: AuthFrameSchema } as const;
const GATEWAY_SERVER_FRAMES: readonly ServerFrame['type'][] = ['welcome', 'done', 'error', 'presence'];

/**
 * Which family each frame type belongs to. Built once per app from the features it runs; a
 * type claimed twice is a programming error and fails at start-up, not on the wire.
 */
export class FrameRegistry {
  readonly features: readonly RealtimeFeature[];
  private readonly owners = new Map<string, RealtimeFeature>();
  private readonly schemas = new Map<string, TSchema>(Object.entries(GATEWAY_CLIENT_FRAMES));

  constructor(features: readonly RealtimeFeature[]) {
    this.features = features;
    const serverOwners = new Map(GATEWAY_SERVER_FRAMES.map((type) => [type, 'gateway']));
    for (const feature of features) {
      for (const [type, spec] of Object.entries<ClientFrameSpec<never>>(feature.clientFrames)) {
        if (this.schemas.has(type)) throw new Error(`Client frame "${type}" is claimed twice (by ${feature.name}).`);
        this.schemas.set(type, spec.schema);
        this.owners.set(type, feature);
      }
      for (const type of feature.serverFrames) {
        const owner = serverOwners.get(type);
        if (owner) throw new Error(`Server frame "${type}" is claimed by ${owner} and ${feature.name}.`);
        serverOwners.set(type, feature.name);
      }
    }
  }

  /** Schemas by client frame type, the gateway's included. */
  clientSchemas(): ReadonlyMap<string, TSchema> {
    return this.schemas;
  }

  /** The feature that answers this client frame type; undefined for hello, auth and unknown types. */
  ownerOf(type: string): RealtimeFeature | undefined {
    return this.owners.get(type);
  }

  specOf(type: string): ClientFrameSpec<never> | undefined {
    return this.owners.get(type)?.clientFrames[type as never];
  }
}
