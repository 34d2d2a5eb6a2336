import { useState } from 'react';
import { Dialog } from '../../ui/Dialog.js';
import type { BanChoice } from './triage.js';

const BAN_DURATIONS: readonly { label: string; seconds: number | undefined }[] = [
  { label: 'Until lifted', seconds: undefined },
  { label: '1 day', seconds: 86_400 },
  { label: '1 week', seconds: 604_800 },
  { label: '30 days', seconds: 2_592_000 },
];

/** The confirmation for `b`: a server ban needs a reason (the user sees it); duration and hiding are optional. */
export function BanDialog({
  username,
  onClose,
  onConfirm,
}: {
  username: string;
  onClose(): void;
  onConfirm(choice: BanChoice): void;
}) {
  const [duration, setDuration] = useState(0);
  const [reason, setReason] = useState('');
  const [hideMessages, setHideMessages] = useState(false);
  const valid = reason.trim() !== '';
  return (
    <Dialog
      open
      title={`Ban ${username} from the server?`}
      onClose={onClose}
      actions={
        <>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form="ban-form" className="button danger" disabled={!valid}>
            Ban {username}
          </button>
        </>
      }
    >
      <form
        id="ban-form"
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          if (!valid) return;
          onClose();
          onConfirm({ durationSeconds: BAN_DURATIONS[duration]?.seconds, reason: reason.trim(), hideMessages });
        }}
      >
        <p className="muted">
          They are disconnected at once on every device and cannot sign in until the ban ends or is lifted.
        </p>
        <label className="field">
          <span>Reason (shown to {username})</span>
          <input
            className="input"
            autoFocus
            maxLength={500}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            placeholder="Spam and harassment."
          />
        </label>
        <label className="field narrow">
          <span>Duration</span>
          <select className="select" value={duration} onChange={(e) => setDuration(Number(e.target.value))}>
            {BAN_DURATIONS.map((d, i) => (
              <option key={d.label} value={i}>
                {d.label}
              </option>
            ))}
          </select>
        </label>
        <label className="check-row">
          <input type="checkbox" checked={hideMessages} onChange={(e) => setHideMessages(e.target.checked)} />
          Also hide their past messages everywhere
        </label>
      </form>
    </Dialog>
  );
}
