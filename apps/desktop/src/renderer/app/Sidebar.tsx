import type { RoomSummary } from '../../common/contract.js';
import { usePresenceOf } from '../features/chat/presence-store.js';
import { roomLabel, sortRooms, useRooms } from '../features/chat/rooms-store.js';
import { useCan } from '../features/session/rights.js';
import { useSession } from '../features/session/session-store.js';
import { type View, useUi } from './ui-store.js';
import { ConnectionIndicator } from '../features/connection/ConnectionIndicator.js';
import { Avatar } from '../ui/Avatar.js';
import { Icon, type IconName } from '../ui/icons.js';

function RoomButton({ room, active }: { room: RoomSummary; active: boolean }) {
  const online = usePresenceOf(room.dmPeer?.id);
  const label = roomLabel(room);
  const unread = room.unreadCount > 0;
  const classes = ['room-item', active && 'active', unread && 'unread', room.mentionCount > 0 && 'mentioned']
    .filter(Boolean)
    .join(' ');
  return (
    <li>
      <button
        type="button"
        className={classes}
        aria-current={active ? 'page' : undefined}
        onClick={() => useUi.getState().openRoom(room.id)}
        title={room.topic ?? undefined}
      >
        {room.kind === 'dm' ? (
          <Avatar name={label} online={online} size={22} />
        ) : (
          <Icon name="hash" size={16} className="room-icon" />
        )}
        <span className="room-name">{label}</span>
        {room.mentionCount > 0 && (
          <span
            className="mention-badge"
            aria-label={room.mentionCount === 1 ? '1 mention' : `${room.mentionCount} mentions`}
          >
            @
          </span>
        )}
        {unread && (
          <span className="badge" aria-label={`${room.unreadCount} unread`}>
            {room.unreadCount > 99 ? '99+' : room.unreadCount}
          </span>
        )}
      </button>
    </li>
  );
}

function NavButton({ label, icon, view, compact }: { label: string; icon: IconName; view: View; compact?: boolean }) {
  const current = useUi((s) => s.view.kind === view.kind);
  return (
    <button
      type="button"
      className={`${compact ? 'icon-button' : 'nav-item'}${current ? ' active' : ''}`}
      title={compact ? label : undefined}
      aria-current={current ? 'page' : undefined}
      onClick={() => useUi.getState().navigate(view)}
    >
      <Icon name={icon} />
      <span className={compact ? 'sr-only' : undefined}>{label}</span>
    </button>
  );
}

export function Sidebar() {
  const rooms = useRooms((s) => s.rooms);
  const loaded = useRooms((s) => s.loaded);
  const activeRoom = useUi((s) => (s.view.kind === 'room' ? s.view.roomId : null));
  const session = useSession((s) => s.session);
  const user = session?.status === 'signed-in' ? session.user : null;
  const myPresence = usePresenceOf(user?.id);
  const canModerate = useCan('moderation:view');
  const canUpload = useCan('tracks:upload');
  const canSeeAnalytics = useCan('analytics:view');
  const sorted = sortRooms(rooms);
  const channels = sorted.filter((r) => r.kind !== 'dm');
  const dms = sorted.filter((r) => r.kind === 'dm');

  return (
    <aside className="sidebar">
      <div className="sidebar-top">
        <div className="brand small">
          <span className="brand-mark" aria-hidden="true">
            V
          </span>
          <span className="brand-name">Veza</span>
        </div>
        <button type="button" className="search-button" onClick={() => useUi.getState().setSearchOpen(true)}>
          <Icon name="search" size={16} />
          <span>Search messages</span>
          <kbd aria-hidden="true">Ctrl K</kbd>
        </button>
      </div>
      <div className="sidebar-nav">
        <NavButton label="Library" icon="library" view={{ kind: 'library' }} />
        <NavButton label="Downloads" icon="download" view={{ kind: 'downloads' }} />
        <NavButton label="Browse rooms" icon="compass" view={{ kind: 'browse' }} />
        {canModerate && <NavButton label="Admin mode" icon="shield" view={{ kind: 'admin' }} />}
        {canUpload && <NavButton label="My stats" icon="chart" view={{ kind: 'stats' }} />}
        {/* Until the admin mode hosts it as a tab, moderators reach the dashboard from here. */}
        {canSeeAnalytics && <NavButton label="Analytics" icon="chart" view={{ kind: 'analytics' }} />}
      </div>
      <nav aria-label="Rooms" className="room-nav">
        <h2 className="section-title">Rooms</h2>
        {channels.length > 0 ? (
          <ul className="room-list">
            {channels.map((room) => (
              <RoomButton key={room.id} room={room} active={room.id === activeRoom} />
            ))}
          </ul>
        ) : (
          loaded && <p className="sidebar-empty">No rooms yet. Use Browse rooms to join one.</p>
        )}
        <h2 className="section-title">Direct messages</h2>
        {dms.length > 0 ? (
          <ul className="room-list">
            {dms.map((room) => (
              <RoomButton key={room.id} room={room} active={room.id === activeRoom} />
            ))}
          </ul>
        ) : (
          loaded && <p className="sidebar-empty">Click someone’s name in a room to message them.</p>
        )}
      </nav>
      <div className="sidebar-bottom">
        <ConnectionIndicator />
        <div className="me-row">
          {user && <Avatar name={user.username} online={myPresence} size={28} />}
          <div className="me-text">
            <span className="me-name" title={user?.username}>
              {user?.username}
            </span>
            <span className="me-role">{user?.role}</span>
          </div>
          <NavButton label="Settings" icon="settings" view={{ kind: 'settings' }} compact />
        </div>
      </div>
    </aside>
  );
}
