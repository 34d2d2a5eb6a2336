/**
 * Entry of the core worker thread: SQLite reads and writes, the sync engine and downloads all run
 * here, so the thread that answers the window (Electron main, the browser host's server) never
 * waits on them.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { SecretStore } from '../session/secret-store.js';
import { DesktopCore } from '../desktop-core.js';
import type { FromWorker, SecretOperation, ToWorker, WorkerInit } from './worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('core-worker must run in a worker thread');
const post = (message: FromWorker): void => port.postMessage(message);

let nextSecret = 1;
const pendingSecrets = new Map<number, { resolve(value: string | null): void; reject(error: Error): void }>();

function askSecret(operation: SecretOperation): Promise<string | null> {
  const id = nextSecret++;
  return new Promise((resolve, reject) => {
    pendingSecrets.set(id, { resolve, reject });
    post({ kind: 'secret', id, operation });
  });
}

/** The shell's SecretStore, reached over the port. */
const secretStore: SecretStore = {
  get: (key) => askSecret({ op: 'get', key }),
  set: async (key, value) => {
    await askSecret({ op: 'set', key, value });
  },
  delete: async (key) => {
    await askSecret({ op: 'delete', key });
  },
};

let core: DesktopCore | null = null;

// Listening starts before core opens: opening reads the refresh token through the port.
port.on('message', (message: ToWorker) => {
  switch (message.kind) {
    case 'secret-result': {
      const pending = pendingSecrets.get(message.id);
      pendingSecrets.delete(message.id);
      if (message.ok) pending?.resolve(message.value);
      else pending?.reject(new Error(message.message));
      break;
    }
    case 'request':
      if (!core) {
        post({
          kind: 'response',
          id: message.id,
          outcome: { ok: false, error: { code: 'INTERNAL_ERROR', message: 'Veza is still starting.' } },
        });
        break;
      }
      void core
        .invoke(message.command, message.args)
        .then((outcome) => post({ kind: 'response', id: message.id, outcome }));
      break;
    case 'media-roots':
      post({ kind: 'media-roots-result', id: message.id, roots: core?.localMediaRoots() ?? {} });
      break;
    case 'close':
      void (core?.close() ?? Promise.resolve()).then(() => post({ kind: 'closed' }));
      break;
    default:
      break;
  }
});

// No top-level await: the worker is bundled as CommonJS.
DesktopCore.open({ ...(workerData as WorkerInit), secretStore }).then(
  (opened) => {
    core = opened;
    opened.onEvent((event) => post({ kind: 'event', event }));
    post({ kind: 'ready' });
  },
  (error: unknown) => {
    post({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
  },
);
