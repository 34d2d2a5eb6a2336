import { EmptyState } from '../../ui/EmptyState.js';
import { Icon } from '../../ui/icons.js';
import { AlbumCard } from './AlbumCard.js';
import { useLibrary } from './library-store.js';

export function AlbumGrid() {
  const albums = useLibrary((s) => s.albums);
  if (albums.length === 0) {
    return (
      <EmptyState icon={<Icon name="music" size={36} />} title="No albums yet">
        <p>Albums appear here once tracks with album tags are uploaded.</p>
      </EmptyState>
    );
  }
  const { showTracks } = useLibrary.getState();
  return (
    <ul className="grid" aria-label="Albums">
      {albums.map((a) => (
        <AlbumCard
          key={`${a.artist}/${a.name}`}
          album={a}
          onOpen={() => void showTracks({ kind: 'album', album: a.name, artist: a.artist })}
        />
      ))}
    </ul>
  );
}
