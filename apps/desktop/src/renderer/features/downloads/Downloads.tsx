import { formatBytes } from '../../lib/format.js';
import { useDownloads } from './downloads-store.js';
import { DownloadRow } from './DownloadRow.js';
import { useUi } from '../../app/ui-store.js';
import { EmptyState } from '../../ui/EmptyState.js';
import { ProgressBar } from '../../ui/ProgressBar.js';
import { Spinner } from '../../ui/Spinner.js';
import { Icon } from '../../ui/icons.js';

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
