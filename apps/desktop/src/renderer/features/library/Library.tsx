import { useEffect } from 'react';
import { Icon } from '../../ui/icons.js';
import { useCan } from '../session/rights.js';
import { AlbumGrid } from './AlbumGrid.js';
import { ArtistGrid } from './ArtistGrid.js';
import { useLibrary } from './library-store.js';
import { LibrarySearchBox } from './LibrarySearchBox.js';
import { LibraryTabs } from './LibraryTabs.js';
import { Playlists } from './Playlists.js';
import { SearchResults } from './SearchResults.js';
import { TracksPanel } from './TracksPanel.js';
import { UploadButton } from './UploadButton.js';
import { UploadRow } from './UploadRow.js';

/** The library view: search, tabs, uploads in progress, and the body the tab (or a search) asks for. */
export function Library() {
  const tab = useLibrary((s) => s.tab);
  const filter = useLibrary((s) => s.filter);
  const uploads = useLibrary((s) => s.uploads);
  const query = useLibrary((s) => s.query);
  const results = useLibrary((s) => s.results);
  const listFromCache = useLibrary((s) => s.list.fromCache);
  const detailFromCache = useLibrary((s) => s.playlist?.fromCache ?? false);
  const canUpload = useCan('tracks:upload');
  const lib = useLibrary.getState();

  useEffect(() => {
    // First visit: load the current tab.
    const state = useLibrary.getState();
    if (state.list.tracks.length === 0 && !state.list.loading) state.setTab(state.tab);
    void state.loadPlaylists();
  }, []);

  const searchActive = query.trim().length > 0;
  const fromCache = searchActive
    ? (results?.fromCache ?? false)
    : tab === 'playlists'
      ? detailFromCache
      : listFromCache;

  let body;
  if (searchActive) body = <SearchResults />;
  else if (tab === 'playlists') body = <Playlists />;
  else if (tab === 'albums' && filter.kind !== 'album') body = <AlbumGrid />;
  else if (tab === 'artists' && filter.kind !== 'artist') body = <ArtistGrid />;
  else
    body = (
      <TracksPanel
        emptyTitle={tab === 'liked' ? 'No liked tracks yet' : 'The library is empty'}
        emptyText={
          tab === 'liked'
            ? 'Tap the heart on any track to keep it here.'
            : canUpload
              ? 'Upload your first track with the Upload track button.'
              : 'Tracks appear here as soon as artists on this server upload them.'
        }
      />
    );

  return (
    <section className="view library" aria-labelledby="library-title">
      <header className="view-header">
        <h1 id="library-title">Library</h1>
        <div className="row gap">
          <LibrarySearchBox />
          {canUpload && <UploadButton />}
        </div>
      </header>
      {!searchActive && <LibraryTabs tab={tab} onSelect={lib.setTab} />}
      <div className="view-body">
        {fromCache && (
          <p className="cache-note">
            <Icon name="wifi-off" size={14} /> Offline — showing cached library
          </p>
        )}
        {uploads.length > 0 && (
          <ul className="uploads" aria-label="Uploads">
            {uploads.map((u) => (
              <UploadRow key={u.uploadId} upload={u} onDismiss={() => lib.dismissUpload(u.uploadId)} />
            ))}
          </ul>
        )}
        {body}
      </div>
    </section>
  );
}
