import type { PendingModerationAction, Report } from '../../../common/contract.js';
import { Spinner } from '../../ui/Spinner.js';
import { ContextMessages } from './ContextMessages.js';
import { reasonLabel } from './ReportListItem.js';
import type { ContextEntry } from './reports-store.js';
import { TriageButton } from './TriageButton.js';
import { allowedActions, subjectOf, type TriageAction } from './triage.js';
import { UserFileSummary } from './UserFileSummary.js';

/** The selected report: what was reported and why, its context, the user's record, and the actions. */
export function ReportDetail({
  report,
  context,
  pending,
  busyLabel,
  onAction,
  onDiscardPending,
}: {
  report: Report;
  context: ContextEntry | undefined;
  pending: PendingModerationAction | null;
  busyLabel: string | null;
  onAction(action: TriageAction): void;
  onDiscardPending(id: string): void;
}) {
  const allowed = allowedActions(report);
  const subject = subjectOf(report);
  // One action per report: a second one while the first waits offline would be refused anyway.
  const waiting = pending?.state === 'queued';
  const off = (action: TriageAction) => !allowed.has(action) || busyLabel !== null || waiting;
  const target = report.target;
  return (
    <article className="report-detail" aria-label="Report">
      <header className="report-detail-head">
        <div>
          <h2>
            {target.type === 'message'
              ? `Message by ${subject.username} in #${target.roomName}`
              : target.type === 'track'
                ? `Track “${target.title}” by ${subject.username}`
                : `User ${subject.username}`}
          </h2>
          <p className="muted small">
            {report.source === 'automod'
              ? 'Flagged by automatic moderation'
              : `${reasonLabel(report.reason)} · reported by ${report.reporter?.username ?? 'someone'}${
                  report.reportCount > 1 ? ` and ${report.reportCount - 1} more` : ''
                }`}
          </p>
        </div>
        {busyLabel && (
          <span className="busy-note" role="status">
            <Spinner label={busyLabel} /> {busyLabel}
          </span>
        )}
      </header>
      {pending && (
        <div className={`pending-note ${pending.state}`} role="status">
          {pending.state === 'failed'
            ? `The server refused “${pending.body.action}”: ${pending.error?.message ?? 'no reason given'}`
            : `“${pending.body.action}” is queued and will be sent when the connection returns.`}
          {pending.state === 'failed' && (
            <button type="button" className="link-button" onClick={() => onDiscardPending(pending.id)}>
              Dismiss
            </button>
          )}
        </div>
      )}
      {report.details && <blockquote className="quote-preview">{report.details}</blockquote>}
      {report.hits.length > 0 && (
        <ul className="hit-list">
          {report.hits.map((hit) => (
            <li key={hit.ruleId}>
              <strong>{hit.ruleName}</strong> <span className="muted">({hit.action})</span> — {hit.detail}
            </li>
          ))}
        </ul>
      )}
      <div className="triage-actions" role="toolbar" aria-label="Report actions">
        <TriageButton shortcut="a" disabled={off('approve')} onClick={() => onAction('approve')}>
          Approve
        </TriageButton>
        <TriageButton shortcut="d" disabled={off('delete')} onClick={() => onAction('delete')}>
          Delete
        </TriageButton>
        <TriageButton shortcut="t" disabled={off('timeout')} onClick={() => onAction('timeout')}>
          Time out…
        </TriageButton>
        <TriageButton shortcut="b" tone="danger" disabled={off('ban')} onClick={() => onAction('ban')}>
          Ban…
        </TriageButton>
        <TriageButton shortcut="x" disabled={off('dismiss')} onClick={() => onAction('dismiss')}>
          Dismiss
        </TriageButton>
      </div>
      <section className="report-section">
        <h3 className="pane-title">Context</h3>
        {context === undefined ? (
          <Spinner label="Loading the context" />
        ) : 'error' in context ? (
          <p className="form-error">{context.error}</p>
        ) : (
          <>
            {context.fromCache && <p className="cache-note">Offline: showing the context as last seen.</p>}
            <ContextMessages
              before={context.context.before}
              reported={target.type === 'message' ? target.message : null}
              after={context.context.after}
            />
          </>
        )}
      </section>
      {context && !('error' in context) && (
        <section className="report-section">
          <h3 className="pane-title">{subject.username}’s record</h3>
          <UserFileSummary file={context.context.user} />
        </section>
      )}
    </article>
  );
}
