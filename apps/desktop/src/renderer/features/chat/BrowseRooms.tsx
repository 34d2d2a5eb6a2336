import { useEffect, useState } from 'react';
import { useRooms } from './rooms-store.js';
import { useUi } from '../../app/ui-store.js';
import { EmptyState } from '../../ui/EmptyState.js';
import { Spinner } from '../../ui/Spinner.js';
import { Icon } from '../../ui/icons.js';
import { CreateRoomDialog } from './CreateRoomDialog.js';

export function BrowseRooms() {
  const publicRooms = useRooms((s) => s.publicRooms);
  const loading = useRooms((s) => s.publicLoading);
  const error = useRooms((s) => s.publicError);
  const [creating, setCreating] = useState(false);
  const [filter, setFilter] = useState('');
  const { loadPublic, join } = useRooms.getState();

  useEffect(() => {
    void loadPublic();
  }, [loadPublic]);

  const q = filter.trim().toLowerCase();
  const shown = q
    ? publicRooms.filter((r) => r.name.toLowerCase().includes(q) || (r.topic ?? '').toLowerCase().includes(q))
    : publicRooms;

  return (
    <section className="view" aria-labelledby="browse-title">
      <header className="view-header">
        <h1 id="browse-title">Browse rooms</h1>
        <div className="row gap">
          <input
            className="input search-input"
            type="search"
            aria-label="Filter rooms"
            placeholder="Filter rooms"
            value={filter}
            onChange={(e) => setFilter(e.target.value)}
          />
          <button type="button" className="button primary" onClick={() => setCreating(true)}>
            <Icon name="plus" /> Create room
          </button>
        </div>
      </header>
      <div className="view-body">
        {loading && publicRooms.length === 0 ? (
          <div className="center-fill">
            <Spinner label="Loading rooms" />
          </div>
        ) : error ? (
          <EmptyState icon={<Icon name="wifi-off" size={36} />} title="Public rooms are not available">
            <p>{error}</p>
            <button type="button" className="button" onClick={() => void loadPublic()}>
              Try again
            </button>
          </EmptyState>
        ) : shown.length === 0 ? (
          <EmptyState icon={<Icon name="compass" size={36} />} title={q ? 'No room matches' : 'No public rooms yet'}>
            <p>
              {q ? 'Try another word, or create the room yourself.' : 'Be the first: create a room and invite people.'}
            </p>
          </EmptyState>
        ) : (
          <ul className="card-list" aria-label="Public rooms">
            {shown.map((room) => (
              <li key={room.id} className="room-card">
                <div className="room-card-icon" aria-hidden="true">
                  <Icon name="hash" size={22} />
                </div>
                <div className="room-card-text">
                  <h2>{room.name}</h2>
                  {room.topic && <p className="muted">{room.topic}</p>}
                  <span className="muted small">
                    {room.memberCount} {room.memberCount === 1 ? 'member' : 'members'}
                  </span>
                </div>
                {room.joined ? (
                  <button
                    type="button"
                    className="button"
                    aria-label={`Open ${room.name}`}
                    onClick={() => useUi.getState().openRoom(room.id)}
                  >
                    Open
                  </button>
                ) : (
                  <button
                    type="button"
                    className="button primary"
                    aria-label={`Join ${room.name}`}
                    onClick={() => void join(room.id)}
                  >
                    Join
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
      </div>
      <CreateRoomDialog open={creating} onClose={() => setCreating(false)} />
    </section>
  );
}
