import { EmptyState } from '../../ui/EmptyState.js';
import { Icon } from '../../ui/icons.js';
import { Spinner } from '../../ui/Spinner.js';
import { usePlayer } from '../player/player-store.js';
import { useLibrary } from './library-store.js';
import { TrackTable } from './TrackTable.js';

export function TracksPanel({ emptyTitle, emptyText }: { emptyTitle: string; emptyText: string }) {
  const list = useLibrary((s) => s.list);
  const filter = useLibrary((s) => s.filter);
  const lib = useLibrary.getState();
  const heading =
    filter.kind === 'album' ? `${filter.album} — ${filter.artist}` : filter.kind === 'artist' ? filter.artist : null;
  return (
    <>
      {heading && (
        <div className="filter-head">
          <button
            type="button"
            className="button ghost small back"
            onClick={() => lib.setTab(filter.kind === 'album' ? 'albums' : 'artists')}
          >
            <Icon name="back" size={16} /> {filter.kind === 'album' ? 'All albums' : 'All artists'}
          </button>
          <h2>{heading}</h2>
          <button
            type="button"
            className="button primary small"
            disabled={list.tracks.length === 0}
            onClick={() => void usePlayer.getState().playTracks(list.tracks, 0)}
          >
            <Icon name="play" size={14} /> Play all
          </button>
        </div>
      )}
      {list.error ? (
        <EmptyState icon={<Icon name="wifi-off" size={36} />} title="The library could not be loaded">
          <p>{list.error}</p>
          <button type="button" className="button" onClick={() => void lib.showTracks(filter)}>
            Try again
          </button>
        </EmptyState>
      ) : list.loading && list.tracks.length === 0 ? (
        <div className="center-fill">
          <Spinner label="Loading tracks" />
        </div>
      ) : list.tracks.length === 0 ? (
        <EmptyState icon={<Icon name="music" size={36} />} title={emptyTitle}>
          <p>{emptyText}</p>
        </EmptyState>
      ) : (
        <>
          <TrackTable tracks={list.tracks} />
          {list.nextCursor && (
            <div className="load-more">
              <button type="button" className="button" disabled={list.loading} onClick={() => void lib.loadMore()}>
                {list.loading ? 'Loading…' : 'Load more tracks'}
              </button>
            </div>
          )}
        </>
      )}
    </>
  );
}
