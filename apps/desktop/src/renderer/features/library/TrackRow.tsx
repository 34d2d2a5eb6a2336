import { useState } from 'react';
import type { LibraryTrack } from '../../../common/contract.js';
import { formatDurationMs } from '../../lib/format.js';
import { Cover } from '../../ui/Cover.js';
import { Icon } from '../../ui/icons.js';
import { usePlayer } from '../player/player-store.js';
import { DownloadCell } from './DownloadCell.js';
import { useLibrary } from './library-store.js';
import { TrackMenu } from './TrackMenu.js';

export function TrackRow({
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
