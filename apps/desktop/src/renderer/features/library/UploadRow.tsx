import { formatBytes } from '../../lib/format.js';
import { Icon } from '../../ui/icons.js';
import { ProgressBar } from '../../ui/ProgressBar.js';
import type { UploadEntry } from './library-store.js';

export function UploadRow({ upload, onDismiss }: { upload: UploadEntry; onDismiss(): void }) {
  return (
    <li className={`upload-row ${upload.phase}`}>
      <div className="upload-head">
        <Icon name={upload.phase === 'failed' ? 'alert' : upload.phase === 'ready' ? 'check' : 'upload'} size={16} />
        <span className="upload-name">{upload.fileName}</span>
        <span className="muted small">
          {upload.phase === 'uploading' &&
            `Uploading ${formatBytes(upload.sentBytes)} of ${formatBytes(upload.totalBytes)}`}
          {upload.phase === 'processing' && `Transcoding ${Math.round(upload.percent)}%`}
          {upload.phase === 'ready' && 'Ready to play'}
          {upload.phase === 'failed' && 'Failed'}
        </span>
        {(upload.phase === 'ready' || upload.phase === 'failed') && (
          <button
            type="button"
            className="icon-button small"
            aria-label={`Dismiss ${upload.fileName}`}
            onClick={onDismiss}
          >
            <Icon name="x" size={14} />
          </button>
        )}
      </div>
      {upload.phase === 'uploading' && (
        <ProgressBar label="Upload progress" value={upload.sentBytes} max={upload.totalBytes || 1} />
      )}
      {upload.phase === 'processing' && (
        <ProgressBar label="Processing progress" value={upload.percent} className="processing" />
      )}
      {upload.phase === 'failed' && upload.error && <p className="error-text small">{upload.error}</p>}
    </li>
  );
}
