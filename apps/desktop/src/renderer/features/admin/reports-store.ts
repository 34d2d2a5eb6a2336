import { create } from 'zustand';
import type {
  AdminReportContext,
  ModerationActionBody,
  PendingModerationAction,
  Report,
} from '../../../common/contract.js';
import { veza } from '../../bridge.js';
import { useUi } from '../../app/ui-store.js';
import { errorMessage } from '../../lib/errors.js';
import {
  ACTION_WORDS,
  actionBody,
  moveSelection,
  selectionAfterRemoval,
  type BanChoice,
  type TimeoutChoice,
  type TriageAction,
} from './triage.js';

export type ContextEntry = AdminReportContext | { error: string };

interface ReportsState {
  reports: Report[];
  openCount: number;
  fromCache: boolean;
  loaded: boolean;
  loadError: string | null;
  selectedId: string | null;
  contexts: Record<string, ContextEntry>;
  pending: PendingModerationAction[];
  /** The action running now, for the progress shown on the report. */
  busy: { reportId: string; label: string } | null;
  load(): Promise<void>;
  select(id: string | null): void;
  move(delta: 1 | -1): void;
  act(command: 'approve' | 'delete' | 'dismiss', choice?: undefined): Promise<void>;
  act(command: 'timeout', choice: TimeoutChoice): Promise<void>;
  act(command: 'ban', choice: BanChoice): Promise<void>;
  loadPending(): Promise<void>;
  setPending(pending: PendingModerationAction[]): void;
  discardPending(id: string): Promise<void>;
  reset(): void;
}

const EMPTY = {
  reports: [] as Report[],
  openCount: 0,
  fromCache: false,
  loaded: false,
  loadError: null,
  selectedId: null,
  contexts: {} as Record<string, ContextEntry>,
  pending: [] as PendingModerationAction[],
  busy: null,
};

export const useReports = create<ReportsState>()((set, get) => {
  const loadContext = async (reportId: string): Promise<void> => {
    try {
      const context = await veza.getReportContext({ reportId });
      set({ contexts: { ...get().contexts, [reportId]: context } });
    } catch (error) {
      set({ contexts: { ...get().contexts, [reportId]: { error: errorMessage(error) } } });
    }
  };

  const select = (id: string | null): void => {
    set({ selectedId: id });
    if (id && !get().contexts[id]) void loadContext(id);
  };

  const run = async (command: TriageAction, body: ModerationActionBody, report: Report): Promise<void> => {
    const words = ACTION_WORDS[command];
    set({ busy: { reportId: report.id, label: words.doing } });
    const ui = useUi.getState();
    try {
      const outcome = await veza.takeModerationAction({ action: body });
      const ids = get().reports.map((r) => r.id);
      if (outcome.status === 'applied') {
        // Settled: it leaves the open queue and triage goes on with the next report.
        const next = selectionAfterRemoval(ids, report.id);
        set({
          reports: get().reports.filter((r) => r.id !== report.id),
          openCount: Math.max(0, get().openCount - 1),
        });
        if (get().selectedId === report.id) select(next);
        ui.toast('success', `${words.done}.`);
      } else {
        set({ pending: [...get().pending.filter((p) => p.id !== outcome.pending.id), outcome.pending] });
        if (get().selectedId === report.id) select(moveSelection(ids, report.id, 1));
        ui.toast('info', `${words.done} when the connection returns (queued).`);
      }
    } catch (error) {
      ui.reportError(error);
    } finally {
      set({ busy: null });
    }
  };

  return {
    ...EMPTY,
    load: async () => {
      try {
        const page = await veza.listModerationReports({ state: 'open' });
        const ids = page.reports.map((r) => r.id);
        const selected = get().selectedId;
        set({
          reports: page.reports,
          openCount: page.openCount,
          fromCache: page.fromCache,
          loaded: true,
          loadError: null,
          // A context seen before may have changed (new messages, notes): refetch when shown.
          contexts: page.fromCache ? get().contexts : {},
        });
        select(selected && ids.includes(selected) ? selected : (ids[0] ?? null));
      } catch (error) {
        set({ loaded: true, loadError: errorMessage(error) });
      }
    },
    select,
    move: (delta) =>
      select(
        moveSelection(
          get().reports.map((r) => r.id),
          get().selectedId,
          delta,
        ),
      ),
    act: async (command: TriageAction, choice?: TimeoutChoice | BanChoice) => {
      const report = get().reports.find((r) => r.id === get().selectedId);
      if (!report || get().busy) return;
      const body =
        command === 'timeout'
          ? actionBody('timeout', report, choice as TimeoutChoice)
          : command === 'ban'
            ? actionBody('ban', report, choice as BanChoice)
            : actionBody(command, report);
      if (body) await run(command, body, report);
    },
    loadPending: async () => {
      try {
        set({ pending: await veza.listPendingModerationActions() });
      } catch (error) {
        useUi.getState().reportError(error);
      }
    },
    setPending: (pending) => set({ pending }),
    discardPending: async (id) => {
      try {
        set({ pending: await veza.discardModerationAction({ id }) });
      } catch (error) {
        useUi.getState().reportError(error);
      }
    },
    reset: () => set(EMPTY),
  };
});
