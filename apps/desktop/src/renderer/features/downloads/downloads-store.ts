import { create } from 'zustand';
import type { DownloadEntry, DownloadsView } from '../../../common/contract.js';
import { veza } from '../../bridge.js';
import { useUi } from '../../app/ui-store.js';

interface DownloadsStore {
  view: DownloadsView | null;
  load(): Promise<void>;
  set(view: DownloadsView): void;
  downloadTracks(trackIds: string[]): Promise<void>;
  downloadPlaylist(playlistId: string): Promise<void>;
  cancel(trackId: string): Promise<void>;
  remove(trackId: string): Promise<void>;
  retry(entry: DownloadEntry): Promise<void>;
  reset(): void;
}

export const useDownloads = create<DownloadsStore>()((set) => {
  const run = async (action: () => Promise<DownloadsView>, success?: string): Promise<void> => {
    try {
      set({ view: await action() });
      if (success) useUi.getState().toast('success', success, { view: { kind: 'downloads' }, icon: 'download' });
    } catch (error) {
      useUi.getState().reportError(error);
    }
  };
  return {
    view: null,
    load: () => run(() => veza.listDownloads()),
    set: (view) => set({ view }),
    // One track: its row's own progress ring says it all, no toast. Several: a brief confirmation.
    downloadTracks: (trackIds) =>
      run(
        () => veza.downloadTracks({ trackIds }),
        trackIds.length === 1 ? undefined : `Downloading ${trackIds.length} tracks.`,
      ),
    downloadPlaylist: (playlistId) => run(() => veza.downloadPlaylist({ playlistId }), 'Downloading the playlist.'),
    cancel: (trackId) => run(() => veza.cancelDownload({ trackId })),
    remove: (trackId) => run(() => veza.removeDownload({ trackId })),
    retry: (entry) => run(() => veza.downloadTracks({ trackIds: [entry.trackId], quality: entry.quality })),
    reset: () => set({ view: null }),
  };
});

/** A track's download state as the library shows it (null: not downloaded nor queued). */
export function downloadStateOf(view: DownloadsView | null, trackId: string): DownloadEntry | null {
  return view?.entries.find((e) => e.trackId === trackId) ?? null;
}
