import { create } from 'zustand';
import { veza } from '../bridge.js';
import { errorMessage } from '../lib/errors.js';
import { safeHttpUrl } from '../lib/markdown.js';

export type View =
  | { kind: 'home' }
  | { kind: 'room'; roomId: string }
  | { kind: 'browse' }
  | { kind: 'library' }
  | { kind: 'downloads' }
  | { kind: 'settings' };

export interface Toast {
  id: number;
  kind: 'error' | 'info' | 'success';
  text: string;
  /** Optional view to open when the toast is clicked. */
  view?: View;
}

interface UiState {
  view: View;
  searchOpen: boolean;
  queueOpen: boolean;
  toasts: Toast[];
  /** Message to flash after a jump from search. */
  highlightClientId: string | null;
  navigate(view: View): void;
  openRoom(roomId: string, highlightClientId?: string | null): void;
  setSearchOpen(open: boolean): void;
  toggleQueue(): void;
  toast(kind: Toast['kind'], text: string, view?: View): void;
  reportError(error: unknown): void;
  dismissToast(id: number): void;
  openExternal(url: string): void;
  reset(): void;
}

let nextToastId = 1;
const TOAST_MS = { error: 8000, info: 5000, success: 4000 } as const;

export const useUi = create<UiState>()((set, get) => ({
  view: { kind: 'home' },
  searchOpen: false,
  queueOpen: false,
  toasts: [],
  highlightClientId: null,
  navigate: (view) => set({ view, highlightClientId: null }),
  openRoom: (roomId, highlightClientId = null) => set({ view: { kind: 'room', roomId }, highlightClientId }),
  setSearchOpen: (searchOpen) => set({ searchOpen }),
  toggleQueue: () => set({ queueOpen: !get().queueOpen }),
  toast: (kind, text, view) => {
    const id = nextToastId++;
    // The same sentence twice in a row is one toast.
    if (get().toasts.some((t) => t.text === text)) return;
    set({ toasts: [...get().toasts.slice(-3), { id, kind, text, ...(view ? { view } : {}) }] });
    setTimeout(() => get().dismissToast(id), TOAST_MS[kind]);
  },
  reportError: (error) => get().toast('error', errorMessage(error)),
  dismissToast: (id) => set({ toasts: get().toasts.filter((t) => t.id !== id) }),
  openExternal: (url) => {
    const href = safeHttpUrl(url);
    if (!href) return;
    veza.openExternal({ url: href }).catch((error: unknown) => get().reportError(error));
  },
  reset: () => set({ view: { kind: 'home' }, searchOpen: false, queueOpen: false, highlightClientId: null }),
}));
