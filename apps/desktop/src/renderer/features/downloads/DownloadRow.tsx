import type { DownloadEntry } from '../../../common/contract.js';
import { formatBytes } from '../../lib/format.js';
import { Icon } from '../../ui/icons.js';
import { ProgressBar } from '../../ui/ProgressBar.js';
import { useDownloads } from './downloads-store.js';

const STATE_TEXT: Record<DownloadEntry['state'], string> = {
  queued: 'Waiting…',
  downloading: 'Downloading',
  done: 'Available offline',
  failed: 'Failed',
};

export function DownloadRow({ entry }: { entry: DownloadEntry }) {
  const { cancel, remove, retry } = useDownloads.getState();
  const active = entry.state === 'queued' || entry.state === 'downloading';
  return (
    <li
      className={`download-row ${entry.state}`}
      data-testid="download-row"
      data-track-id={entry.trackId}
      data-state={entry.state}
    >
      <div className="download-icon" aria-hidden="true">
        <Icon
          name={
            entry.state === 'done'
              ? 'check'
              : entry.state === 'failed'
                ? 'alert'
                : entry.state === 'queued'
                  ? 'clock'
                  : 'download'
          }
        />
      </div>
      <div className="download-main">
        <div className="download-head">
          <span className="track-title">{entry.title}</span>
          <span className="track-artist">{entry.artist}</span>
        </div>
        {active && (
          <ProgressBar
            label={`Download progress for ${entry.title}`}
            value={entry.receivedBytes}
            max={entry.totalBytes || 1}
          />
        )}
        <div className="download-meta muted small">
          <span>{STATE_TEXT[entry.state]}</span>
          <span>{entry.quality}</span>
          {entry.totalBytes > 0 && (
            <span>
              {active
                ? `${formatBytes(entry.receivedBytes)} of ${formatBytes(entry.totalBytes)}`
                : formatBytes(entry.totalBytes)}
            </span>
          )}
          {entry.state === 'failed' && entry.error && <span className="error-text">{entry.error}</span>}
        </div>
      </div>
      <div className="download-actions">
        {entry.state === 'failed' && (
          <button type="button" className="button small" onClick={() => void retry(entry)}>
            Retry
          </button>
        )}
        {active ? (
          <button type="button" className="button small" onClick={() => void cancel(entry.trackId)}>
            Cancel
          </button>
        ) : (
          <button type="button" className="button small ghost" onClick={() => void remove(entry.trackId)}>
            Remove
          </button>
        )}
      </div>
    </li>
  );
}
