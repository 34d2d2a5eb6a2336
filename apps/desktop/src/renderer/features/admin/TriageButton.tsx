import type { ReactNode } from 'react';

/** An action button with its key shown beside the label, so the shortcuts teach themselves. */
export function TriageButton({
  shortcut,
  tone,
  disabled,
  onClick,
  children,
}: {
  shortcut: string;
  tone?: 'primary' | 'danger';
  disabled?: boolean;
  onClick(): void;
  children: ReactNode;
}) {
  return (
    <button
      type="button"
      className={`button${tone ? ` ${tone}` : ''} triage-button`}
      disabled={disabled}
      onClick={onClick}
      aria-keyshortcuts={shortcut}
    >
      {children}
      <kbd aria-hidden="true">{shortcut}</kbd>
    </button>
  );
}
