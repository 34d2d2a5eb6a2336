import { useEffect, useRef, useState } from 'react';
import type { LibraryTrack } from '../../../common/contract.js';
import { formatDurationMs } from '../../lib/format.js';
import { downloadStateOf, useDownloads } from '../downloads/downloads-store.js';
import { useLibrary } from './library-store.js';
import { usePlayer } from '../player/player-store.js';
import { Cover } from '../../ui/Cover.js';
import { Icon } from '../../ui/icons.js';

function DownloadCell({ track }: { track: LibraryTrack }) {
  const entry = useDownloads((s) => downloadStateOf(s.view, track.id));
  const state = entry?.state ?? (track.downloaded ? 'done' : null);
  if (state === 'done') {
    return (
      <span className="dl-state done" role="img" aria-label="Downloaded" title="Available offline">
        <Icon name="check" size={16} />
      </span>
    );
  }
  if (state === 'downloading' || state === 'queued') {
    const percent = entry && entry.totalBytes > 0 ? Math.round((entry.receivedBytes / entry.totalBytes) * 100) : 0;
    return (
      <span
        className={`dl-state ${state}`}
        role="img"
        aria-label={state === 'queued' ? 'Queued for download' : `Downloading ${percent}%`}
        title={state === 'queued' ? 'Queued' : `${percent}%`}
      >
        <span className="ring" style={{ ['--p' as string]: `${percent}` }} />
      </span>
    );
  }
  return (
    <button
      type="button"
      className={state === 'failed' ? 'icon-button small warn' : 'icon-button small'}
      aria-label={`Download ${track.title}`}
      title={
        state === 'failed'
          ? `Download failed${entry?.error ? `: ${entry.error}` : ''} — click to retry`
          : 'Download for offline listening'
      }
      disabled={track.state !== 'ready'}
      onClick={() => void useDownloads.getState().downloadTracks([track.id])}
    >
      <Icon name={state === 'failed' ? 'alert' : 'download'} size={16} />
    </button>
  );
}

function TrackMenu({
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
  useEffect(() => {
    if (playlists.length === 0) void useLibrary.getState().loadPlaylists();
    ref.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
    const onDown = (e: MouseEvent): void => {
      if (ref.current && !ref.current.contains(e.target as Node)) onClose();
    };
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') onClose();
    };
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
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

function TrackRow({
  track,
  index,
  tracks,
  playlistId,
}: {
  track: LibraryTrack;
  index: number;
  tracks: LibraryTrack[];
  playlistId: string | null;
}) {
  const [menu, setMenu] = useState(false);
  const isCurrent = usePlayer((s) => s.source?.track.id === track.id || s.queue.items[s.queue.index]?.id === track.id);
  const playing = usePlayer((s) => s.status === 'playing');
  const ready = track.state === 'ready';
  const player = usePlayer.getState();
  return (
    <tr
      data-testid="track-row"
      data-track-id={track.id}
      className={isCurrent ? 'current' : undefined}
      onDoubleClick={() => ready && void player.playTracks(tracks, index)}
    >
      <td className="col-index">
        <span className="track-number" aria-hidden="true">
          {isCurrent && playing ? <span className="eq" /> : index + 1}
        </span>
        <button
          type="button"
          className="row-play"
          aria-label={isCurrent && playing ? `Pause ${track.title}` : `Play ${track.title}`}
          disabled={!ready}
          onClick={() =>
            isCurrent && playing ? player.pause() : isCurrent ? player.play() : void player.playTracks(tracks, index)
          }
        >
          <Icon name={isCurrent && playing ? 'pause' : 'play'} size={14} />
        </button>
      </td>
      <td className="col-title">
        <div className="title-cell">
          <Cover src={track.coverSrc} color={track.coverColor} size={40} />
          <div className="title-text">
            <span className="track-title">{track.title}</span>
            <span className="track-artist">{track.artist}</span>
          </div>
          {track.state === 'processing' && <span className="chip">Processing…</span>}
          {track.state === 'failed' && (
            <span className="chip danger" title={track.failureReason ?? undefined}>
              Failed
            </span>
          )}
        </div>
      </td>
      <td className="col-album">{track.album ?? '—'}</td>
      <td className="col-like">
        <button
          type="button"
          className={track.likedByMe ? 'icon-button small liked' : 'icon-button small'}
          aria-label={track.likedByMe ? `Unlike ${track.title}` : `Like ${track.title}`}
          aria-pressed={track.likedByMe}
          onClick={() => void useLibrary.getState().setLiked(track, !track.likedByMe)}
        >
          <Icon name={track.likedByMe ? 'heart-filled' : 'heart'} size={16} />
        </button>
      </td>
      <td className="col-duration">{formatDurationMs(track.durationMs)}</td>
      <td className="col-download">
        <DownloadCell track={track} />
      </td>
      <td className="col-more">
        <div className="menu-anchor">
          <button
            type="button"
            className="icon-button small"
            aria-label={`More actions for ${track.title}`}
            aria-haspopup="menu"
            aria-expanded={menu}
            onClick={() => setMenu((m) => !m)}
          >
            <Icon name="more" size={16} />
          </button>
          {menu && <TrackMenu track={track} playlistId={playlistId} onClose={() => setMenu(false)} />}
        </div>
      </td>
    </tr>
  );
}

export function TrackTable({ tracks, playlistId = null }: { tracks: LibraryTrack[]; playlistId?: string | null }) {
  return (
    <table className="track-table">
      <thead>
        <tr>
          <th className="col-index" scope="col">
            #
          </th>
          <th className="col-title" scope="col">
            Title
          </th>
          <th className="col-album" scope="col">
            Album
          </th>
          <th className="col-like" scope="col">
            <span className="sr-only">Liked</span>
          </th>
          <th className="col-duration" scope="col">
            <Icon name="clock" size={15} />
            <span className="sr-only">Duration</span>
          </th>
          <th className="col-download" scope="col">
            <span className="sr-only">Offline</span>
          </th>
          <th className="col-more" scope="col">
            <span className="sr-only">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {tracks.map((track, i) => (
          <TrackRow key={track.id} track={track} index={i} tracks={tracks} playlistId={playlistId} />
        ))}
      </tbody>
    </table>
  );
}
