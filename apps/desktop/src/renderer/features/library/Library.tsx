import { type ChangeEvent, useEffect, useRef, useState } from 'react';
import type { AlbumSummary } from '../../../common/contract.js';
import { formatBytes, formatDurationMs } from '../../lib/format.js';
import { useDownloads } from '../downloads/downloads-store.js';
import { type LibraryTab, type UploadEntry, useLibrary } from './library-store.js';
import { usePlayer } from '../player/player-store.js';
import { useCan } from '../session/rights.js';
import { useSession } from '../session/session-store.js';
import { Avatar } from '../../ui/Avatar.js';
import { Cover } from '../../ui/Cover.js';
import { ConfirmDialog } from '../../ui/ConfirmDialog.js';
import { EmptyState } from '../../ui/EmptyState.js';
import { ProgressBar } from '../../ui/ProgressBar.js';
import { Spinner } from '../../ui/Spinner.js';
import { Icon } from '../../ui/icons.js';
import { TrackTable } from './TrackTable.js';

const TABS: { id: LibraryTab; label: string }[] = [
  { id: 'tracks', label: 'Tracks' },
  { id: 'albums', label: 'Albums' },
  { id: 'artists', label: 'Artists' },
  { id: 'playlists', label: 'Playlists' },
  { id: 'liked', label: 'Liked' },
];

/** Album covers are server paths: resolve them against the signed-in server. */
function useServerUrl(path: string): string | null {
  const server = useSession((s) => s.session?.serverUrl ?? null);
  if (!path) return null;
  try {
    return new URL(path, server ?? undefined).href;
  } catch {
    return null;
  }
}

function AlbumCard({ album, onOpen }: { album: AlbumSummary; onOpen(): void }) {
  const src = useServerUrl(album.coverUrl);
  return (
    <li>
      <button type="button" className="grid-card" onClick={onOpen}>
        <Cover src={src} color="var(--surface-3)" size={160} />
        <span className="grid-title">{album.name}</span>
        <span className="grid-sub">
          {album.artist} · {album.trackCount} {album.trackCount === 1 ? 'track' : 'tracks'}
        </span>
      </button>
    </li>
  );
}

function UploadRow({ upload }: { upload: UploadEntry }) {
  const { dismissUpload } = useLibrary.getState();
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
            onClick={() => dismissUpload(upload.uploadId)}
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

function UploadButton() {
  const input = useRef<HTMLInputElement>(null);
  const onPick = (e: ChangeEvent<HTMLInputElement>): void => {
    const files = Array.from(e.target.files ?? []);
    e.target.value = '';
    for (const file of files) void useLibrary.getState().upload(file);
  };
  return (
    <>
      <input
        ref={input}
        type="file"
        accept="audio/*"
        className="sr-only"
        tabIndex={-1}
        aria-hidden="true"
        onChange={onPick}
      />
      <button type="button" className="button" onClick={() => input.current?.click()}>
        <Icon name="upload" /> Upload track
      </button>
    </>
  );
}

function PlaylistDetail() {
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

function Playlists() {
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

function TracksPanel({ emptyTitle, emptyText }: { emptyTitle: string; emptyText: string }) {
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

function SearchResults() {
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

export function Library() {
  const tab = useLibrary((s) => s.tab);
  const filter = useLibrary((s) => s.filter);
  const albums = useLibrary((s) => s.albums);
  const artists = useLibrary((s) => s.artists);
  const uploads = useLibrary((s) => s.uploads);
  const query = useLibrary((s) => s.query);
  const results = useLibrary((s) => s.results);
  const listFromCache = useLibrary((s) => s.list.fromCache);
  const detailFromCache = useLibrary((s) => s.playlist?.fromCache ?? false);
  const canUpload = useCan('tracks:upload');
  const [draft, setDraft] = useState(query);
  const lib = useLibrary.getState();

  useEffect(() => {
    // First visit: load the current tab.
    const state = useLibrary.getState();
    if (state.list.tracks.length === 0 && !state.list.loading) state.setTab(state.tab);
    void state.loadPlaylists();
  }, []);

  useEffect(() => {
    const timer = setTimeout(() => {
      if (draft !== useLibrary.getState().query) void useLibrary.getState().search(draft);
    }, 200);
    return () => clearTimeout(timer);
  }, [draft]);

  const searchActive = query.trim().length > 0;
  const fromCache = searchActive
    ? (results?.fromCache ?? false)
    : tab === 'playlists'
      ? detailFromCache
      : listFromCache;

  let body;
  if (searchActive) body = <SearchResults />;
  else if (tab === 'playlists') body = <Playlists />;
  else if (tab === 'albums' && filter.kind !== 'album')
    body =
      albums.length === 0 ? (
        <EmptyState icon={<Icon name="music" size={36} />} title="No albums yet">
          <p>Albums appear here once tracks with album tags are uploaded.</p>
        </EmptyState>
      ) : (
        <ul className="grid" aria-label="Albums">
          {albums.map((a) => (
            <AlbumCard
              key={`${a.artist}/${a.name}`}
              album={a}
              onOpen={() => void lib.showTracks({ kind: 'album', album: a.name, artist: a.artist })}
            />
          ))}
        </ul>
      );
  else if (tab === 'artists' && filter.kind !== 'artist')
    body =
      artists.length === 0 ? (
        <EmptyState icon={<Icon name="users" size={36} />} title="No artists yet">
          <p>Artists appear here as soon as their first track is ready.</p>
        </EmptyState>
      ) : (
        <ul className="grid" aria-label="Artists">
          {artists.map((a) => (
            <li key={a.name}>
              <button
                type="button"
                className="grid-card artist"
                onClick={() => void lib.showTracks({ kind: 'artist', artist: a.name })}
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
          <div className="search-box">
            <Icon name="search" size={16} />
            <input
              type="search"
              className="input"
              aria-label="Search library"
              placeholder="Search tracks, artists, albums"
              value={draft}
              onChange={(e) => setDraft(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Escape') setDraft('');
              }}
            />
          </div>
          {canUpload && <UploadButton />}
        </div>
      </header>
      {!searchActive && (
        <div className="tabs" role="tablist" aria-label="Library sections">
          {TABS.map((t) => (
            <button
              key={t.id}
              type="button"
              role="tab"
              aria-selected={tab === t.id}
              className={tab === t.id ? 'tab active' : 'tab'}
              onClick={() => lib.setTab(t.id)}
            >
              {t.label}
            </button>
          ))}
        </div>
      )}
      <div className="view-body">
        {fromCache && (
          <p className="cache-note">
            <Icon name="wifi-off" size={14} /> Offline — showing cached library
          </p>
        )}
        {uploads.length > 0 && (
          <ul className="uploads" aria-label="Uploads">
            {uploads.map((u) => (
              <UploadRow key={u.uploadId} upload={u} />
            ))}
          </ul>
        )}
        {body}
      </div>
    </section>
  );
}
