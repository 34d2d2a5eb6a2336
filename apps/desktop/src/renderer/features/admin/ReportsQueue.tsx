import { useCallback, useEffect, useRef, useState } from 'react';
import { EmptyState } from '../../ui/EmptyState.js';
import { Icon } from '../../ui/icons.js';
import { Spinner } from '../../ui/Spinner.js';
import { BanDialog } from './BanDialog.js';
import { ReportDetail } from './ReportDetail.js';
import { ReportListItem } from './ReportListItem.js';
import { useReports } from './reports-store.js';
import { ShortcutsDialog } from './ShortcutsDialog.js';
import { TimeoutDialog } from './TimeoutDialog.js';
import { allowedActions, pendingFor, subjectOf, type TriageCommand } from './triage.js';
import { useTriageKeys } from './use-triage-keys.js';

type OpenDialog = 'timeout' | 'ban' | 'help' | null;

/** The reports queue: the list (oldest open first) and the selected report, triaged from the keyboard. */
export function ReportsQueue() {
  const reports = useReports((s) => s.reports);
  const openCount = useReports((s) => s.openCount);
  const fromCache = useReports((s) => s.fromCache);
  const loaded = useReports((s) => s.loaded);
  const loadError = useReports((s) => s.loadError);
  const selectedId = useReports((s) => s.selectedId);
  const contexts = useReports((s) => s.contexts);
  const pending = useReports((s) => s.pending);
  const busy = useReports((s) => s.busy);
  const [dialog, setDialog] = useState<OpenDialog>(null);
  const items = useRef(new Map<string, HTMLButtonElement>());
  const selected = reports.find((r) => r.id === selectedId) ?? null;

  useEffect(() => {
    void useReports.getState().load();
    void useReports.getState().loadPending();
  }, []);

  // Keyboard focus follows the selection, so screen readers announce it and Tab starts from it.
  useEffect(() => {
    if (!selectedId || dialog) return;
    const item = items.current.get(selectedId);
    if (!item) return;
    if (document.activeElement === document.body || document.activeElement?.closest('.report-list')) item.focus();
    item.scrollIntoView({ block: 'nearest' });
  }, [selectedId, dialog]);

  const onCommand = useCallback(
    (command: TriageCommand) => {
      const store = useReports.getState();
      const report = store.reports.find((r) => r.id === store.selectedId);
      switch (command) {
        case 'next':
          store.move(1);
          return;
        case 'previous':
          store.move(-1);
          return;
        case 'help':
          setDialog('help');
          return;
        default:
          if (!report || !allowedActions(report).has(command)) return;
          if (pendingFor(report.id, store.pending)?.state === 'queued') return;
          if (command === 'timeout' || command === 'ban') setDialog(command);
          else void store.act(command);
      }
    },
    [setDialog],
  );
  useTriageKeys(onCommand);

  return (
    <div className="reports-queue">
      <div className="report-list-pane">
        <div className="pane-head">
          <span className="pane-title">
            {openCount} open {openCount === 1 ? 'report' : 'reports'}
          </span>
          <button type="button" className="link-button" onClick={() => setDialog('help')}>
            <kbd>?</kbd> Shortcuts
          </button>
        </div>
        {fromCache && <p className="cache-note">Offline: the queue as last seen.</p>}
        {!loaded ? (
          <div className="center-fill">
            <Spinner label="Loading reports" />
          </div>
        ) : loadError ? (
          <p className="form-error">{loadError}</p>
        ) : reports.length === 0 ? (
          <EmptyState icon={<Icon name="check" size={36} />} title="All clear">
            <p>No open reports.</p>
          </EmptyState>
        ) : (
          <ul className="report-list" role="listbox" aria-label="Reports">
            {reports.map((report) => (
              <ReportListItem
                key={report.id}
                ref={(el) => {
                  if (el) items.current.set(report.id, el);
                  else items.current.delete(report.id);
                }}
                report={report}
                selected={report.id === selectedId}
                pending={pendingFor(report.id, pending)}
                onSelect={() => useReports.getState().select(report.id)}
              />
            ))}
          </ul>
        )}
      </div>
      <div className="report-detail-pane">
        {selected ? (
          <ReportDetail
            report={selected}
            context={contexts[selected.id]}
            pending={pendingFor(selected.id, pending)}
            busyLabel={busy?.reportId === selected.id ? busy.label : null}
            onAction={onCommand}
            onDiscardPending={(id) => void useReports.getState().discardPending(id)}
          />
        ) : (
          loaded && (
            <EmptyState title="Nothing selected">
              <p>
                Press <kbd>j</kbd> or <kbd>↓</kbd> to start.
              </p>
            </EmptyState>
          )
        )}
      </div>
      {dialog === 'help' && <ShortcutsDialog onClose={() => setDialog(null)} />}
      {dialog === 'timeout' && selected && (
        <TimeoutDialog
          username={subjectOf(selected).username}
          onClose={() => setDialog(null)}
          onConfirm={(choice) => void useReports.getState().act('timeout', choice)}
        />
      )}
      {dialog === 'ban' && selected && (
        <BanDialog
          username={subjectOf(selected).username}
          onClose={() => setDialog(null)}
          onConfirm={(choice) => void useReports.getState().act('ban', choice)}
        />
      )}
    </div>
  );
}
