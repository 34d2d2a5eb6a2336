import type { LibraryTrack } from '../../../common/contract.js';
import { Icon } from '../../ui/icons.js';
import { TrackRow } from './TrackRow.js';

export function TrackTable({ tracks, playlistId = null }: { tracks: LibraryTrack[]; playlistId?: string | null }) {
  return (
    <table className="track-table">
      <thead>
        <tr>
          <th className="col-index" scope="col">
            #
          </th>
          <th className="col-title" scope="col">
            Title
          </th>
          <th className="col-album" scope="col">
            Album
          </th>
          <th className="col-like" scope="col">
            <span className="sr-only">Liked</span>
          </th>
          <th className="col-duration" scope="col">
            <Icon name="clock" size={15} />
            <span className="sr-only">Duration</span>
          </th>
          <th className="col-download" scope="col">
            <span className="sr-only">Offline</span>
          </th>
          <th className="col-more" scope="col">
            <span className="sr-only">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {tracks.map((track, i) => (
          <TrackRow key={track.id} track={track} index={i} tracks={tracks} playlistId={playlistId} />
        ))}
      </tbody>
    </table>
  );
}
