import type { CoreEvent } from '../../common/contract.js';
import type { SyncDomain } from '../sync/sync-connection.js';

/**
 * The library's side of the sync connection: the server's `track` frames (an upload being
 * processed) become `track.processing` events, and a track that finished (or failed) is
 * re-read, since the cached copy still says "processing".
 */
export function trackNotices(
  emit: (event: CoreEvent) => void,
  settled: (trackId: string) => void,
): SyncDomain<'track'> {
  return {
    frames: ['track'],
    onFrame(frame) {
      emit({
        type: 'track.processing',
        trackId: frame.trackId,
        state: frame.state,
        percent: frame.percent,
        failureReason: frame.failureReason ?? null,
      });
      if (frame.state !== 'processing') settled(frame.trackId);
    },
  };
}
