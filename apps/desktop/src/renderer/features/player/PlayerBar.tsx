import type { PlaybackQuality } from '../../../common/contract.js';
import { formatClock } from '../../lib/format.js';
import * as Q from './queue.js';
import { usePlayer } from './player-store.js';
import { QueuePanel } from './QueuePanel.js';
import { Waveform } from './Waveform.js';
import { useUi } from '../../app/ui-store.js';
import { Cover } from '../../ui/Cover.js';
import { Icon } from '../../ui/icons.js';

export function PlayerBar() {
  const track = usePlayer((s) => Q.current(s.queue));
  const status = usePlayer((s) => s.status);
  const buffering = usePlayer((s) => s.buffering);
  const position = usePlayer((s) => s.position);
  const duration = usePlayer((s) => s.duration);
  const volume = usePlayer((s) => s.volume);
  const quality = usePlayer((s) => s.quality);
  const offline = usePlayer((s) => s.source?.kind === 'offline');
  const canNext = usePlayer((s) => Q.hasNext(s.queue));
  const queueSize = usePlayer((s) => s.queue.items.length);
  const queueOpen = useUi((s) => s.queueOpen);
  const player = usePlayer.getState();
  const playing = status === 'playing';

  return (
    <section className="player" aria-label="Player">
      <div className="player-track">
        {track ? (
          <>
            <Cover src={track.coverSrc} color={track.coverColor} size={52} />
            <div className="player-text">
              <span className="track-title" title={track.title}>
                {track.title}
              </span>
              <span className="track-artist">
                {track.artist}
                {offline && (
                  <span className="chip subtle" title="Playing the downloaded copy">
                    Offline
                  </span>
                )}
              </span>
            </div>
          </>
        ) : (
          <div className="player-text">
            <span className="track-title muted">Nothing playing</span>
            <span className="track-artist">Pick a track in the Library</span>
          </div>
        )}
      </div>
      <div className="player-center">
        <div className="player-controls">
          <button
            type="button"
            className="icon-button"
            aria-label="Previous track"
            disabled={!track}
            onClick={() => void player.previous()}
          >
            <Icon name="prev" size={18} />
          </button>
          <button
            type="button"
            className={status === 'loading' || buffering ? 'play-button loading' : 'play-button'}
            aria-label={playing ? 'Pause' : 'Play'}
            disabled={!track}
            onClick={player.togglePlay}
          >
            <Icon name={playing ? 'pause' : 'play'} size={20} />
          </button>
          <button
            type="button"
            className="icon-button"
            aria-label="Next track"
            disabled={!canNext}
            onClick={() => void player.next()}
          >
            <Icon name="next" size={18} />
          </button>
        </div>
        <div className="player-timeline">
          <span className="time" data-testid="current-time">
            {formatClock(position)}
          </span>
          <Waveform />
          <span className="time total">{formatClock(duration)}</span>
        </div>
      </div>
      <div className="player-side">
        <label className="select-wrap" title="Streaming quality">
          <span className="sr-only">Quality</span>
          <select
            aria-label="Quality"
            value={quality}
            onChange={(e) => player.setQuality(e.target.value as PlaybackQuality)}
            className="select small"
          >
            <option value="auto">Auto</option>
            <option value="64k">64 kbps</option>
            <option value="128k">128 kbps</option>
            <option value="256k">256 kbps</option>
          </select>
        </label>
        <div className="volume">
          <button
            type="button"
            className="icon-button small"
            aria-label={volume === 0 ? 'Unmute' : 'Mute'}
            onClick={() => player.setVolume(volume === 0 ? 0.8 : 0)}
          >
            <Icon name={volume === 0 ? 'volume-off' : 'volume'} size={18} />
          </button>
          <input
            type="range"
            className="range"
            aria-label="Volume"
            min={0}
            max={1}
            step={0.01}
            value={volume}
            onChange={(e) => player.setVolume(Number(e.target.value))}
            style={{ ['--fill' as string]: `${Math.round(volume * 100)}%` }}
          />
        </div>
        <button
          type="button"
          className={queueOpen ? 'icon-button active' : 'icon-button'}
          aria-label="Queue"
          aria-expanded={queueOpen}
          title={`Queue (${queueSize})`}
          onClick={() => useUi.getState().toggleQueue()}
        >
          <Icon name="queue" size={18} />
        </button>
      </div>
      {queueOpen && <QueuePanel />}
    </section>
  );
}
