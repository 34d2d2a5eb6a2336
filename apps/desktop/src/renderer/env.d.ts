import type { VezaBridge } from '../common/contract.js';

declare global {
  interface Window {
    /** The only global the renderer relies on: provided by the Electron preload or the browser host. */
    readonly veza?: VezaBridge;
  }
}

export {};
