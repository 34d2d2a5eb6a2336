import { formatTimeOfDay } from '../../lib/format.js';
import { useConnection } from './connection-store.js';

export function connectionText(status: string, nextRetryAt: string | null): string {
  switch (status) {
    case 'online':
      return 'Online';
    case 'connecting':
      return 'Connecting…';
    case 'syncing':
      return 'Syncing…';
    default:
      return nextRetryAt ? `Offline — retrying at ${formatTimeOfDay(nextRetryAt)}` : 'Offline';
  }
}

export function ConnectionIndicator() {
  const connection = useConnection((s) => s.connection);
  const text = connectionText(connection.status, connection.nextRetryAt);
  return (
    <div
      className={`connection ${connection.status}`}
      role="status"
      aria-label="Connection"
      title={connection.lastError ?? undefined}
    >
      <span className="connection-dot" aria-hidden="true" />
      <span className="connection-text">{text}</span>
    </div>
  );
}
