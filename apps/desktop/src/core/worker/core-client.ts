import { Worker } from 'node:worker_threads';
import type { CommandName, CommandOutcome, CoreEvent } from '../../common/contract.js';
import type { SecretStore } from '../session/secret-store.js';
import type { FromWorker, ToWorker, WorkerInit } from './worker-protocol.js';

// This file is what Electron main imports: it must not pull core itself into main's bundle.

/** What a shell holds: send commands, receive events, find offline files, shut down. */
export interface CoreClient {
  invoke(command: CommandName, args: unknown): Promise<CommandOutcome<unknown>>;
  onEvent(listener: (event: CoreEvent) => void): () => void;
  /** Folders behind local-media URLs (downloads, covers) for the signed-in account. */
  localMediaRoots(): Promise<Record<string, string>>;
  close(): Promise<void>;
}

export interface CoreWorkerOptions {
  dataDir: string;
  secretStore: SecretStore;
  localMediaBase: string;
  /** Where CSV exports are written; default `<dataDir>/exports`. */
  exportsDir?: string;
  sqliteNativeBinding?: string;
  backoff?: { minDelayMs: number; maxDelayMs: number };
}

/**
 * Core in a worker thread (`workerPath`: the bundled dist/core/core-worker.cjs). Resolves once
 * the cache is open and the session restored; rejects with core's reason when it cannot start.
 */
export function startCoreWorker(options: CoreWorkerOptions & { workerPath: string }): Promise<CoreClient> {
  const { secretStore, workerPath, ...rest } = options;
  const init: WorkerInit = rest;
  const worker = new Worker(workerPath, { workerData: init });
  const send = (message: ToWorker): void => worker.postMessage(message);
  const listeners = new Set<(event: CoreEvent) => void>();
  const requests = new Map<number, (outcome: CommandOutcome<unknown>) => void>();
  const rootRequests = new Map<number, (roots: Record<string, string>) => void>();
  let nextId = 1;
  let exited = false;
  let onClosed: (() => void) | null = null;

  const failAll = (message: string): void => {
    for (const resolve of requests.values()) resolve({ ok: false, error: { code: 'INTERNAL_ERROR', message } });
    requests.clear();
    for (const resolve of rootRequests.values()) resolve({});
    rootRequests.clear();
  };

  const answerSecret = async (
    id: number,
    operation: Extract<FromWorker, { kind: 'secret' }>['operation'],
  ): Promise<void> => {
    try {
      let value: string | null = null;
      if (operation.op === 'get') value = await secretStore.get(operation.key);
      else if (operation.op === 'set') await secretStore.set(operation.key, operation.value);
      else await secretStore.delete(operation.key);
      send({ kind: 'secret-result', id, ok: true, value });
    } catch (error) {
      send({ kind: 'secret-result', id, ok: false, message: error instanceof Error ? error.message : String(error) });
    }
  };

  const client: CoreClient = {
    invoke(command, args) {
      if (exited)
        return Promise.resolve({
          ok: false,
          error: { code: 'INTERNAL_ERROR', message: 'Veza’s core has stopped. Restart the app.' },
        });
      const id = nextId++;
      return new Promise((resolve) => {
        requests.set(id, resolve);
        send({ kind: 'request', id, command, args });
      });
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    localMediaRoots() {
      if (exited) return Promise.resolve({});
      const id = nextId++;
      return new Promise((resolve) => {
        rootRequests.set(id, resolve);
        send({ kind: 'media-roots', id });
      });
    },
    async close() {
      if (exited) return;
      const closed = new Promise<void>((resolve) => {
        onClosed = resolve;
      });
      send({ kind: 'close' });
      // A core that cannot close within 5 s (a stuck download) is stopped anyway.
      await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
      await worker.terminate();
    },
  };

  return new Promise((resolve, reject) => {
    worker.on('message', (message: FromWorker) => {
      switch (message.kind) {
        case 'ready':
          resolve(client);
          break;
        case 'failed':
          reject(new Error(`Veza's core could not start: ${message.message}`));
          void worker.terminate();
          break;
        case 'response':
          requests.get(message.id)?.(message.outcome);
          requests.delete(message.id);
          break;
        case 'event':
          for (const listener of listeners) listener(message.event);
          break;
        case 'secret':
          void answerSecret(message.id, message.operation);
          break;
        case 'media-roots-result':
          rootRequests.get(message.id)?.(message.roots);
          rootRequests.delete(message.id);
          break;
        case 'closed':
          onClosed?.();
          break;
        default:
          break;
      }
    });
    worker.on('error', (error) => {
      failAll(`Veza's core stopped: ${error.message}`);
      reject(error);
    });
    worker.on('exit', (code) => {
      exited = true;
      failAll('Veza’s core has stopped. Restart the app.');
      // Gone before `ready` (process.exit, a native crash): the shell must not wait for ever.
      reject(new Error(`Veza's core stopped before it was ready (exit code ${code}).`));
    });
  });
}
