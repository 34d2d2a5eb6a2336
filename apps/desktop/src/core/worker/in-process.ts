import { DesktopCore, type DesktopCoreOptions } from '../desktop-core.js';
import type { CoreClient, CoreWorkerOptions } from './core-client.js';

/** Core on the calling thread: for tests and tools that do not bundle the worker. */
export async function startCoreInProcess(
  options: CoreWorkerOptions & Pick<DesktopCoreOptions, 'fetch'>,
): Promise<CoreClient> {
  const core = await DesktopCore.open(options);
  return {
    invoke: (command, args) => core.invoke(command, args),
    onEvent: (listener) => core.onEvent(listener),
    localMediaRoots: async () => core.localMediaRoots(),
    close: () => core.close(),
  };
}
