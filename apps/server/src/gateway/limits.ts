import { PROTOCOL_LIMITS } from '@veza/shared';

export interface GatewayLimits {
  helloTimeoutMs: number;
  /** Bytes queued on a socket beyond which the client is too slow and is disconnected. */
  maxBufferedBytes: number;
  /** Chat: how long to wait for a missing event to arrive before reading it from the log. */
  gapWaitMs: number;
  heartbeatMs: number;
  /** Chat: at most one typing notice per room and connection in this interval. */
  typingIntervalMs: number;
  /** Sockets one account may have open on this instance; one more is refused. */
  maxSocketsPerUser: number;
  /** Sockets one address may have open on this instance before they say hello. */
  maxPendingSocketsPerAddress: number;
  /** How long a peer has to answer a close frame the server sent before its connection is cut. */
  closeTimeoutMs: number;
}

export const DEFAULT_GATEWAY_LIMITS: GatewayLimits = {
  helloTimeoutMs: PROTOCOL_LIMITS.helloTimeoutMs,
  maxBufferedBytes: 4 * 1024 * 1024,
  gapWaitMs: 100,
  heartbeatMs: 30_000,
  typingIntervalMs: 2_000,
  maxSocketsPerUser: 20,
  maxPendingSocketsPerAddress: 32,
  closeTimeoutMs: 2_000,
};

/** Frames received and not yet handled; a client past this is flooding, not talking. */
export const MAX_QUEUED_FRAMES = 256;
