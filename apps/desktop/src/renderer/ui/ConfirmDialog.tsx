import type { ReactNode } from 'react';
import { Dialog } from './Dialog.js';

/** One way out of a confirmation besides Cancel; `danger` is for what cannot be undone. */
export interface ConfirmChoice {
  label: string;
  tone: 'primary' | 'danger';
  onChoose(): void;
}

/**
 * "Are you sure?": Cancel, then one or more choices. Every choice closes the dialog before it acts,
 * so an action that fails or navigates never leaves the question on screen.
 */
export function ConfirmDialog({
  open,
  title,
  onClose,
  choices,
  children,
}: {
  open: boolean;
  title: string;
  onClose(): void;
  choices: readonly ConfirmChoice[];
  children?: ReactNode;
}) {
  return (
    <Dialog
      open={open}
      title={title}
      onClose={onClose}
      actions={
        <>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          {choices.map((choice) => (
            <button
              key={choice.label}
              type="button"
              className={`button ${choice.tone}`}
              onClick={() => {
                onClose();
                choice.onChoose();
              }}
            >
              {choice.label}
            </button>
          ))}
        </>
      }
    >
      {children}
    </Dialog>
  );
}
