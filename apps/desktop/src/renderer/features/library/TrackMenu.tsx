import { useEffect, useRef, useState } from 'react';
import type { LibraryTrack } from '../../../common/contract.js';
import { Icon } from '../../ui/icons.js';
import { useDismiss } from '../../ui/use-dismiss.js';
import { usePlayer } from '../player/player-store.js';
import { useLibrary } from './library-store.js';
import { useModeration } from '../moderation/moderation-store.js';
import { currentUser } from '../session/session-store.js';

/** A track's ⋯ menu: queue it, take it out of this playlist, or add it to one (a new one included). */
export function TrackMenu({
  track,
  playlistId,
  onClose,
}: {
  track: LibraryTrack;
  playlistId: string | null;
  onClose(): void;
}) {
  const playlists = useLibrary((s) => s.playlists);
  const ref = useRef<HTMLDivElement>(null);
  const [naming, setNaming] = useState(false);
  const [name, setName] = useState('');
  useDismiss(ref, onClose);
  useEffect(() => {
    if (playlists.length === 0) void useLibrary.getState().loadPlaylists();
    ref.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
  }, []);
  const lib = useLibrary.getState();
  return (
    <div className="menu" role="menu" aria-label={`Actions for ${track.title}`} ref={ref}>
      <button
        type="button"
        role="menuitem"
        disabled={track.state !== 'ready'}
        onClick={() => {
          usePlayer.getState().enqueue([track]);
          onClose();
        }}
      >
        <Icon name="queue" size={16} /> Add to queue
      </button>
      {playlistId && (
        <button
          type="button"
          role="menuitem"
          onClick={() => {
            void lib.removeFromPlaylist(playlistId, track.id);
            onClose();
          }}
        >
          <Icon name="x" size={16} /> Remove from this playlist
        </button>
      )}
      <div className="menu-label">Add to playlist</div>
      {playlists
        .filter((p) => p.id !== playlistId)
        .map((p) => (
          <button
            key={p.id}
            type="button"
            role="menuitem"
            onClick={() => {
              void lib.addToPlaylist(p.id, [track.id]);
              onClose();
            }}
          >
            <Icon name="music" size={16} /> {p.name}
          </button>
        ))}
      {track.ownerId !== currentUser()?.id && (
        <button
          type="button"
          role="menuitem"
          onClick={() => {
            useModeration.getState().openReport({
              target: { type: 'track', trackId: track.id },
              label: `the track “${track.title}”`,
            });
            onClose();
          }}
        >
          <Icon name="flag" size={16} /> Report track…
        </button>
      )}
      {naming ? (
        <form
          className="menu-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (!name.trim()) return;
            void lib.createPlaylist(name.trim()).then((p) => {
              if (p) void lib.addToPlaylist(p.id, [track.id]);
            });
            onClose();
          }}
        >
          <input
            className="input"
            aria-label="New playlist name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            autoFocus
            maxLength={100}
          />
          <button type="submit" className="button primary small">
            Add
          </button>
        </form>
      ) : (
        <button type="button" role="menuitem" onClick={() => setNaming(true)}>
          <Icon name="plus" size={16} /> New playlist…
        </button>
      )}
    </div>
  );
}
