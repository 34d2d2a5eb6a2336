import { create } from 'zustand';
import type {
  AlbumSummary,
  ArtistSummary,
  LibrarySearchResult,
  LibraryTrack,
  Playlist,
  PlaylistDetailView,
  Track,
  TrackListQuery,
} from '../../../common/contract.js';
import { veza } from '../../bridge.js';
import { errorMessage } from '../../lib/errors.js';
import { useUi } from '../../app/ui-store.js';

export type LibraryTab = 'tracks' | 'albums' | 'artists' | 'playlists' | 'liked';

/** What the track table shows: all tracks, liked ones, or those of one album / artist. */
export type TrackFilter =
  | { kind: 'all' }
  | { kind: 'liked' }
  | { kind: 'album'; album: string; artist: string }
  | { kind: 'artist'; artist: string };

export interface UploadEntry {
  uploadId: string;
  fileName: string;
  sentBytes: number;
  totalBytes: number;
  trackId: string | null;
  phase: 'uploading' | 'processing' | 'ready' | 'failed';
  percent: number;
  error: string | null;
}

interface TrackList {
  tracks: LibraryTrack[];
  nextCursor: string | null;
  fromCache: boolean;
  loading: boolean;
  error: string | null;
}

interface LibraryStore {
  tab: LibraryTab;
  filter: TrackFilter;
  list: TrackList;
  albums: AlbumSummary[];
  artists: ArtistSummary[];
  playlists: Playlist[];
  playlist: PlaylistDetailView | null;
  playlistLoading: boolean;
  query: string;
  results: LibrarySearchResult | null;
  searching: boolean;
  uploads: UploadEntry[];
  /** Processing events that arrived before uploadTrack answered with the track id. */
  processing: Record<string, { state: Track['state']; percent: number; failureReason: string | null }>;
  setTab(tab: LibraryTab): void;
  showTracks(filter: TrackFilter): Promise<void>;
  loadMore(): Promise<void>;
  refresh(): Promise<void>;
  loadAlbums(): Promise<void>;
  loadArtists(): Promise<void>;
  loadPlaylists(): Promise<void>;
  openPlaylist(playlistId: string | null): Promise<void>;
  createPlaylist(name: string): Promise<Playlist | null>;
  deletePlaylist(playlistId: string): Promise<void>;
  addToPlaylist(playlistId: string, trackIds: string[]): Promise<void>;
  removeFromPlaylist(playlistId: string, trackId: string): Promise<void>;
  search(query: string): Promise<void>;
  setLiked(track: LibraryTrack, liked: boolean): Promise<void>;
  upload(file: File): Promise<void>;
  uploadProgress(uploadId: string, sentBytes: number, totalBytes: number): void;
  trackProcessing(trackId: string, state: Track['state'], percent: number, failureReason: string | null): void;
  dismissUpload(uploadId: string): void;
  reset(): void;
}

const EMPTY_LIST: TrackList = { tracks: [], nextCursor: null, fromCache: false, loading: false, error: null };

function queryFor(filter: TrackFilter): TrackListQuery {
  switch (filter.kind) {
    case 'liked':
      return { liked: true, sort: 'newest', limit: 50 };
    case 'album':
      return { album: filter.album, artist: filter.artist, sort: 'title', limit: 100 };
    case 'artist':
      return { artist: filter.artist, sort: 'title', limit: 100 };
    default:
      return { sort: 'newest', limit: 50 };
  }
}

let searchSeq = 0;

