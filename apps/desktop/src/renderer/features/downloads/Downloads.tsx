import type { DownloadEntry } from '../../../common/contract.js';
import { formatBytes } from '../../lib/format.js';
import { useDownloads } from './downloads-store.js';
import { useUi } from '../../app/ui-store.js';
import { EmptyState } from '../../ui/EmptyState.js';
import { ProgressBar } from '../../ui/ProgressBar.js';
import { Spinner } from '../../ui/Spinner.js';
import { Icon } from '../../ui/icons.js';

const STATE_TEXT: Record<DownloadEntry['state'], string> = {
  queued: 'Waiting…',
  downloading: 'Downloading',
  done: 'Available offline',
  failed: 'Failed',
};

function DownloadRow({ entry }: { entry: DownloadEntry }) {
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

export function Downloads() {
  const view = useDownloads((s) => s.view);
  const used = view?.usedBytes ?? 0;
  const quota = view?.quotaBytes ?? 0;
  const entries = view?.entries ?? [];
  const nearlyFull = quota > 0 && used / quota > 0.9;
  return (
    <section className="view downloads" aria-labelledby="downloads-title">
      <header className="view-header">
        <h1 id="downloads-title">Downloads</h1>
      </header>
      <div className="view-body">
        <div className="storage card">
          <div className="storage-head">
            <span className="storage-title">Storage</span>
            <span data-testid="storage-used">
              {formatBytes(used)} of {quota > 0 ? formatBytes(quota) : 'no limit'} used
            </span>
          </div>
          {quota > 0 && (
            <ProgressBar label="Storage used" value={used} max={quota} className={nearlyFull ? 'warn' : undefined} />
          )}
          <p className="muted small">
            {nearlyFull
              ? 'Almost full: remove some downloads or raise the quota in Settings.'
              : 'Downloaded tracks play without a connection.'}{' '}
            <button
              type="button"
              className="link-button"
              onClick={() => useUi.getState().navigate({ kind: 'settings' })}
            >
              Change the quota
            </button>
          </p>
        </div>
        {view === null ? (
          <div className="center-fill">
            <Spinner label="Loading downloads" />
          </div>
        ) : entries.length === 0 ? (
          <EmptyState icon={<Icon name="download" size={36} />} title="No downloads yet">
            <p>Use the download button on a track or a playlist in the Library to listen offline.</p>
            <button
              type="button"
              className="button primary"
              onClick={() => useUi.getState().navigate({ kind: 'library' })}
            >
              Find music to download
            </button>
          </EmptyState>
        ) : (
          <ul className="download-list" aria-label="Downloaded tracks">
            {entries.map((entry) => (
              <DownloadRow key={entry.trackId} entry={entry} />
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}
