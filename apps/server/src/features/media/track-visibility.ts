import type { Queryable } from '../../infra/db/db.js';
import { notFound } from '../../infra/errors.js';
import type { Actor } from '../auth/index.js';
import { canSeeTrack, findTrackRow, type TrackRow } from './track-rows.js';

/** Managers see and edit every track, whoever uploaded it and whatever its state. */
export const canManageTracks = (viewer: Actor): boolean => viewer.permissions.has('tracks:manage');

export const canSee = (row: Pick<TrackRow, 'state' | 'owner_id'>, viewer: Actor): boolean =>
  canSeeTrack(row, viewer.id, canManageTracks(viewer));

/**
 * canSeeTrack as a SQL condition on `t`, for queries that filter many tracks at once; the
 * parameters are the viewer's id and whether they manage tracks.
 */
export const visibleTrackSql = (viewerParam: string, managesParam: string): string =>
  `(t.state = 'ready' OR t.owner_id = ${viewerParam} OR ${managesParam}::boolean)`;

/** The track as the viewer sees it; a 404 when it does not exist or is not theirs to see. */
export async function requireVisibleTrack(db: Queryable, trackId: string, viewer: Actor): Promise<TrackRow> {
  const row = await findTrackRow(db, trackId, viewer.id);
  if (!row || !canSee(row, viewer)) throw notFound('No such track.');
  return row;
}
