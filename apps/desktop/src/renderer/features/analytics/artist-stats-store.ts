import { create } from 'zustand';
import type { ArtistStatsView } from '../../../common/contract.js';
import { veza } from '../../bridge.js';
import { errorMessage } from '../../lib/errors.js';
import { artistDaysCsv, artistTracksCsv, exportFileName } from './csv.js';
import { saveExport } from './export-csv.js';
import { selectedRange, type RangeSelection } from './ranges.js';

interface ArtistStatsStore {
  selection: RangeSelection;
  view: ArtistStatsView | null;
  loading: boolean;
  error: string | null;
  select(selection: RangeSelection): void;
  load(): Promise<void>;
  exportCsv(what: 'days' | 'tracks'): Promise<void>;
  reset(): void;
}

const INITIAL = {
  selection: { preset: '30d', custom: { from: '', to: '' } } as RangeSelection,
  view: null,
  loading: false,
  error: null,
};

let latestLoad = 0;

/** The signed-in artist's own figures (the server answers for the caller's tracks only). */
export const useArtistStats = create<ArtistStatsStore>()((set, get) => ({
  ...INITIAL,
  select: (selection) => {
    set({ selection });
    void get().load();
  },
  load: async () => {
    const range = selectedRange(get().selection, new Date());
    const id = ++latestLoad;
    set({ loading: true, error: null });
    try {
      const view = await veza.getArtistStats(range);
      if (id === latestLoad) set({ view, loading: false });
    } catch (error) {
      if (id === latestLoad) set({ error: errorMessage(error), loading: false });
    }
  },
  exportCsv: async (what) => {
    const view = get().view;
    if (!view) return;
    if (what === 'days') await saveExport(exportFileName('my plays per day', view.range), artistDaysCsv(view));
    else await saveExport(exportFileName('my tracks', view.range), artistTracksCsv(view));
  },
  reset: () => set(INITIAL),
}));
