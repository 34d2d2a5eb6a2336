import { create } from 'zustand';
import type { SessionState, SignInInput, SignUpInput } from '../../../common/contract.js';
import { veza } from '../../bridge.js';
import { describeError, errorMessage } from '../../lib/errors.js';
import { useUi } from '../../app/ui-store.js';

export const DEFAULT_SERVER_URL = 'http://127.0.0.1:8080';

interface SessionStore {
  /** null until core answered the first getSession. */
  session: SessionState | null;
  busy: boolean;
  /** The last sign-in / sign-up error, shown inline on the form. */
  error: string | null;
  /** Its code: BANNED gets the ban's own presentation. */
  errorCode: string | null;
  loadError: string | null;
  load(): Promise<void>;
  set(session: SessionState): void;
  signIn(input: SignInInput): Promise<boolean>;
  signUp(input: SignUpInput): Promise<boolean>;
  signOut(wipeCache: boolean): Promise<void>;
  clearError(): void;
}

export const useSession = create<SessionStore>()((set, get) => ({
  session: null,
  busy: false,
  error: null,
  errorCode: null,
  loadError: null,
  load: async () => {
    try {
      set({ session: await veza.getSession(), loadError: null });
    } catch (error) {
      set({ loadError: errorMessage(error) });
    }
  },
  set: (session) => set({ session }),
  signIn: async (input) => {
    set({ busy: true, error: null, errorCode: null });
    try {
      const session = await veza.signIn(input);
      set({ session, busy: false });
      return session.status === 'signed-in';
    } catch (error) {
      set({ busy: false, error: errorMessage(error), errorCode: describeError(error).code });
      return false;
    }
  },
  signUp: async (input) => {
    set({ busy: true, error: null, errorCode: null });
    try {
      const session = await veza.signUp(input);
      set({ session, busy: false });
      return session.status === 'signed-in';
    } catch (error) {
      set({ busy: false, error: errorMessage(error), errorCode: describeError(error).code });
      return false;
    }
  },
  signOut: async (wipeCache) => {
    set({ busy: true });
    try {
      set({ session: await veza.signOut({ wipeCache }), busy: false, error: null });
    } catch (error) {
      set({ busy: false });
      useUi.getState().reportError(error);
    }
  },
  clearError: () => {
    if (get().error) set({ error: null, errorCode: null });
  },
}));

export function currentUser() {
  const session = useSession.getState().session;
  return session?.status === 'signed-in' ? session.user : null;
}
