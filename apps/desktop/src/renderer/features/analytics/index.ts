/** The analytics feature's front door: the admin mode mounts the dashboard, the shell the artist view. */
export { AnalyticsDashboard } from './AnalyticsDashboard.js';
export { ArtistStats } from './ArtistStats.js';
export { useArtistStats } from './artist-stats-store.js';
export { useDashboard } from './dashboard-store.js';
