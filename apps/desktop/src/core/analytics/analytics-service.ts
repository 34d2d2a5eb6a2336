import {
  ANALYTICS_METRICS,
  type AnalyticsBucket,
  type ArtistStats,
  type History,
  type LiveTiles,
  type TopList,
} from '@veza/shared';
import type {
  AnalyticsDashboardView,
  analyticsCommands,
  ArtistStatsView,
  DayRange,
  Freshness,
  HandlersOf,
  LiveTilesView,
  SavedExport,
} from '../../common/contract.js';
import { DesktopError } from '../../common/errors.js';
import type { ApiClient } from '../api/api-client.js';
import type { CacheDb } from '../cache/database.js';
import { isUnreachable } from '../library/library-support.js';
import { AnalyticsCache } from './analytics-cache.js';
import { saveCsv } from './csv-export.js';

export interface AnalyticsServiceOptions {
  db: CacheDb;
  api: ApiClient;
  /** Where CSV exports go (the user's Downloads folder in Electron). */
  exportsDir: () => string;
  /** The sync connection's state: offline, the cache answers without waiting on a request. */
  isOnline(): boolean;
  now?: () => Date;
}

type DashboardData = Omit<AnalyticsDashboardView, keyof Freshness>;
type ArtistData = Omit<ArtistStatsView, keyof Freshness>;

const DEFAULT_TOP = 10;
const BASE = '/api/v1/analytics';

/**
 * The analytics views for one account: each answer comes from the server when it can be reached
 * and is kept in the cache, so the same view opens offline with its figures and their time.
 * The server decides who may see what (analytics:view, tracks:upload); core only relays.
 */
export class AnalyticsService implements HandlersOf<typeof analyticsCommands> {
  private readonly cache: AnalyticsCache;
  private readonly now: () => Date;

  constructor(private readonly options: AnalyticsServiceOptions) {
    this.cache = new AnalyticsCache(options.db);
    this.now = options.now ?? (() => new Date());
  }

  async getLiveTiles(): Promise<LiveTilesView> {
    return this.serverOrCache('live', 'live', async () => ({
      tiles: await this.options.api.request<LiveTiles>('GET', `${BASE}/live`),
    }));
  }

  async getAnalyticsDashboard(args: DayRange & { bucket: AnalyticsBucket; topLimit?: number }) {
    const range = { from: args.from, to: args.to };
    const limit = args.topLimit ?? DEFAULT_TOP;
    const key = `${args.bucket}:${args.from}:${args.to}:${limit}`;
    return this.serverOrCache<DashboardData>('dashboard', key, async () => {
      const { api } = this.options;
      // Eight small reads of rollups, side by side: the dashboard is one screen, one wait.
      const [history, topTracks, topRooms] = await Promise.all([
        Promise.all(
          ANALYTICS_METRICS.map((metric) =>
            api.request<History>('GET', `${BASE}/history`, { query: { metric, bucket: args.bucket, ...range } }),
          ),
        ),
        api.request<TopList>('GET', `${BASE}/top`, { query: { kind: 'tracks', ...range, limit } }),
        api.request<TopList>('GET', `${BASE}/top`, { query: { kind: 'rooms', ...range, limit } }),
      ]);
      return { range, bucket: args.bucket, history, topTracks, topRooms };
    });
  }

  async getArtistStats(args: DayRange & { artistId?: string }): Promise<ArtistStatsView> {
    const range = { from: args.from, to: args.to };
    // One kind per artist: offline, "the newest of its kind" must never be another artist's figures.
    const kind = `artist:${args.artistId ?? 'me'}`;
    return this.serverOrCache<ArtistData>(kind, `${args.from}:${args.to}`, async () => ({
      range,
      stats: await this.options.api.request<ArtistStats>('GET', `${BASE}/artist`, {
        query: { ...range, artistId: args.artistId },
      }),
    }));
  }

  async saveCsvExport(args: { fileName: string; csv: string }): Promise<SavedExport> {
    return saveCsv(this.options.exportsDir(), args.fileName, args.csv);
  }

  /**
   * The server's answer (then cached), or, when it cannot be reached, the cached answer to the
   * same query or else the newest of the kind. Refusals (FORBIDDEN, RANGE_TOO_LARGE) are not
   * "offline": they reach the caller as they are, and no cached figure hides them.
   */
  private async serverOrCache<T extends object>(
    kind: string,
    key: string,
    fetchFresh: () => Promise<T>,
  ): Promise<T & Freshness> {
    if (!this.options.isOnline()) {
      const cached = this.fromCache<T>(kind, key);
      if (cached) return cached;
      // Nothing kept: the socket may only be reconnecting, so the server is still worth asking.
    }
    try {
      const data = await fetchFresh();
      const asOf = this.now().toISOString();
      this.cache.put(kind, key, data, asOf);
      return { ...data, asOf, fromCache: false };
    } catch (error) {
      if (!isUnreachable(error)) throw error;
      const cached = this.fromCache<T>(kind, key);
      if (cached) return cached;
      throw new DesktopError(
        'NOT_AVAILABLE_OFFLINE',
        'These figures have not been loaded on this computer yet; they will appear once the server can be reached.',
      );
    }
  }

  private fromCache<T extends object>(kind: string, key: string): (T & Freshness) | null {
    const snapshot = this.cache.closest<T>(kind, key);
    return snapshot ? { ...snapshot.data, asOf: snapshot.fetchedAt, fromCache: true } : null;
  }
}
