import path from 'node:path';
import type {
  Playlist,
  PlaylistDetail,
  SearchResult,
  StreamGrant,
  Track,
  TrackListQuery,
  TrackPage,
  TrackQuality,
  User,
  WaveformPeaksDto,
} from '@veza/shared';
import type {
  AlbumSummary,
  ArtistSummary,
  ConnectionState,
  CoreEvent,
  DownloadsView,
  LibraryPage,
  LibrarySearchResult,
  LibraryTrack,
  PlaybackQuality,
  PlaybackSource,
  PlayEvent,
  PlaylistDetailView,
  Settings,
} from '../../common/contract.js';
import { DesktopError } from '../../common/errors.js';
import type { ApiClient, TokenSource } from '../api/api-client.js';
import type { CacheDb } from '../cache/database.js';
import { localMediaUrl } from '../media/local-media.js';
import { COVERS_ROOT, CoverCache } from './cover-cache.js';
import { DownloadManager } from './downloads/download-manager.js';
import { DownloadStore } from './downloads/download-store.js';
import { PlayQueue } from './play-queue.js';
import { PlaylistCache } from './playlist-cache.js';
import { isOfflineCursor, TrackCache } from './track-cache.js';
import { trackNotices } from './track-notices.js';
import { isUnreachable, pickQuality, UNSENDABLE, type LibraryCommands } from './library-support.js';
import { uploadTrackMultipart } from './uploader.js';

export const DOWNLOADS_ROOT = 'downloads';
/** The server takes at most this many track ids per "add to playlist" request. */
const PLAYLIST_ADD_BATCH = 100;
const SEARCH_LIMIT = 30;
/** Artists and albums come from the cached tracks; the cache is refreshed this often at most. */
const CATALOG_REFRESH_MS = 5 * 60 * 1000;
const CATALOG_PAGE = 100;
const CATALOG_MAX_PAGES = 20;

export interface LibraryServiceOptions {
  db: CacheDb;
  api: ApiClient;
  /** The access token for uploads, which bypass ApiClient to report progress (SessionManager). */
  tokens: TokenSource;
  me: User;
  /** Per-account folder (covers live here); its last two segments name the account's downloads folder. */
  accountDir: string;
  /** Current settings (downloadsDir, downloadQuotaBytes, playbackQuality). */
  settings: () => Settings;
  localMediaBase: string;
  emit(event: CoreEvent): void;
  /** The sync connection's state, for deciding cache vs network. */
  isOnline(): boolean;
}

/**
 * The media half of core for one signed-in account: library browsing and search (server first,
 * the SQLite cache when it cannot be reached), likes and playlists (network only), uploads with
 * progress, playback sources (a verified download before the network), play reports through a
 * durable queue, and offline downloads.
 */
export class LibraryService implements LibraryCommands {
  private readonly tracks: TrackCache;
  private readonly playlists: PlaylistCache;
  private readonly covers: CoverCache;
  private readonly plays: PlayQueue;
  private readonly downloads: DownloadManager;
  private readonly downloadRows: DownloadStore;
  private readonly accountFolder: string;
  private catalogRefreshedAt = 0;
  private catalogRefresh: Promise<void> | null = null;
  private readonly background = new Set<Promise<unknown>>();

