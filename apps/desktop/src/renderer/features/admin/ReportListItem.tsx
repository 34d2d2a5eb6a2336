import { forwardRef } from 'react';
import type { PendingModerationAction, Report } from '../../../common/contract.js';
import { formatMessageTime } from '../../lib/format.js';
import { subjectOf } from './triage.js';

const REASONS: Record<Report['reason'], string> = {
  spam: 'Spam',
  harassment: 'Harassment',
  hate: 'Hate',
  sexual: 'Sexual content',
  violence: 'Violence',
  self_harm: 'Self-harm',
  illegal: 'Illegal',
  other: 'Other',
};

export function reasonLabel(reason: Report['reason']): string {
  return REASONS[reason];
}

/** One line of the queue: what is reported, who by, how many times, and any offline action waiting. */
export const ReportListItem = forwardRef<
  HTMLButtonElement,
  { report: Report; selected: boolean; pending: PendingModerationAction | null; onSelect(): void }
>(function ReportListItem({ report, selected, pending, onSelect }, ref) {
  const subject = subjectOf(report);
  const excerpt =
    report.target.type === 'message'
      ? report.target.message.body || '(deleted message)'
      : report.target.type === 'track'
        ? `Track “${report.target.title}”`
        : `Profile of ${subject.username}`;
  return (
    <li>
      <button
        ref={ref}
        type="button"
        role="option"
        aria-selected={selected}
        className={`report-item${selected ? ' active' : ''}`}
        onClick={onSelect}
        data-testid="report-item"
      >
        <span className="report-item-top">
          <span className="report-subject">{subject.username}</span>
          <span className="report-time">{formatMessageTime(report.createdAt)}</span>
        </span>
        <span className="report-excerpt">{excerpt}</span>
        <span className="report-tags">
          <span className={`chip${report.source === 'automod' ? ' subtle' : ''}`}>
            {report.source === 'automod' ? 'Automod' : reasonLabel(report.reason)}
          </span>
          {report.reportCount > 1 && <span className="chip">{report.reportCount} reports</span>}
          {report.target.type === 'message' && report.target.visibility === 'held' && (
            <span className="chip warn">Held</span>
          )}
          {pending && (
            <span className={`chip ${pending.state === 'failed' ? 'danger' : 'pending'}`}>
              {pending.state === 'failed' ? 'Failed' : `Queued: ${pending.body.action}`}
            </span>
          )}
        </span>
      </button>
    </li>
  );
});
