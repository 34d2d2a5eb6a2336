import { create } from 'zustand';
import type { PublicRoomSummary, RoomSummary } from '../../../common/contract.js';
import { veza } from '../../bridge.js';
import { errorMessage } from '../../lib/errors.js';
import { useUi } from '../../app/ui-store.js';

interface RoomsStore {
  rooms: RoomSummary[];
  loaded: boolean;
  publicRooms: PublicRoomSummary[];
  publicLoading: boolean;
  publicError: string | null;
  load(): Promise<void>;
  loadPublic(): Promise<void>;
  join(roomId: string): Promise<void>;
  leave(roomId: string): Promise<void>;
  create(input: { name: string; visibility: 'public' | 'private'; topic?: string }): Promise<RoomSummary | null>;
  openDirectMessage(userId: string): Promise<void>;
  reset(): void;
}

/** Sidebar order: most recent activity first, then by name. */
export function sortRooms(rooms: readonly RoomSummary[]): RoomSummary[] {
  return [...rooms].sort((a, b) => {
    const at = a.lastMessageAt ?? '';
    const bt = b.lastMessageAt ?? '';
    if (at !== bt) return at < bt ? 1 : -1;
    return a.name.localeCompare(b.name);
  });
}

/** The rooms in the order the sidebar lists them: rooms, then direct messages. */
export function sidebarOrder(rooms: readonly RoomSummary[]): RoomSummary[] {
  const sorted = sortRooms(rooms);
  return [...sorted.filter((r) => r.kind !== 'dm'), ...sorted.filter((r) => r.kind === 'dm')];
}

export function roomLabel(room: RoomSummary): string {
  return room.kind === 'dm' && room.dmPeer ? room.dmPeer.username : room.name;
}

export const useRooms = create<RoomsStore>()((set, get) => ({
  rooms: [],
  loaded: false,
  publicRooms: [],
  publicLoading: false,
  publicError: null,
  load: async () => {
    try {
      set({ rooms: await veza.listRooms(), loaded: true });
    } catch (error) {
      set({ loaded: true });
      useUi.getState().reportError(error);
    }
  },
  loadPublic: async () => {
    set({ publicLoading: true, publicError: null });
    try {
      set({ publicRooms: await veza.listPublicRooms(), publicLoading: false });
    } catch (error) {
      set({ publicLoading: false, publicError: errorMessage(error) });
    }
  },
  join: async (roomId) => {
    try {
      const room = await veza.joinRoom({ roomId });
      set({
        rooms: [...get().rooms.filter((r) => r.id !== room.id), room],
        publicRooms: get().publicRooms.map((r) => (r.id === roomId ? { ...r, joined: true } : r)),
      });
      useUi.getState().openRoom(room.id);
    } catch (error) {
      useUi.getState().reportError(error);
    }
  },
  leave: async (roomId) => {
    try {
      await veza.leaveRoom({ roomId });
      set({ rooms: get().rooms.filter((r) => r.id !== roomId) });
      useUi.getState().navigate({ kind: 'home' });
    } catch (error) {
      useUi.getState().reportError(error);
    }
  },
  create: async (input) => {
    try {
      const room = await veza.createRoom(input);
      set({ rooms: [...get().rooms.filter((r) => r.id !== room.id), room] });
      useUi.getState().openRoom(room.id);
      return room;
    } catch (error) {
      useUi.getState().reportError(error);
      return null;
    }
  },
  openDirectMessage: async (userId) => {
    try {
      const room = await veza.openDirectMessage({ userId });
      set({ rooms: [...get().rooms.filter((r) => r.id !== room.id), room] });
      useUi.getState().openRoom(room.id);
    } catch (error) {
      useUi.getState().reportError(error);
    }
  },
  reset: () => set({ rooms: [], loaded: false, publicRooms: [] }),
}));