  constructor(private readonly options: LibraryServiceOptions) {
    const { db, api } = options;
    this.tracks = new TrackCache(db);
    this.playlists = new PlaylistCache(db, this.tracks);
    this.covers = new CoverCache({
      db,
      api,
      dir: path.join(options.accountDir, 'covers'),
      localMediaBase: options.localMediaBase,
      isOnline: options.isOnline,
    });
    this.plays = new PlayQueue(db, api, options.isOnline);
    // `<server hash>/<user id>`, as accountDir ends: two accounts never share downloaded files.
    this.accountFolder = path.join(path.basename(path.dirname(options.accountDir)), path.basename(options.accountDir));
    this.downloadRows = new DownloadStore(db);
    this.downloads = new DownloadManager({
      store: this.downloadRows,
      api,
      dir: () => this.downloadsDir(),
      quotaBytes: () => options.settings().downloadQuotaBytes,
      isOnline: options.isOnline,
      emit: (downloads) => options.emit({ type: 'downloads.changed', downloads }),
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Lifecycle

  start(): void {
    this.plays.start();
    this.inBackground(this.downloads.start());
    if (this.options.isOnline()) this.inBackground(this.plays.flush());
  }

  async stop(): Promise<void> {
    await Promise.allSettled([this.plays.stop(), this.downloads.stop(), this.covers.stop(), ...this.background]);
  }

  onConnectionChange(state: ConnectionState): void {
    if (state.status !== 'online') return;
    this.inBackground(this.plays.flush());
    this.downloads.resume();
  }

  /** The frames the library answers for on the account's sync connection. */
  readonly sync = trackNotices(
    (event) => this.options.emit(event),
    (trackId) => this.inBackground(this.fetchTrack(trackId).then(() => this.options.emit({ type: 'library.changed' }))),
  );

  localMediaRoots(): Record<string, string> {
    return { [DOWNLOADS_ROOT]: this.downloadsDir(), [COVERS_ROOT]: path.join(this.options.accountDir, 'covers') };
  }

  /** Sends the queued play reports now (the timer and reconnections do it otherwise). */
  flushPlays(): Promise<void> {
    return this.plays.flush();
  }

  /** Resolves when no download or cover fetch is running (tests and orderly shutdowns). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.background]);
    await Promise.all([this.downloads.idle(), this.covers.idle()]);
  }

  // ---------------------------------------------------------------------------------------------
  // Library

  async listTracks(args: TrackListQuery): Promise<LibraryPage> {
    const fromCache = () => this.tracks.list(args, this.options.me.id);
    if (isOfflineCursor(args.cursor)) return { ...this.pageOf(fromCache()), fromCache: true };
    const { value, fromCache: cached } = await this.readThrough(async () => {
      const page = await this.options.api.request<TrackPage>('GET', '/api/v1/tracks', {
        query: args as Record<string, string | number | boolean | undefined>,
      });
      this.tracks.upsert(page.tracks);
      return page;
    }, fromCache);
    return { ...this.pageOf(value), fromCache: cached };
  }

  async searchLibrary(args: { q: string }): Promise<LibrarySearchResult> {
    // What the server would refuse (NUL, lone surrogates, only spaces) is no search at all.
    const q = args.q.replace(UNSENDABLE, '').trim();
    if (q === '') return { tracks: [], artists: [], albums: [], fromCache: !this.options.isOnline() };
    const { value, fromCache } = await this.readThrough(
      async () => {
        const result = await this.options.api.request<SearchResult>('GET', '/api/v1/search', {
          query: { q, limit: SEARCH_LIMIT },
        });
        this.tracks.upsert(result.tracks);
        return {
          tracks: result.tracks,
          artists: result.artists,
          albums: result.albums.map((album) => ({ ...album, coverUrl: this.options.api.absoluteUrl(album.coverUrl) })),
        };
      },
      () => {
        const result = this.tracks.search(q);
        return { tracks: result.tracks, artists: result.artists, albums: this.albumSummaries(result.albums) };
      },
    );
    return { ...value, tracks: this.present(value.tracks), fromCache };
  }

  async getTrack(args: { trackId: string }): Promise<LibraryTrack> {
    const { value } = await this.readThrough(
      () => this.fetchTrack(args.trackId),
      () => this.tracks.get(args.trackId) ?? this.notCached('This track'),
    );
    return this.presentOne(value);
  }

  async listArtists(): Promise<ArtistSummary[]> {
    await this.refreshCatalog();
    return this.tracks.artists();
  }

  async listAlbums(): Promise<AlbumSummary[]> {
    await this.refreshCatalog();
    return this.albumSummaries(this.tracks.albums());
  }

  async setLiked(args: { trackId: string; liked: boolean }): Promise<LibraryTrack> {
    const track = await this.online('Liking a track', async () => {
      await this.options.api.request(args.liked ? 'PUT' : 'DELETE', `/api/v1/tracks/${args.trackId}/like`);
      return this.fetchTrack(args.trackId);
    });
    this.options.emit({ type: 'library.changed' });
    return this.presentOne(track);
  }

  async listPlaylists(): Promise<Playlist[]> {
    const { value } = await this.readThrough(
      async () => {
        const { playlists } = await this.options.api.request<{ playlists: Playlist[] }>('GET', '/api/v1/playlists');
        this.playlists.replaceMine(this.options.me.id, playlists);
        return playlists;
      },
      () => this.playlists.mine(this.options.me.id),
    );
    return value;
  }

  async getPlaylist(args: { playlistId: string }): Promise<PlaylistDetailView> {
    const { value, fromCache } = await this.readThrough(
      () => this.fetchPlaylist(args.playlistId),
      () => this.playlists.detail(args.playlistId) ?? this.notCached('This playlist'),
    );
    return this.detailView(value, fromCache);
  }

  async createPlaylist(args: { name: string; description?: string }): Promise<Playlist> {
    const playlist = await this.online('Creating a playlist', () =>
      this.options.api.request<Playlist>('POST', '/api/v1/playlists', {
        body: args.description === undefined ? { name: args.name } : { name: args.name, description: args.description },
      }),
    );
    this.playlists.upsert(playlist);
    this.options.emit({ type: 'library.changed' });
    return playlist;
  }

  async deletePlaylist(args: { playlistId: string }): Promise<void> {
    await this.online('Deleting a playlist', () =>
      this.options.api.request('DELETE', `/api/v1/playlists/${args.playlistId}`),
    );
    this.playlists.delete(args.playlistId);
    this.options.emit({ type: 'library.changed' });
  }

  async addToPlaylist(args: { playlistId: string; trackIds: string[] }): Promise<PlaylistDetailView> {
    const unique = [...new Set(args.trackIds)];
    const detail = await this.online('Changing a playlist', async () => {
      let last: PlaylistDetail | null = null;
      for (let i = 0; i < unique.length; i += PLAYLIST_ADD_BATCH) {
        last = await this.options.api.request<PlaylistDetail>('POST', `/api/v1/playlists/${args.playlistId}/tracks`, {
          body: { trackIds: unique.slice(i, i + PLAYLIST_ADD_BATCH) },
        });
      }
      return last ?? this.fetchPlaylist(args.playlistId);
    });
    this.playlists.saveDetail(detail);
    this.options.emit({ type: 'library.changed' });
    return this.detailView(detail, false);
  }

  async removeFromPlaylist(args: { playlistId: string; trackId: string }): Promise<PlaylistDetailView> {
    const detail = await this.online('Changing a playlist', async () => {
      await this.options.api.request('DELETE', `/api/v1/playlists/${args.playlistId}/tracks/${args.trackId}`);
      return this.fetchPlaylist(args.playlistId);
    });
    this.options.emit({ type: 'library.changed' });
    return this.detailView(detail, false);
  }

  async uploadTrack(args: {
    uploadId: string;
    fileName: string;
    data: Uint8Array;
    title?: string;
    artist?: string;
    album?: string;
    genre?: string;
  }): Promise<LibraryTrack> {
    const track = await uploadTrackMultipart(
      {
        fileName: args.fileName,
        data: args.data,
        fields: { title: args.title, artist: args.artist, album: args.album, genre: args.genre },
      },
      {
        serverUrl: this.options.api.serverUrl,
        tokens: this.options.tokens,
        onProgress: (sentBytes, totalBytes) =>
          this.options.emit({ type: 'upload.progress', uploadId: args.uploadId, sentBytes, totalBytes }),
      },
    );
    this.tracks.upsert([track]);
    this.options.emit({ type: 'library.changed' });
    return this.presentOne(track);
  }

  // ---------------------------------------------------------------------------------------------
  // Playback

  /**
   * A verified download wins even online (instant start, no bandwidth): one SQLite lookup and one
   * stat. Otherwise the signed HLS URL, with the track and peaks fetched in parallel when not cached.
   */
  async resolvePlayback(args: { trackId: string; quality: PlaybackQuality }): Promise<PlaybackSource> {
    const cached = this.tracks.get(args.trackId);
    const file = await this.downloads.playableFile(args.trackId);
    if (file && cached) {
      const peaks = this.tracks.peaks(args.trackId);
      if (!peaks && this.options.isOnline()) this.inBackground(this.fetchPeaks(args.trackId)); // ready next time
      return this.source(
        cached,
        'offline',
        localMediaUrl(this.options.localMediaBase, DOWNLOADS_ROOT, path.basename(file)),
        peaks,
      );
    }
    const notAvailable = () =>
      new DesktopError(
        'NOT_AVAILABLE_OFFLINE',
        `${cached ? `“${cached.title}”` : 'This track'} is not downloaded. Download it to listen offline.`,
      );
    if (!this.options.isOnline()) throw notAvailable();
    try {
      const cachedPeaks = this.tracks.peaks(args.trackId);
      const [grant, track, peaks] = await Promise.all([
        this.options.api.request<StreamGrant>('GET', `/api/v1/tracks/${args.trackId}/stream`),
        cached?.state === 'ready' ? cached : this.fetchTrack(args.trackId),
        cachedPeaks ?? this.fetchPeaks(args.trackId),
      ]);
      return this.source(track, 'stream', this.options.api.absoluteUrl(grant.url), peaks);
    } catch (error) {
      if (isUnreachable(error)) throw notAvailable();
      throw error;
    }
  }

  async reportPlay(args: { event: PlayEvent }): Promise<void> {
    this.plays.enqueue(args.event);
  }

  // ---------------------------------------------------------------------------------------------
  // Downloads

  async listDownloads(): Promise<DownloadsView> {
    return this.downloads.view();
  }

  async downloadTracks(args: { trackIds: string[]; quality?: TrackQuality }): Promise<DownloadsView> {
    const setting = this.options.settings().playbackQuality;
    const wanted: TrackQuality = args.quality ?? (setting === 'auto' ? '128k' : setting);
    const tracks = await this.knownTracks([...new Set(args.trackIds)]);
    // An offline copy should play with its waveform: fetch the peaks now, while the network is here.
    for (const track of tracks) {
      if (this.options.isOnline() && !this.tracks.peaks(track.id)) this.inBackground(this.fetchPeaks(track.id));
    }
    this.downloads.enqueue(
      tracks.map((track) => ({ trackId: track.id, quality: pickQuality(track.qualities, wanted) })),
    );
    return this.downloads.view();
  }

  async downloadPlaylist(args: { playlistId: string; quality?: TrackQuality }): Promise<DownloadsView> {
    const { tracks } = await this.getPlaylist({ playlistId: args.playlistId });
    const ready = tracks.filter((track) => track.state === 'ready').map((track) => track.id);
    if (ready.length === 0) return this.downloads.view();
    return this.downloadTracks({ trackIds: ready, quality: args.quality });
  }

  async cancelDownload(args: { trackId: string }): Promise<DownloadsView> {
    await this.downloads.cancel(args.trackId);
    return this.downloads.view();
  }

  async removeDownload(args: { trackId: string }): Promise<DownloadsView> {
    await this.downloads.remove(args.trackId);
    this.options.emit({ type: 'library.changed' });
    return this.downloads.view();
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  /** This account's own folder inside the chosen downloads folder: accounts never share files. */
  downloadsDir(): string {
    return path.join(this.options.settings().downloadsDir, this.accountFolder);
  }

  /** Server first when the connection is up; the cache when it is down or stops answering. */
  private async readThrough<T>(network: () => Promise<T>, cache: () => T): Promise<{ value: T; fromCache: boolean }> {
    if (!this.options.isOnline()) return { value: cache(), fromCache: true };
    try {
      return { value: await network(), fromCache: false };
    } catch (error) {
      if (isUnreachable(error)) return { value: cache(), fromCache: true };
      throw error;
    }
  }

  /** Changes only the server can make: a clear sentence instead of a cached pretence. */
  private async online<T>(what: string, action: () => Promise<T>): Promise<T> {
    const offline = () =>
      new DesktopError('OFFLINE', `${what} needs a connection to the server. Try again when you are back online.`);
    try {
      return await action();
    } catch (error) {
      if (isUnreachable(error)) throw offline();
      throw error;
    }
  }

  private notCached(what: string): never {
    throw new DesktopError(
      'NOT_AVAILABLE_OFFLINE',
      `${what} has not been opened on this device yet, so it is not available offline.`,
    );
  }

  private async fetchTrack(trackId: string): Promise<Track> {
    try {
      const track = await this.options.api.request<Track>('GET', `/api/v1/tracks/${trackId}`);
      this.tracks.upsert([track]);
      return track;
    } catch (error) {
      // Deleted or hidden on the server: forget it here too, unless it is downloaded.
      if (error instanceof DesktopError && error.code === 'NOT_FOUND' && !this.downloadRows.get(trackId)) {
        this.tracks.delete(trackId);
      }
      throw error;
    }
  }

  private async fetchPlaylist(playlistId: string): Promise<PlaylistDetail> {
    const detail = await this.options.api.request<PlaylistDetail>('GET', `/api/v1/playlists/${playlistId}`);
    this.playlists.saveDetail(detail);
    return detail;
  }

  /** Peaks are nice to have: a failure gives null, never a failed playback. */
  private async fetchPeaks(trackId: string): Promise<WaveformPeaksDto | null> {
    try {
      const peaks = await this.options.api.request<WaveformPeaksDto>('GET', `/api/v1/tracks/${trackId}/peaks`);
      this.tracks.savePeaks(trackId, peaks);
      return peaks;
    } catch {
      return null;
    }
  }

  /** The tracks to download, from the cache, asking the server for those this device never saw. */
  private async knownTracks(ids: string[]): Promise<Track[]> {
    const cached = this.tracks.getMany(ids);
    const missing = ids.filter((id) => !cached.some((track) => track.id === id));
    for (const id of missing) {
      try {
        cached.push(await this.fetchTrack(id));
      } catch (error) {
        if (isUnreachable(error)) {
          throw new DesktopError('OFFLINE', 'Downloading these tracks needs a connection to the server.');
        }
        if (!(error instanceof DesktopError && error.code === 'NOT_FOUND')) throw error;
      }
    }
    return cached;
  }

  /**
   * Artists and albums have no endpoint of their own: they are grouped from the cached tracks,
   * so the cache is filled with the whole catalogue first (bounded, at most every few minutes).
   * A complete listing also drops tracks the server no longer has.
   */
  private async refreshCatalog(): Promise<void> {
    if (!this.options.isOnline() || Date.now() - this.catalogRefreshedAt < CATALOG_REFRESH_MS) return;
    this.catalogRefresh ??= (async () => {
      const startedAt = new Date().toISOString();
      let cursor: string | undefined;
      try {
        for (let page = 0; page < CATALOG_MAX_PAGES; page += 1) {
          const result = await this.options.api.request<TrackPage>('GET', '/api/v1/tracks', {
            query: { limit: CATALOG_PAGE, sort: 'newest', cursor },
          });
          this.tracks.upsert(result.tracks);
          if (!result.nextCursor) {
            this.tracks.pruneNotSeenSince(startedAt);
            break;
          }
          cursor = result.nextCursor;
        }
        this.catalogRefreshedAt = Date.now();
      } catch {
        // Offline or failing: what the cache has is the answer.
      }
    })().finally(() => {
      this.catalogRefresh = null;
    });
    await this.catalogRefresh;
  }

  private albumSummaries(albums: ReturnType<TrackCache['albums']>): AlbumSummary[] {
    const covers = this.covers.sources(albums.map((album) => album.coverTrack));
    return albums.map((album) => ({
      name: album.name,
      artist: album.artist,
      trackCount: album.trackCount,
      coverUrl: covers.get(album.coverTrack.id) ?? this.options.api.absoluteUrl(album.coverTrack.coverUrl),
    }));
  }

  private pageOf(page: { tracks: Track[]; nextCursor: string | null }): Omit<LibraryPage, 'fromCache'> {
    return { tracks: this.present(page.tracks), nextCursor: page.nextCursor };
  }

  private detailView(detail: PlaylistDetail, fromCache: boolean): PlaylistDetailView {
    return { playlist: detail.playlist, tracks: this.present(detail.tracks), fromCache };
  }

  /** The server's tracks plus what this machine knows: a local cover, whether it is downloaded. */
  private present(tracks: readonly Track[]): LibraryTrack[] {
    const ids = tracks.map((track) => track.id);
    const downloaded = this.downloadRows.doneIds(ids);
    const covers = this.covers.sources(tracks);
    return tracks.map((track) => ({
      ...track,
      coverSrc: covers.get(track.id) ?? this.options.api.absoluteUrl(track.coverUrl),
      downloaded: downloaded.has(track.id),
    }));
  }

  private presentOne(track: Track): LibraryTrack {
    return this.present([track])[0]!;
  }

  private source(
    track: Track,
    kind: PlaybackSource['kind'],
    url: string,
    peaks: WaveformPeaksDto | null,
  ): PlaybackSource {
    return {
      track: this.presentOne(track),
      kind,
      url,
      mimeType: kind === 'offline' ? 'audio/mp4' : 'application/vnd.apple.mpegurl',
      peaks,
      gainDb: track.gainDb ?? 0,
    };
  }

  /** Background work the service owns: awaited on stop, never left to reject unhandled. */
  private inBackground(work: Promise<unknown>): void {
    const guarded = work.catch(() => undefined);
    this.background.add(guarded);
    void guarded.finally(() => this.background.delete(guarded));
  }
}
