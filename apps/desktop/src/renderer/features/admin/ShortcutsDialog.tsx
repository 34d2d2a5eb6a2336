import { Dialog } from '../../ui/Dialog.js';
import { TRIAGE_SHORTCUTS } from './triage.js';

/** `?`: every triage key, as a table. */
export function ShortcutsDialog({ onClose }: { onClose(): void }) {
  return (
    <Dialog
      open
      title="Keyboard shortcuts"
      onClose={onClose}
      actions={
        <button type="button" className="button primary" autoFocus onClick={onClose}>
          Done
        </button>
      }
    >
      <table className="shortcut-table">
        <tbody>
          {TRIAGE_SHORTCUTS.map((s) => (
            <tr key={s.command}>
              <td>
                {s.keys.map((k) => (
                  <kbd key={k}>{k}</kbd>
                ))}
              </td>
              <td>{s.label}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Dialog>
  );
}
