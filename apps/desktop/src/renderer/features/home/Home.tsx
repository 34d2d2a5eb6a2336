import { useRooms } from '../chat/rooms-store.js';
import { useSession } from '../session/session-store.js';
import { useUi } from '../../app/ui-store.js';
import { EmptyState } from '../../ui/EmptyState.js';
import { Icon } from '../../ui/icons.js';

export function Home() {
  const rooms = useRooms((s) => s.rooms);
  const loaded = useRooms((s) => s.loaded);
  const session = useSession((s) => s.session);
  const name = session?.status === 'signed-in' ? session.user.username : '';
  const { navigate } = useUi.getState();
  return (
    <div className="view home">
      <EmptyState icon={<Icon name="music" size={40} />} title={name ? `Hi ${name}` : 'Welcome'}>
        {loaded && rooms.length === 0 ? (
          <p>You haven’t joined any rooms yet. Find one to chat in, or start your own.</p>
        ) : (
          <p>Pick a room on the left to catch up, or put something on while you chat.</p>
        )}
        <div className="row gap">
          <button type="button" className="button primary" onClick={() => navigate({ kind: 'browse' })}>
            <Icon name="compass" /> Find rooms to join
          </button>
          <button type="button" className="button" onClick={() => navigate({ kind: 'library' })}>
            <Icon name="music" /> Find music to play
          </button>
        </div>
        <p className="muted small">
          Tip: press <kbd>Ctrl</kbd>+<kbd>K</kbd> to search every message, even offline.
        </p>
      </EmptyState>
    </div>
  );
}
