import { useState } from 'react';
import { Dialog } from '../../ui/Dialog.js';
import { TIMEOUT_CHOICES, type TimeoutChoice } from './triage.js';

/** The duration picker for `t`: a preset duration (1 hour preselected) and the reason the user sees. */
export function TimeoutDialog({
  username,
  onClose,
  onConfirm,
}: {
  username: string;
  onClose(): void;
  onConfirm(choice: TimeoutChoice): void;
}) {
  const [seconds, setSeconds] = useState(3600);
  const [reason, setReason] = useState('');
  const valid = reason.trim() !== '';
  const submit = (): void => {
    if (!valid) return;
    onClose();
    onConfirm({ durationSeconds: seconds, reason: reason.trim() });
  };
  return (
    <Dialog
      open
      title={`Time out ${username}`}
      onClose={onClose}
      actions={
        <>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form="timeout-form" className="button primary" disabled={!valid}>
            Time out
          </button>
        </>
      }
    >
      <form
        id="timeout-form"
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <fieldset className="field">
          <legend>Duration</legend>
          <div className="radio-group duration-choices">
            {TIMEOUT_CHOICES.map((choice) => (
              <label key={choice.seconds}>
                <input
                  type="radio"
                  name="timeout-duration"
                  checked={seconds === choice.seconds}
                  onChange={() => setSeconds(choice.seconds)}
                />
                {choice.label}
              </label>
            ))}
          </div>
        </fieldset>
        <label className="field">
          <span>Reason (shown to {username})</span>
          <input
            className="input"
            autoFocus
            maxLength={500}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            placeholder="Please keep it civil."
          />
        </label>
      </form>
    </Dialog>
  );
}
