import { useEffect } from 'react';
import { useConnection } from '../connection/connection-store.js';
import { useDashboard } from './dashboard-store.js';
import { formatFigure } from './series.js';
import { Freshness } from './Freshness.js';

/** How often the tiles refresh while the dashboard is on screen and the window visible. */
export const LIVE_REFRESH_MS = 5000;

const TILES = [
  { key: 'usersOnline', label: 'Users online' },
  { key: 'activeRooms', label: 'Active rooms' },
  { key: 'messagesPerMinute', label: 'Messages / min' },
  { key: 'tracksPlaying', label: 'Tracks playing' },
] as const;

/**
 * Now, in four figures. Refreshes every few seconds only while visible (a hidden window asks
 * nothing). Offline, the last figures stay but are dimmed and labelled with their time: a
 * number that looks live but is not would mislead a moderator.
 */
export function LiveTiles() {
  const live = useDashboard((s) => s.live);
  const liveError = useDashboard((s) => s.liveError);
  const online = useConnection((s) => s.connection.status === 'online');

  useEffect(() => {
    const refresh = () => {
      if (document.visibilityState === 'visible') void useDashboard.getState().loadLive();
    };
    refresh();
    const timer = setInterval(refresh, LIVE_REFRESH_MS);
    document.addEventListener('visibilitychange', refresh);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', refresh);
    };
  }, []);

  const stale = !online || live?.fromCache === true || liveError !== null;
  return (
    <section className={stale ? 'live-tiles stale' : 'live-tiles'} aria-labelledby="live-title">
      <header className="section-head">
        <h2 id="live-title">
          {!stale && <span className="live-dot" aria-hidden="true" />}
          Right now
        </h2>
        {live && <Freshness info={live} stale={stale} />}
      </header>
      <div className="tiles">
        {TILES.map((tile) => (
          <div key={tile.key} className="tile" role="group" aria-label={tile.label}>
            <span className="tile-value" data-testid={`tile-${tile.key}`}>
              {live ? formatFigure(live.tiles[tile.key]) : '–'}
            </span>
            <span className="tile-label">{tile.label}</span>
          </div>
        ))}
      </div>
      {!live && liveError && <p className="muted small">{liveError}</p>}
    </section>
  );
}
