import { useState } from 'react';
import { formatDurationMs } from '../../lib/format.js';
import { ConfirmDialog } from '../../ui/ConfirmDialog.js';
import { EmptyState } from '../../ui/EmptyState.js';
import { Icon } from '../../ui/icons.js';
import { useDownloads } from '../downloads/downloads-store.js';
import { usePlayer } from '../player/player-store.js';
import { useLibrary } from './library-store.js';
import { TrackTable } from './TrackTable.js';

export function PlaylistDetail() {
  const detail = useLibrary((s) => s.playlist);
  const [confirmDelete, setConfirmDelete] = useState(false);
  if (!detail) return null;
  const { playlist, tracks } = detail;
  const lib = useLibrary.getState();
  return (
    <div className="playlist-detail">
      <button type="button" className="button ghost small back" onClick={() => void lib.openPlaylist(null)}>
        <Icon name="back" size={16} /> All playlists
      </button>
      <div className="detail-head">
        <div className="playlist-art" aria-hidden="true">
          <Icon name="music" size={48} />
        </div>
        <div className="detail-text">
          <span className="eyebrow">Playlist</span>
          <h2>{playlist.name}</h2>
          {playlist.description && <p className="muted">{playlist.description}</p>}
          <p className="muted small">
            {playlist.ownerUsername} · {playlist.trackCount} {playlist.trackCount === 1 ? 'track' : 'tracks'} ·{' '}
            {formatDurationMs(playlist.durationMs)}
          </p>
          <div className="row gap">
            <button
              type="button"
              className="button primary"
              disabled={tracks.length === 0}
              onClick={() => void usePlayer.getState().playTracks(tracks, 0)}
            >
              <Icon name="play" /> Play all
            </button>
            <button
              type="button"
              className="button"
              disabled={tracks.length === 0}
              onClick={() => void useDownloads.getState().downloadPlaylist(playlist.id)}
            >
              <Icon name="download" /> Download playlist
            </button>
            <button type="button" className="button ghost danger" onClick={() => setConfirmDelete(true)}>
              <Icon name="trash" /> Delete playlist
            </button>
          </div>
        </div>
      </div>
      {tracks.length === 0 ? (
        <EmptyState title="This playlist is empty">
          <p>Add tracks from the Tracks tab with the ⋯ button on a row.</p>
        </EmptyState>
      ) : (
        <TrackTable tracks={tracks} playlistId={playlist.id} />
      )}
      <ConfirmDialog
        open={confirmDelete}
        title={`Delete “${playlist.name}”?`}
        onClose={() => setConfirmDelete(false)}
        choices={[{ label: 'Delete playlist', tone: 'danger', onChoose: () => void lib.deletePlaylist(playlist.id) }]}
      >
        <p className="muted">The tracks stay in the library; only this list goes away.</p>
      </ConfirmDialog>
    </div>
  );
}
