import type { LibraryTrack } from '../../../common/contract.js';
import { Icon } from '../../ui/icons.js';
import { downloadStateOf, useDownloads } from '../downloads/downloads-store.js';

/** A track's offline state in its row: downloaded, on its way, or a button to fetch it. */
export function DownloadCell({ track }: { track: LibraryTrack }) {
  const entry = useDownloads((s) => downloadStateOf(s.view, track.id));
  const state = entry?.state ?? (track.downloaded ? 'done' : null);
  if (state === 'done') {
    return (
      <span className="dl-state done" role="img" aria-label="Downloaded" title="Available offline">
        <Icon name="check" size={16} />
      </span>
    );
  }
  if (state === 'downloading' || state === 'queued') {
    const percent = entry && entry.totalBytes > 0 ? Math.round((entry.receivedBytes / entry.totalBytes) * 100) : 0;
    return (
      <span
        className={`dl-state ${state}`}
        role="img"
        aria-label={state === 'queued' ? 'Queued for download' : `Downloading ${percent}%`}
        title={state === 'queued' ? 'Queued' : `${percent}%`}
      >
        <span className="ring" style={{ ['--p' as string]: `${percent}` }} />
      </span>
    );
  }
  return (
    <button
      type="button"
      className={state === 'failed' ? 'icon-button small warn' : 'icon-button small'}
      aria-label={`Download ${track.title}`}
      title={
        state === 'failed'
          ? `Download failed${entry?.error ? `: ${entry.error}` : ''} — click to retry`
          : 'Download for offline listening'
      }
      disabled={track.state !== 'ready'}
      onClick={() => void useDownloads.getState().downloadTracks([track.id])}
    >
      <Icon name={state === 'failed' ? 'alert' : 'download'} size={16} />
    </button>
  );
}
