import { create } from 'zustand';
import type { AuditEntry, AuditFilterValues } from '../../../common/contract.js';
import { veza } from '../../bridge.js';
import { useUi } from '../../app/ui-store.js';
import { errorMessage } from '../../lib/errors.js';

interface AuditState {
  filters: AuditFilterValues;
  entries: AuditEntry[];
  /** Cursors of the pages before this one (Previous pops), and this page's own. */
  back: (string | undefined)[];
  cursor: string | undefined;
  nextCursor: string | null;
  fromCache: boolean;
  loading: boolean;
  error: string | null;
  exporting: boolean;
  apply(filters: AuditFilterValues): Promise<void>;
  next(): Promise<void>;
  previous(): Promise<void>;
  exportCsv(): Promise<void>;
  reset(): void;
}

const EMPTY = {
  filters: {} as AuditFilterValues,
  entries: [] as AuditEntry[],
  back: [] as (string | undefined)[],
  cursor: undefined,
  nextCursor: null,
  fromCache: false,
  loading: false,
  error: null,
  exporting: false,
};

export const useAudit = create<AuditState>()((set, get) => {
  const load = async (filters: AuditFilterValues, cursor: string | undefined, back: (string | undefined)[]) => {
    set({ loading: true });
    try {
      const page = await veza.listAudit({ filters: cursor ? { ...filters, cursor } : filters });
      set({
        filters,
        cursor,
        back,
        entries: page.entries,
        nextCursor: page.nextCursor,
        fromCache: page.fromCache,
        error: null,
      });
    } catch (error) {
      set({ error: errorMessage(error) });
    } finally {
      set({ loading: false });
    }
  };
  return {
    ...EMPTY,
    apply: (filters) => load(filters, undefined, []),
    next: async () => {
      const { nextCursor, filters, cursor, back } = get();
      if (nextCursor) await load(filters, nextCursor, [...back, cursor]);
    },
    previous: async () => {
      const { back, filters } = get();
      if (back.length === 0) return;
      await load(filters, back[back.length - 1], back.slice(0, -1));
    },
    exportCsv: async () => {
      if (get().exporting) return;
      set({ exporting: true });
      try {
        const { cursor: _cursor, ...filters } = get().filters;
        const saved = await veza.exportAuditCsv({ filters });
        useUi.getState().toast('success', `Audit log saved to ${saved.path}`);
      } catch (error) {
        useUi.getState().reportError(error);
      } finally {
        set({ exporting: false });
      }
    },
    reset: () => set(EMPTY),
  };
});
