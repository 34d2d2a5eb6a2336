import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FeatureDeps } from '../feature-module.js';
import { playRoutes } from './play-routes.js';
import { playlistRoutes } from './playlist-routes.js';
import { Playlists } from './playlists.js';
import { PlayReports } from './plays.js';
import { trackRoutes } from './track-routes.js';
import { TrackLibrary } from './tracks.js';

/** The library: browsing, search, playlists, likes and play reports. */
export const libraryRoutes: FastifyPluginAsyncTypebox<Pick<FeatureDeps, 'db' | 'clock'>> = async (
  app,
  { db, clock },
) => {
  await app.register(trackRoutes, { tracks: new TrackLibrary({ db, clock }) });
  await app.register(playlistRoutes, { playlists: new Playlists({ db, clock }) });
  await app.register(playRoutes, { plays: new PlayReports({ db, clock }) });
};
