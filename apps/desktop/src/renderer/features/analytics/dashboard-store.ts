import { create } from 'zustand';
import type { AnalyticsBucket, AnalyticsDashboardView, LiveTilesView } from '../../../common/contract.js';
import { veza } from '../../bridge.js';
import { errorMessage } from '../../lib/errors.js';
import { historyCsv, exportFileName, topCsv } from './csv.js';
import { saveExport } from './export-csv.js';
import { allowedBuckets, defaultBucket, selectedRange, type RangeSelection } from './ranges.js';

export type DashboardExport = 'history' | 'tracks' | 'rooms';

interface DashboardStore {
  selection: RangeSelection;
  /** Chosen by the person; null follows the range (defaultBucket). */
  bucket: AnalyticsBucket | null;
  view: AnalyticsDashboardView | null;
  loading: boolean;
  error: string | null;
  live: LiveTilesView | null;
  liveError: string | null;
  select(selection: RangeSelection): void;
  setBucket(bucket: AnalyticsBucket): void;
  load(): Promise<void>;
  loadLive(): Promise<void>;
  exportCsv(what: DashboardExport): Promise<void>;
  reset(): void;
}

const INITIAL = {
  selection: { preset: '30d', custom: { from: '', to: '' } } as RangeSelection,
  bucket: null,
  view: null,
  loading: false,
  error: null,
  live: null,
  liveError: null,
};

/** The bucket a query uses: the person's choice when the range allows it, else the range's default. */
export function effectiveBucket(selection: RangeSelection, bucket: AnalyticsBucket | null, today = new Date()) {
  const range = selectedRange(selection, today);
  return bucket && allowedBuckets(range).includes(bucket) ? bucket : defaultBucket(range);
}

// Answers may come back out of order when ranges are clicked quickly: only the latest one counts.
let latestLoad = 0;

export const useDashboard = create<DashboardStore>()((set, get) => ({
  ...INITIAL,
  select: (selection) => {
    set({ selection });
    void get().load();
  },
  setBucket: (bucket) => {
    set({ bucket });
    void get().load();
  },
  load: async () => {
    const { selection, bucket } = get();
    const range = selectedRange(selection, new Date());
    const id = ++latestLoad;
    set({ loading: true, error: null });
    try {
      const view = await veza.getAnalyticsDashboard({ ...range, bucket: effectiveBucket(selection, bucket) });
      if (id === latestLoad) set({ view, loading: false });
    } catch (error) {
      if (id === latestLoad) set({ error: errorMessage(error), loading: false });
    }
  },
  loadLive: async () => {
    try {
      set({ live: await veza.getLiveTiles(), liveError: null });
    } catch (error) {
      // Keep the last tiles on screen: they are shown as stale rather than blanked.
      set({ liveError: errorMessage(error) });
    }
  },
  exportCsv: async (what) => {
    const view = get().view;
    if (!view) return;
    if (what === 'history') await saveExport(exportFileName('activity', view.range), historyCsv(view));
    else if (what === 'tracks') await saveExport(exportFileName('top tracks', view.range), topCsv(view.topTracks));
    else await saveExport(exportFileName('top rooms', view.range), topCsv(view.topRooms));
  },
  reset: () => set(INITIAL),
}));
