import { useState } from 'react';
import { formatDurationMs } from '../../lib/format.js';
import { EmptyState } from '../../ui/EmptyState.js';
import { Icon } from '../../ui/icons.js';
import { Spinner } from '../../ui/Spinner.js';
import { useLibrary } from './library-store.js';
import { PlaylistDetail } from './PlaylistDetail.js';

export function Playlists() {
  const playlists = useLibrary((s) => s.playlists);
  const detail = useLibrary((s) => s.playlist);
  const loading = useLibrary((s) => s.playlistLoading);
  const [name, setName] = useState('');
  if (detail) return <PlaylistDetail />;
  const lib = useLibrary.getState();
  return (
    <>
      <form
        className="row gap inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (!name.trim()) return;
          void lib.createPlaylist(name.trim()).then((p) => p && setName(''));
        }}
      >
        <input
          className="input"
          aria-label="New playlist name"
          placeholder="New playlist name"
          value={name}
          maxLength={100}
          onChange={(e) => setName(e.target.value)}
        />
        <button type="submit" className="button" disabled={!name.trim()}>
          <Icon name="plus" /> Create playlist
        </button>
      </form>
      {loading && <Spinner label="Opening playlist" />}
      {playlists.length === 0 ? (
        <EmptyState icon={<Icon name="music" size={36} />} title="No playlists yet">
          <p>Name one above, then add tracks to it from the ⋯ menu on any track.</p>
        </EmptyState>
      ) : (
        <ul className="grid" aria-label="Playlists">
          {playlists.map((p) => (
            <li key={p.id}>
              <button type="button" className="grid-card" onClick={() => void lib.openPlaylist(p.id)}>
                <span className="playlist-art" aria-hidden="true">
                  <Icon name="music" size={40} />
                </span>
                <span className="grid-title">{p.name}</span>
                <span className="grid-sub">
                  {p.trackCount} {p.trackCount === 1 ? 'track' : 'tracks'} · {formatDurationMs(p.durationMs)}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
