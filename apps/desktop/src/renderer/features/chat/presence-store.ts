import { create } from 'zustand';
import { useConnection } from '../connection/connection-store.js';
import { useSession } from '../session/session-store.js';

/**
 * Who is online, as presence events told us (unknown users show no dot). What we knew is dropped
 * when the connection leaves `online` (`reset`, from events.ts), since nobody tells us about changes while we
 * are away; core sends fresh presence events after reconnecting.
 */
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
  reset: () => {
    if (Object.keys(get().online).length > 0) set({ online: {} });
  },
}));

/**
 * A user's presence as the UI shows it: `undefined` (unknown: no dot) while our own connection is
 * not online, since we cannot know then; me: online whenever we are; others: what presence events
 * said, unknown until one arrives.
 */
export function usePresenceOf(userId: string | null | undefined): boolean | undefined {
  const connected = useConnection((s) => s.connection.status === 'online');
  const me = useSession((s) => (s.session?.status === 'signed-in' ? s.session.user.id : null));
  const known = usePresence((s) => (userId ? s.online[userId] : undefined));
  if (!connected || !userId) return undefined;
  if (userId === me) return true;
  return known;
}
