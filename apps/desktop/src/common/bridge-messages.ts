/**
 * The wire format every bridge uses (Electron IPC payloads, the core worker's port, the browser
 * host's WebSocket): a request with an id, its outcome with the same id, and pushed events.
 */
import type { CommandName, CommandOutcome, CoreEvent } from './contract.js';

export interface BridgeRequest {
  kind: 'request';
  id: number;
  command: CommandName;
  args: unknown;
}

export interface BridgeResponse {
  kind: 'response';
  id: number;
  outcome: CommandOutcome<unknown>;
}

export interface BridgeEventMessage {
  kind: 'event';
  event: CoreEvent;
}

export type BridgeMessage = BridgeRequest | BridgeResponse | BridgeEventMessage;
