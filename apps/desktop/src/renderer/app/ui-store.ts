import { create } from 'zustand';
import { veza } from '../bridge.js';
import type { IconName } from '../ui/icons.js';
import { errorMessage } from '../lib/errors.js';
import { safeHttpUrl } from '../features/chat/markdown.js';

export type View =
  | { kind: 'home' }
  | { kind: 'room'; roomId: string }
  | { kind: 'browse' }
  | { kind: 'library' }
  | { kind: 'downloads' }
  | { kind: 'admin' }
  | { kind: 'stats' }
  | { kind: 'analytics' }
  | { kind: 'settings' };

export type ToastKind = 'error' | 'info' | 'success' | 'mention';

export interface ToastOptions {
  /** A view to offer ("View"); the toast goes away by itself once the user is there. */
  view?: View;
  /** Overrides the kind's icon (e.g. a download icon for a success about downloads). */
  icon?: IconName;
}

export interface Toast extends ToastOptions {
  id: number;
  kind: ToastKind;
  text: string;
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
  toast(kind: ToastKind, text: string, options?: ToastOptions): void;
  reportError(error: unknown): void;
  dismissToast(id: number): void;
  openExternal(url: string): void;
  reset(): void;
}

let nextToastId = 1;
/** How long a toast stays: confirmations are glanced at, errors and mentions need reading. */
export const TOAST_MS: Record<ToastKind, number> = { error: 8000, mention: 6000, info: 3000, success: 3000 };

function sameView(a: View, b: View): boolean {
  return a.kind === b.kind && (a.kind !== 'room' || (b.kind === 'room' && a.roomId === b.roomId));
}

/** Toasts that point at `view` are done once the user is there. */
function withoutToastsFor(toasts: Toast[], view: View): Toast[] {
  const kept = toasts.filter((t) => !t.view || !sameView(t.view, view));
  return kept.length === toasts.length ? toasts : kept;
}

export const useUi = create<UiState>()((set, get) => ({
  view: { kind: 'home' },
  searchOpen: false,
  queueOpen: false,
  toasts: [],
  highlightClientId: null,
  navigate: (view) => set({ view, highlightClientId: null, toasts: withoutToastsFor(get().toasts, view) }),
  openRoom: (roomId, highlightClientId = null) => {
    const view: View = { kind: 'room', roomId };
    set({ view, highlightClientId, toasts: withoutToastsFor(get().toasts, view) });
  },
  setSearchOpen: (searchOpen) => set({ searchOpen }),
  toggleQueue: () => set({ queueOpen: !get().queueOpen }),
  toast: (kind, text, options = {}) => {
    const id = nextToastId++;
    // The same sentence twice in a row is one toast.
    if (get().toasts.some((t) => t.text === text)) return;
    const { view, icon } = options;
    set({
      toasts: [...get().toasts.slice(-3), { id, kind, text, ...(view ? { view } : {}), ...(icon ? { icon } : {}) }],
    });
    setTimeout(() => get().dismissToast(id), TOAST_MS[kind]);
  },
  reportError: (error) => get().toast('error', errorMessage(error)),
  dismissToast: (id) => {
    if (get().toasts.some((t) => t.id === id)) set({ toasts: get().toasts.filter((t) => t.id !== id) });
  },
  openExternal: (url) => {
    const href = safeHttpUrl(url);
    if (!href) return;
    veza.openExternal({ url: href }).catch((error: unknown) => get().reportError(error));
  },
  reset: () => set({ view: { kind: 'home' }, searchOpen: false, queueOpen: false, highlightClientId: null }),
}));
