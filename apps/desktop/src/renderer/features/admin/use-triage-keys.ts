import { useEffect } from 'react';
import { isTypingTarget } from '../../app/shortcuts.js';
import { commandForKey, type TriageCommand } from './triage.js';

/**
 * The queue's keys, on the window while the queue is shown: ignored while typing, while a dialog
 * is open (its own keys win) and with modifiers (the app's shortcuts use them).
 */
export function useTriageKeys(onCommand: (command: TriageCommand) => void): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.defaultPrevented || isTypingTarget(e.target)) return;
      if (document.querySelector('dialog[open]')) return;
      const command = commandForKey(e.key, { ctrl: e.ctrlKey, meta: e.metaKey, alt: e.altKey });
      if (!command) return;
      e.preventDefault();
      onCommand(command);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onCommand]);
}
