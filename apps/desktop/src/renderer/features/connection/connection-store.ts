import { create } from 'zustand';
import type { ConnectionState } from '../../../common/contract.js';
import { veza } from '../../bridge.js';

interface ConnectionStore {
  connection: ConnectionState;
  load(): Promise<void>;
  set(connection: ConnectionState): void;
}

export const useConnection = create<ConnectionStore>()((set) => ({
  connection: { status: 'connecting', nextRetryAt: null, lastError: null },
  load: async () => {
    try {
      set({ connection: await veza.getConnection() });
    } catch {
      // The next connection.changed event will tell.
    }
  },
  set: (connection) => set({ connection }),
}));
