import { useReports } from './reports-store.js';

/** Actions taken offline: how many wait for the connection, and which the server refused (with its reason). */
export function PendingActionsBar() {
  const pending = useReports((s) => s.pending);
  if (pending.length === 0) return null;
  const queued = pending.filter((p) => p.state === 'queued');
  const failed = pending.filter((p) => p.state === 'failed');
  return (
    <div className="pending-bar" role="status" aria-label="Offline actions">
      {queued.length > 0 && (
        <p>
          <strong>{queued.length}</strong> {queued.length === 1 ? 'action waits' : 'actions wait'} for the connection;
          each is checked again by the server when sent.
        </p>
      )}
      {failed.map((p) => (
        <p key={p.id} className="pending-failed">
          “{p.body.action}” failed: {p.error?.message ?? 'refused by the server'}{' '}
          <button type="button" className="link-button" onClick={() => void useReports.getState().discardPending(p.id)}>
            Dismiss
          </button>
        </p>
      ))}
    </div>
  );
}
