import { Avatar } from '../../ui/Avatar.js';
import { EmptyState } from '../../ui/EmptyState.js';
import { Icon } from '../../ui/icons.js';
import { useLibrary } from './library-store.js';

export function ArtistGrid() {
  const artists = useLibrary((s) => s.artists);
  if (artists.length === 0) {
    return (
      <EmptyState icon={<Icon name="users" size={36} />} title="No artists yet">
        <p>Artists appear here as soon as their first track is ready.</p>
      </EmptyState>
    );
  }
  const { showTracks } = useLibrary.getState();
  return (
    <ul className="grid" aria-label="Artists">
      {artists.map((a) => (
        <li key={a.name}>
          <button
            type="button"
            className="grid-card artist"
            onClick={() => void showTracks({ kind: 'artist', artist: a.name })}
          >
            <Avatar name={a.name} size={120} />
            <span className="grid-title">{a.name}</span>
            <span className="grid-sub">
              {a.trackCount} {a.trackCount === 1 ? 'track' : 'tracks'}
            </span>
          </button>
        </li>
      ))}
    </ul>
  );
}
