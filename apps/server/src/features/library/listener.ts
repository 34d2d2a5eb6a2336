import type { Permission } from '@veza/shared';
import { canSeeTrack, type TrackRow } from '../media/track-rows.js';

/** Who is browsing: a user and their global permissions (managers see and edit every track). */
export interface Listener {
  id: string;
  permissions: ReadonlySet<Permission>;
}

export const canManageTracks = (listener: Listener): boolean => listener.permissions.has('tracks:manage');

export const canSee = (row: Pick<TrackRow, 'state' | 'owner_id'>, listener: Listener): boolean =>
  canSeeTrack(row, listener.id, canManageTracks(listener));

/**
 * canSeeTrack as a SQL condition on `t`, for queries that filter many tracks at once; the
 * parameters are the viewer's id and whether they manage tracks.
 */
export const visibleTrackSql = (viewerParam: string, managesParam: string): string =>
  `(t.state = 'ready' OR t.owner_id = ${viewerParam} OR ${managesParam}::boolean)`;
