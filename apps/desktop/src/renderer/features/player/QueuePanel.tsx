import { Cover } from '../../ui/Cover.js';
import { Icon } from '../../ui/icons.js';
import { useUi } from '../../app/ui-store.js';
import { usePlayer } from './player-store.js';

export function QueuePanel() {
  const queue = usePlayer((s) => s.queue);
  const player = usePlayer.getState();
  const close = (): void => useUi.getState().toggleQueue();
  return (
    <aside className="queue-panel" aria-label="Queue">
      <header>
        <h2>Queue</h2>
        <div className="row gap-sm">
          <button
            type="button"
            className="button ghost small"
            disabled={queue.items.length <= 1}
            onClick={player.clearQueue}
          >
            Clear queue
          </button>
          <button type="button" className="icon-button small" aria-label="Close queue" onClick={close}>
            <Icon name="x" size={16} />
          </button>
        </div>
      </header>
      {queue.items.length === 0 ? (
        <p className="queue-empty muted">Nothing queued. Use ⋯ → Add to queue on any track, or play a playlist.</p>
      ) : (
        <ol className="queue-list">
          {queue.items.map((track, i) => (
            <li
              key={`${track.id}-${i}`}
              className={i === queue.index ? 'current' : i < queue.index ? 'played' : undefined}
            >
              <button
                type="button"
                className="queue-track"
                onClick={() => void player.playAt(i)}
                aria-current={i === queue.index || undefined}
              >
                <Cover src={track.coverSrc} color={track.coverColor} size={32} />
                <span className="queue-text">
                  <span className="track-title">{track.title}</span>
                  <span className="track-artist">{track.artist}</span>
                </span>
              </button>
              <div className="queue-actions">
                <button
                  type="button"
                  className="icon-button small"
                  aria-label={`Move ${track.title} up`}
                  disabled={i === 0}
                  onClick={() => player.move(i, -1)}
                >
                  <Icon name="up" size={14} />
                </button>
                <button
                  type="button"
                  className="icon-button small"
                  aria-label={`Move ${track.title} down`}
                  disabled={i === queue.items.length - 1}
                  onClick={() => player.move(i, 1)}
                >
                  <Icon name="down" size={14} />
                </button>
                <button
                  type="button"
                  className="icon-button small"
                  aria-label={`Remove ${track.title} from queue`}
                  onClick={() => player.removeAt(i)}
                >
                  <Icon name="x" size={14} />
                </button>
              </div>
            </li>
          ))}
        </ol>
      )}
    </aside>
  );
}
