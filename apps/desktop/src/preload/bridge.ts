import type { IpcRenderer, IpcRendererEvent } from 'electron';
import { COMMAND_NAME_LIST, IPC_COMMAND_CHANNEL, IPC_EVENT_CHANNEL } from '../common/command-names.js';
import type { CommandName, CommandOutcome, CoreEvent, DesktopErrorShape, VezaBridge } from '../common/contract.js';

/** What a failed command rejects with. */
export interface BridgeRejection extends DesktopErrorShape {
  name: 'DesktopError';
}

/**
 * A failed command rejects with a plain `{ name, code, message }` object rather than an Error:
 * contextBridge copies an Error into the page by its message only and drops every other property,
 * so an Error would reach the renderer without its code. A plain object crosses intact, and the
 * renderer reads `code` and `message` from whatever a call rejects with.
 */
export function toRejection(error: DesktopErrorShape): BridgeRejection {
  return { name: 'DesktopError', code: error.code, message: error.message };
}

function isOutcome(value: unknown): value is CommandOutcome<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { ok?: unknown }).ok === 'boolean';
}

/** `window.veza` over an IpcRenderer: built from the command list, so it is exactly the contract. */
export function buildBridge(ipc: Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>): VezaBridge {
  const call = async (name: CommandName, args: unknown): Promise<unknown> => {
    const outcome: unknown = await ipc.invoke(IPC_COMMAND_CHANNEL, name, args);
    if (!isOutcome(outcome)) {
      throw toRejection({ code: 'INTERNAL_ERROR', message: 'Veza answered with something unexpected.' });
    }
    if (outcome.ok) return outcome.value;
    throw toRejection(outcome.error);
  };

  const api: Record<string, unknown> = {};
  for (const name of COMMAND_NAME_LIST) {
    // Exactly one (optional) argument per command; never forward extra arguments.
    api[name] = (args?: unknown) => call(name, args);
  }
  api.onEvent = (listener: (event: CoreEvent) => void): (() => void) => {
    if (typeof listener !== 'function') throw new TypeError('onEvent needs a function');
    // The IPC event object (sender, ports) is never handed to the page: only the core event.
    const wrapped = (_event: IpcRendererEvent, event: CoreEvent): void => listener(event);
    ipc.on(IPC_EVENT_CHANNEL, wrapped);
    return () => {
      ipc.removeListener(IPC_EVENT_CHANNEL, wrapped);
    };
  };
  return api as VezaBridge;
}
