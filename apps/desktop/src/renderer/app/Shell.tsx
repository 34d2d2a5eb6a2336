import { useEffect } from 'react';
import { OfflineBanner } from '../features/connection/OfflineBanner.js';
import { useShortcuts } from './shortcuts.js';
import { useUi } from './ui-store.js';
import { AdminMode } from '../features/admin/index.js';
import { BrowseRooms } from '../features/chat/BrowseRooms.js';
import { AnalyticsDashboard, ArtistStats } from '../features/analytics/index.js';
import { Downloads } from '../features/downloads/Downloads.js';
import { Home } from '../features/home/Home.js';
import { Library } from '../features/library/Library.js';
import { PlayerBar } from '../features/player/PlayerBar.js';
import { RoomView } from '../features/chat/RoomView.js';
import { SearchOverlay } from '../features/search/SearchOverlay.js';
import { SettingsView } from '../features/settings/SettingsView.js';
import { Sidebar } from './Sidebar.js';
import { startMediaSession } from '../features/player/media-session.js';

export function Shell() {
  useShortcuts();
  useEffect(() => startMediaSession(), []);
  const view = useUi((s) => s.view);
  const searchOpen = useUi((s) => s.searchOpen);

  let main;
  switch (view.kind) {
    case 'room':
      main = <RoomView key={view.roomId} roomId={view.roomId} />;
      break;
    case 'browse':
      main = <BrowseRooms />;
      break;
    case 'library':
      main = <Library />;
      break;
    case 'downloads':
      main = <Downloads />;
      break;
    case 'admin':
      main = <AdminMode />;
      break;
    case 'stats':
      main = <ArtistStats />;
      break;
    case 'analytics':
      main = <AnalyticsDashboard />;
      break;
    case 'settings':
      main = <SettingsView />;
      break;
    default:
      main = <Home />;
  }

  return (
    <div className="shell">
      <Sidebar />
      <main className="main">
        <OfflineBanner />
        {main}
      </main>
      <PlayerBar />
      {searchOpen && <SearchOverlay />}
    </div>
  );
}
