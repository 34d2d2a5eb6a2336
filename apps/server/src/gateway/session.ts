import type { ClientFrame, ErrorCode, Permission, ServerFrame } from '@veza/shared';
import type { SentFrameType } from '../infra/metrics.js';
import type { Principal } from '../features/auth/index.js';

/** Client frames a feature answers: every type but the gateway's own. */
export type FeatureFrameType = Exclude<ClientFrame['type'], 'hello' | 'auth'>;
export type HelloFrame = Extract<ClientFrame, { type: 'hello' }>;
/** What features add to `welcome`, between the gateway's fields. */
export type WelcomeParts = Omit<
  Extract<ServerFrame, { type: 'welcome' }>,
  'type' | 'protocol' | 'userId' | 'expiresAt' | 'heartbeatMs'
>;

/**
 * One client's socket as a feature sees it, from its hello on: who it is, what it may do, and
 * how to answer it. The gateway owns the socket; a feature never touches it.
 */
export interface GatewaySession {
  readonly userId: string;
  /** The credential's principal now; an `auth` frame or a role change replaces it. */
  readonly principal: Principal;
  /** True from the moment the connection was told to close. */
  readonly closed: boolean;
  /** Throws FORBIDDEN unless the credential holds `permission` now. */
  require(permission: Permission): void;
  /** Draws one frame from the user's budget; throws RATE_LIMITED or MUTED when it is spent. */
  throttle(): void;
  send(frame: ServerFrame): void;
  /** Sends one frame, already encoded (fan-out encodes once for every socket). */
  sendData(data: Buffer, type: SentFrameType): void;
  /** Answers a frame that carried a `ref`. */
  done(ref: string | undefined, seq: number | null): void;
  /** An `error` frame that leaves the connection open. */
  refuse(code: ErrorCode, message: string, ref?: string): void;
  close(code: number, reason: string): void;
  /** Resolves once the socket's send buffer has room again (or it closed), for paged replays. */
  waitForDrain(): Promise<void>;
}
