import { create } from 'zustand';

export type AdminTab = 'reports' | 'users' | 'rules' | 'audit' | 'analytics';

interface AdminState {
  tab: AdminTab;
  setTab(tab: AdminTab): void;
  reset(): void;
}

/** Which admin tab is open; each tab's data lives in its own store. */
export const useAdmin = create<AdminState>()((set) => ({
  tab: 'reports',
  setTab: (tab) => set({ tab }),
  reset: () => set({ tab: 'reports' }),
}));
