import { Avatar } from '../../ui/Avatar.js';
import { EmptyState } from '../../ui/EmptyState.js';
import { Icon } from '../../ui/icons.js';
import { Spinner } from '../../ui/Spinner.js';
import { AlbumCard } from './AlbumCard.js';
import { useLibrary } from './library-store.js';
import { TrackTable } from './TrackTable.js';

export function SearchResults() {
  const results = useLibrary((s) => s.results);
  const searching = useLibrary((s) => s.searching);
  const query = useLibrary((s) => s.query);
  const lib = useLibrary.getState();
  if (!results) return searching ? <Spinner label="Searching" /> : null;
  const empty = results.tracks.length === 0 && results.albums.length === 0 && results.artists.length === 0;
  if (empty) {
    return (
      <EmptyState icon={<Icon name="search" size={36} />} title={`Nothing matches “${query.trim()}”`}>
        <p>Check the spelling, or try an artist or album name.</p>
      </EmptyState>
    );
  }
  return (
    <div className="search-sections">
      {results.artists.length > 0 && (
        <section aria-label="Artists found">
          <h2 className="section-heading">Artists</h2>
          <ul className="chip-list">
            {results.artists.map((a) => (
              <li key={a.name}>
                <button
                  type="button"
                  className="artist-chip"
                  onClick={() => {
                    void lib.search('');
                    useLibrary.setState({ tab: 'artists' });
                    void lib.showTracks({ kind: 'artist', artist: a.name });
                  }}
                >
                  <Avatar name={a.name} size={28} /> {a.name}
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
      {results.albums.length > 0 && (
        <section aria-label="Albums found">
          <h2 className="section-heading">Albums</h2>
          <ul className="grid small">
            {results.albums.map((a) => (
              <AlbumCard
                key={`${a.artist}/${a.name}`}
                album={a}
                onOpen={() => {
                  void lib.search('');
                  useLibrary.setState({ tab: 'albums' });
                  void lib.showTracks({ kind: 'album', album: a.name, artist: a.artist });
                }}
              />
            ))}
          </ul>
        </section>
      )}
      {results.tracks.length > 0 && (
        <section aria-label="Tracks found">
          <h2 className="section-heading">Tracks</h2>
          <TrackTable tracks={results.tracks} />
        </section>
      )}
    </div>
  );
}
