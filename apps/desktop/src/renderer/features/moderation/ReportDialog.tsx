import { useEffect, useState } from 'react';
import { REPORT_REASONS, type ReportReason } from '../../../common/contract.js';
import { Dialog } from '../../ui/Dialog.js';
import { useModeration } from './moderation-store.js';
import { REASON_LABELS, REPORT_DETAILS_MAX } from './report-reasons.js';

/**
 * Report a message, a user or a track: a reason (radio group: arrow keys move, Space picks) and
 * optional details. Works offline: core queues the report and sends it when back.
 */
export function ReportDialog() {
  const subject = useModeration((s) => s.reporting);
  const [reason, setReason] = useState<ReportReason | null>(null);
  const [details, setDetails] = useState('');
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setReason(null);
    setDetails('');
    setSending(false);
    setError(null);
  }, [subject]);
  const { closeReport, submitReport } = useModeration.getState();
  const needsDetails = reason === 'other' && !details.trim();
  const submit = async (): Promise<void> => {
    if (!reason || needsDetails || sending) return;
    setSending(true);
    setError(null);
    const refusal = await submitReport(reason, details);
    if (refusal) {
      setError(refusal);
      setSending(false);
    }
  };
  return (
    <Dialog
      open={subject !== null}
      title={subject ? `Report ${subject.label}` : 'Report'}
      onClose={closeReport}
      actions={
        <>
          <button type="button" className="button" onClick={closeReport}>
            Cancel
          </button>
          <button
            type="submit"
            form="report-form"
            className="button danger"
            disabled={!reason || needsDetails || sending}
          >
            {sending ? 'Reporting…' : 'Report'}
          </button>
        </>
      }
    >
      <form
        id="report-form"
        className="report-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <p className="muted small">
          Moderators will see what you report and why. The person is not told who reported them.
        </p>
        <fieldset className="report-reasons">
          <legend>Why are you reporting this?</legend>
          {REPORT_REASONS.map((value) => (
            <label key={value} className={reason === value ? 'report-reason selected' : 'report-reason'}>
              <input
                type="radio"
                name="report-reason"
                value={value}
                checked={reason === value}
                onChange={() => setReason(value)}
              />
              <span className="report-reason-label">{REASON_LABELS[value].label}</span>
              <span className="report-reason-hint muted small">{REASON_LABELS[value].hint}</span>
            </label>
          ))}
        </fieldset>
        <label className="field">
          <span>Details {reason === 'other' ? '' : '(optional)'}</span>
          <textarea
            className="input"
            rows={3}
            maxLength={REPORT_DETAILS_MAX}
            value={details}
            onChange={(e) => setDetails(e.target.value)}
            placeholder="What should the moderators know?"
          />
        </label>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
      </form>
    </Dialog>
  );
}
