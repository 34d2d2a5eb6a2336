import { create } from 'zustand';

/** Who is online, as presence events told us (unknown users show no dot). */
interface PresenceStore {
  online: Record<string, boolean>;
  set(userId: string, online: boolean): void;
  reset(): void;
}

export const usePresence = create<PresenceStore>()((set, get) => ({
  online: {},
  set: (userId, online) => {
    if (get().online[userId] === online) return;
    set({ online: { ...get().online, [userId]: online } });
  },
  reset: () => set({ online: {} }),
}));
