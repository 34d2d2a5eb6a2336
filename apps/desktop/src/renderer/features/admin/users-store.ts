import { create } from 'zustand';
import type { Role } from '@veza/shared/roles';
import type { AdminUserFile, ModeratedUser } from '../../../common/contract.js';
import { veza } from '../../bridge.js';
import { useUi } from '../../app/ui-store.js';
import { errorMessage } from '../../lib/errors.js';

interface UsersState {
  query: string;
  results: ModeratedUser[];
  fromCache: boolean;
  searching: boolean;
  selectedId: string | null;
  file: AdminUserFile | null;
  fileError: string | null;
  saving: boolean;
  search(query: string): Promise<void>;
  open(userId: string): Promise<void>;
  changeRole(role: Role): Promise<void>;
  lift(roomId?: string): Promise<void>;
  addNote(body: string): Promise<boolean>;
  reset(): void;
}

const EMPTY = {
  query: '',
  results: [] as ModeratedUser[],
  fromCache: false,
  searching: false,
  selectedId: null,
  file: null,
  fileError: null,
  saving: false,
};

let searchSeq = 0;

export const useAdminUsers = create<UsersState>()((set, get) => {
  /** Writes share this: one at a time, the file re-read after, failures as toasts. */
  const write = async (what: () => Promise<unknown>, done: string): Promise<boolean> => {
    const userId = get().selectedId;
    if (!userId || get().saving) return false;
    set({ saving: true });
    try {
      await what();
      useUi.getState().toast('success', done);
      await get().open(userId);
      return true;
    } catch (error) {
      useUi.getState().reportError(error);
      return false;
    } finally {
      set({ saving: false });
    }
  };
  return {
    ...EMPTY,
    search: async (query) => {
      const seq = ++searchSeq;
      set({ query, searching: true });
      try {
        const list =
          query.trim() === '' ? { users: [], fromCache: false } : await veza.searchModeratedUsers({ q: query });
        if (seq === searchSeq) set({ results: list.users, fromCache: list.fromCache });
      } catch (error) {
        if (seq === searchSeq) useUi.getState().reportError(error);
      } finally {
        if (seq === searchSeq) set({ searching: false });
      }
    },
    open: async (userId) => {
      if (get().selectedId !== userId) set({ selectedId: userId, file: null, fileError: null });
      try {
        const file = await veza.getModeratedUser({ userId });
        if (get().selectedId === userId) set({ file, fileError: null });
      } catch (error) {
        if (get().selectedId === userId) set({ fileError: errorMessage(error) });
      }
    },
    changeRole: (role) =>
      write(() => veza.changeUserRole({ userId: get().selectedId!, role }), `Role changed to ${role}.`).then(
        () => undefined,
      ),
    lift: (roomId) =>
      write(
        () =>
          veza.takeModerationAction({
            action: { action: 'unban', userId: get().selectedId!, ...(roomId ? { roomId } : {}) },
          }),
        roomId ? 'Room ban lifted.' : 'Ban and timeout lifted.',
      ).then(() => undefined),
    addNote: (body) => write(() => veza.addUserNote({ userId: get().selectedId!, note: { body } }), 'Note added.'),
    reset: () => set(EMPTY),
  };
});
