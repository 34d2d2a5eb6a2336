/**
 * Messages between a shell's thread and the core worker. Commands and events use the common
 * bridge format; the rest is how the worker starts and how it reaches the shell's secret store
 * (safeStorage only exists on Electron's main thread).
 */
import type { BridgeMessage } from '../../common/bridge-messages.js';

/** DesktopCoreOptions minus what cannot cross a thread (the secret store, a fetch function). */
export interface WorkerInit {
  dataDir: string;
  localMediaBase: string;
  exportsDir?: string;
  sqliteNativeBinding?: string;
  backoff?: { minDelayMs: number; maxDelayMs: number };
}

export type SecretOperation =
  { op: 'get'; key: string } | { op: 'set'; key: string; value: string } | { op: 'delete'; key: string };

export type ToWorker =
  | BridgeMessage
  | { kind: 'secret-result'; id: number; ok: true; value: string | null }
  | { kind: 'secret-result'; id: number; ok: false; message: string }
  | { kind: 'media-roots'; id: number }
  | { kind: 'close' };

export type FromWorker =
  | BridgeMessage
  | { kind: 'ready' }
  | { kind: 'failed'; message: string }
  | { kind: 'secret'; id: number; operation: SecretOperation }
  | { kind: 'media-roots-result'; id: number; roots: Record<string, string> }
  | { kind: 'closed' };
