/**
 * The renderer's only door to core. Stores import `veza`; components never do.
 * `window.veza` is provided by the Electron preload script or the browser host's client.
 */
import type { VezaBridge } from '../common/contract.js';

export const BRIDGE_MISSING_MESSAGE =
  'Veza cannot reach its core: window.veza is missing. Open Veza through the desktop app or the browser host.';

function missingBridge(): VezaBridge {
  // Every call rejects with a sentence the UI can show, instead of crashing at import time.
  return new Proxy({} as VezaBridge, {
    get(_target, property) {
      if (property === 'onEvent') return () => () => undefined;
      return () => Promise.reject({ code: 'UNSUPPORTED', message: BRIDGE_MISSING_MESSAGE });
    },
  });
}

export const bridgeAvailable: boolean = typeof window !== 'undefined' && window.veza !== undefined;

export const veza: VezaBridge = bridgeAvailable && window.veza ? window.veza : missingBridge();
