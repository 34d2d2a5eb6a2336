import { formatTimeOfDay } from '../../lib/format.js';
import { Icon } from '../../ui/icons.js';
import { useConnection } from './connection-store.js';

export function OfflineBanner() {
  const connection = useConnection((s) => s.connection);
  if (connection.status !== 'offline') return null;
  return (
    <div className="offline-banner">
      <Icon name="wifi-off" size={16} />
      <span>
        You’re offline. Cached chat and downloaded tracks still work; messages you send go out when the connection
        returns.
        {connection.nextRetryAt && ` Retrying at ${formatTimeOfDay(connection.nextRetryAt)}.`}
      </span>
    </div>
  );
}