export const useLibrary = create<LibraryStore>()((set, get) => {
  /** Applies a changed track everywhere it is shown. */
  const replaceTrack = (track: LibraryTrack): void => {
    const swap = (list: LibraryTrack[]): LibraryTrack[] => list.map((t) => (t.id === track.id ? track : t));
    const { list, playlist, results } = get();
    set({
      list: { ...list, tracks: swap(list.tracks) },
      playlist: playlist ? { ...playlist, tracks: swap(playlist.tracks) } : null,
      results: results ? { ...results, tracks: swap(results.tracks) } : null,
    });
  };

  return {
    tab: 'tracks',
    filter: { kind: 'all' },
    list: EMPTY_LIST,
    albums: [],
    artists: [],
    playlists: [],
    playlist: null,
    playlistLoading: false,
    query: '',
    results: null,
    searching: false,
    uploads: [],
    processing: {},
    setTab: (tab) => {
      set({ tab, playlist: null });
      if (tab === 'tracks') void get().showTracks({ kind: 'all' });
      if (tab === 'liked') void get().showTracks({ kind: 'liked' });
      if (tab === 'albums') void get().loadAlbums();
      if (tab === 'artists') void get().loadArtists();
      if (tab === 'playlists') void get().loadPlaylists();
    },
    showTracks: async (filter) => {
      set({ filter, list: { ...EMPTY_LIST, loading: true } });
      try {
        const page = await veza.listTracks(queryFor(filter));
        if (get().filter !== filter) return;
        set({ list: { ...page, loading: false, error: null } });
      } catch (error) {
        if (get().filter !== filter) return;
        set({ list: { ...EMPTY_LIST, error: errorMessage(error) } });
      }
    },
    loadMore: async () => {
      const { list, filter } = get();
      if (!list.nextCursor || list.loading) return;
      set({ list: { ...list, loading: true } });
      try {
        const page = await veza.listTracks({ ...queryFor(filter), cursor: list.nextCursor });
        if (get().filter !== filter) return;
        const have = new Set(get().list.tracks.map((t) => t.id));
        set({
          list: {
            tracks: [...get().list.tracks, ...page.tracks.filter((t) => !have.has(t.id))],
            nextCursor: page.nextCursor,
            fromCache: page.fromCache,
            loading: false,
            error: null,
          },
        });
      } catch (error) {
        set({ list: { ...get().list, loading: false } });
        useUi.getState().reportError(error);
      }
    },
    refresh: async () => {
      const { tab, filter, playlist, query } = get();
      const jobs: Promise<unknown>[] = [];
      if (tab === 'tracks' || tab === 'liked' || filter.kind === 'album' || filter.kind === 'artist') {
        jobs.push(
          veza
            .listTracks(queryFor(filter))
            .then((page) => {
              if (get().filter === filter) set({ list: { ...page, loading: false, error: null } });
            })
            .catch(() => undefined),
        );
      }
      if (tab === 'albums') jobs.push(get().loadAlbums());
      if (tab === 'artists') jobs.push(get().loadArtists());
      if (tab === 'playlists') jobs.push(get().loadPlaylists());
      if (playlist) {
        jobs.push(
          veza
            .getPlaylist({ playlistId: playlist.playlist.id })
            .then((detail) => set({ playlist: detail }))
            .catch(() => undefined),
        );
      }
      if (query.trim()) jobs.push(get().search(query));
      await Promise.all(jobs);
    },
    loadAlbums: async () => {
      try {
        set({ albums: await veza.listAlbums() });
      } catch (error) {
        useUi.getState().reportError(error);
      }
    },
    loadArtists: async () => {
      try {
        set({ artists: await veza.listArtists() });
      } catch (error) {
        useUi.getState().reportError(error);
      }
    },
    loadPlaylists: async () => {
      try {
        set({ playlists: await veza.listPlaylists() });
      } catch (error) {
        useUi.getState().reportError(error);
      }
    },
    openPlaylist: async (playlistId) => {
      if (!playlistId) {
        set({ playlist: null });
        return;
      }
      set({ playlistLoading: true });
      try {
        set({ playlist: await veza.getPlaylist({ playlistId }), playlistLoading: false });
      } catch (error) {
        set({ playlistLoading: false });
        useUi.getState().reportError(error);
      }
    },
    createPlaylist: async (name) => {
      try {
        const playlist = await veza.createPlaylist({ name });
        set({ playlists: [playlist, ...get().playlists.filter((p) => p.id !== playlist.id)] });
        useUi.getState().toast('success', `Playlist “${playlist.name}” created.`);
        return playlist;
      } catch (error) {
        useUi.getState().reportError(error);
        return null;
      }
    },
    deletePlaylist: async (playlistId) => {
      try {
        await veza.deletePlaylist({ playlistId });
        set({
          playlists: get().playlists.filter((p) => p.id !== playlistId),
          playlist: get().playlist?.playlist.id === playlistId ? null : get().playlist,
        });
      } catch (error) {
        useUi.getState().reportError(error);
      }
    },
    addToPlaylist: async (playlistId, trackIds) => {
      try {
        const detail = await veza.addToPlaylist({ playlistId, trackIds });
        if (get().playlist?.playlist.id === playlistId) set({ playlist: detail });
        set({ playlists: get().playlists.map((p) => (p.id === playlistId ? detail.playlist : p)) });
        useUi.getState().toast('success', `Added to “${detail.playlist.name}”.`);
      } catch (error) {
        useUi.getState().reportError(error);
      }
    },
    removeFromPlaylist: async (playlistId, trackId) => {
      try {
        const detail = await veza.removeFromPlaylist({ playlistId, trackId });
        if (get().playlist?.playlist.id === playlistId) set({ playlist: detail });
        set({ playlists: get().playlists.map((p) => (p.id === playlistId ? detail.playlist : p)) });
      } catch (error) {
        useUi.getState().reportError(error);
      }
    },
    search: async (query) => {
      const q = query.trim();
      const seq = ++searchSeq;
      set({ query });
      if (!q) {
        set({ results: null, searching: false });
        return;
      }
      set({ searching: true });
      try {
        const results = await veza.searchLibrary({ q: q.slice(0, 200) });
        if (seq === searchSeq) set({ results, searching: false });
      } catch (error) {
        if (seq === searchSeq) set({ searching: false });
        useUi.getState().reportError(error);
      }
    },
    setLiked: async (track, liked) => {
      replaceTrack({ ...track, likedByMe: liked, likeCount: Math.max(0, track.likeCount + (liked ? 1 : -1)) });
      try {
        const updated = await veza.setLiked({ trackId: track.id, liked });
        replaceTrack(updated);
        if (!liked && get().filter.kind === 'liked') {
          set({ list: { ...get().list, tracks: get().list.tracks.filter((t) => t.id !== track.id) } });
        }
      } catch (error) {
        replaceTrack(track);
        useUi.getState().reportError(error);
      }
    },
    upload: async (file) => {
      const uploadId = crypto.randomUUID();
      const entry: UploadEntry = {
        uploadId,
        fileName: file.name,
        sentBytes: 0,
        totalBytes: file.size,
        trackId: null,
        phase: 'uploading',
        percent: 0,
        error: null,
      };
      set({ uploads: [entry, ...get().uploads] });
      const patch = (p: Partial<UploadEntry>): void =>
        set({ uploads: get().uploads.map((u) => (u.uploadId === uploadId ? { ...u, ...p } : u)) });
      try {
        const data = new Uint8Array(await file.arrayBuffer());
        const track = await veza.uploadTrack({ uploadId, fileName: file.name.slice(0, 255) || 'track', data });
        const early = get().processing[track.id];
        const state = early?.state ?? track.state;
        patch({
          trackId: track.id,
          sentBytes: file.size,
          phase: state === 'ready' ? 'ready' : state === 'failed' ? 'failed' : 'processing',
          percent: early?.percent ?? (state === 'ready' ? 100 : 0),
          error: early?.failureReason ?? track.failureReason,
        });
      } catch (error) {
        patch({ phase: 'failed', error: errorMessage(error) });
      }
    },
    uploadProgress: (uploadId, sentBytes, totalBytes) => {
      set({
        uploads: get().uploads.map((u) =>
          u.uploadId === uploadId && u.phase === 'uploading'
            ? { ...u, sentBytes, totalBytes: totalBytes || u.totalBytes }
            : u,
        ),
      });
    },
    trackProcessing: (trackId, state, percent, failureReason) => {
      set({ processing: { ...get().processing, [trackId]: { state, percent, failureReason } } });
      set({
        uploads: get().uploads.map((u) =>
          u.trackId === trackId
            ? {
                ...u,
                phase: state === 'ready' ? 'ready' : state === 'failed' ? 'failed' : 'processing',
                percent: state === 'ready' ? 100 : percent,
                error: failureReason,
              }
            : u,
        ),
      });
      if (state === 'ready') void get().refresh();
    },
    dismissUpload: (uploadId) => set({ uploads: get().uploads.filter((u) => u.uploadId !== uploadId) }),
    reset: () =>
      set({
        tab: 'tracks',
        filter: { kind: 'all' },
        list: EMPTY_LIST,
        albums: [],
        artists: [],
        playlists: [],
        playlist: null,
        query: '',
        results: null,
        uploads: [],
        processing: {},
      }),
  };
});
