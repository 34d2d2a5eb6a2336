import { createHash } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Track } from '@veza/shared';
import type { ApiClient } from '../api/api-client.js';
import type { CacheDb } from '../cache/database.js';
import { localMediaUrl } from '../media/local-media.js';
import { isUnreachable } from './library-support.js';

/** Covers are small; a few at a time keeps the first screen of a library quick without a burst. */
const CONCURRENCY = 3;
/** A cover that failed (404, network) is not asked for again before this. */
const RETRY_AFTER_MS = 10 * 60 * 1000;
const MAX_COVER_BYTES = 8 * 1024 * 1024;
export const COVERS_ROOT = 'covers';

export interface CoverCacheOptions {
  db: CacheDb;
  api: ApiClient;
  /** `<accountDir>/covers` */
  dir: string;
  localMediaBase: string;
  isOnline(): boolean;
}

/**
 * Cover JPEGs of the tracks the user has seen, kept in the account folder so the library shows
 * its art offline. Fetching happens in the background, a few at a time: a command only ever
 * reads the table and schedules what is missing, it never waits for a download.
 */
export class CoverCache {
  private readonly pending = new Map<string, Track>();
  private readonly inFlight = new Set<string>();
  private readonly failedAt = new Map<string, number>();
  private readonly running = new Set<Promise<void>>();
  private readonly aborter = new AbortController();
  private stopped = false;

  constructor(private readonly options: CoverCacheOptions) {}

  /** The URL to show for each cover, local when cached; schedules the missing ones. */
  sources(tracks: readonly Pick<Track, 'id' | 'coverUrl'>[]): Map<string, string> {
    const result = new Map<string, string>();
    if (tracks.length === 0) return result;
    const rows = this.options.db
      .prepare('SELECT track_id, file, cover_url FROM track_covers WHERE track_id IN (SELECT value FROM json_each(?))')
      .all(JSON.stringify(tracks.map((track) => track.id))) as { track_id: string; file: string; cover_url: string }[];
    const cached = new Map(rows.map((row) => [row.track_id, row]));
    for (const track of tracks) {
      const row = cached.get(track.id);
      if (row && row.cover_url === track.coverUrl) {
        result.set(track.id, localMediaUrl(this.options.localMediaBase, COVERS_ROOT, row.file));
      } else {
        result.set(track.id, this.options.api.absoluteUrl(track.coverUrl));
        this.schedule(track);
      }
    }
    return result;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.pending.clear();
    this.aborter.abort();
    await Promise.allSettled([...this.running]);
  }

  /** Resolves when nothing is left to fetch (tests, and shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private schedule(track: Pick<Track, 'id' | 'coverUrl'>): void {
    if (this.stopped || !this.options.isOnline() || this.inFlight.has(track.id)) return;
    const failed = this.failedAt.get(track.id);
    if (failed !== undefined && Date.now() - failed < RETRY_AFTER_MS) return;
    this.pending.set(track.id, track as Track);
    this.pump();
  }

  private pump(): void {
    while (!this.stopped && this.inFlight.size < CONCURRENCY && this.pending.size > 0) {
      const [id, track] = this.pending.entries().next().value as [string, Track];
      this.pending.delete(id);
      this.inFlight.add(id);
      const run = this.fetchOne(track)
        .catch((error: unknown) => {
          // Unreachable: try again the next time the track is shown. Refused (404…): not for a while.
          if (!isUnreachable(error)) this.failedAt.set(id, Date.now());
        })
        .finally(() => {
          this.inFlight.delete(id);
          this.running.delete(run);
          this.pump();
        });
      this.running.add(run);
    }
  }

  private async fetchOne(track: Pick<Track, 'id' | 'coverUrl'>): Promise<void> {
    const response = await this.options.api.fetchRaw(track.coverUrl, { signal: this.aborter.signal });
    const declared = Number(response.headers.get('content-length') ?? '0');
    if (declared > MAX_COVER_BYTES) throw new Error('cover too large');
    const data = Buffer.from(await response.arrayBuffer());
    if (data.length > MAX_COVER_BYTES || data.length === 0) throw new Error('cover size out of range');
    // A new version of the picture gets a new name, so the renderer never shows a stale cached image.
    const version = createHash('sha256').update(track.coverUrl).digest('hex').slice(0, 12);
    const file = `${track.id}-${version}.jpg`;
    await mkdir(this.options.dir, { recursive: true, mode: 0o700 });
    const target = path.join(this.options.dir, file);
    const temporary = `${target}.tmp`;
    await writeFile(temporary, data);
    await rename(temporary, target);
    if (this.stopped) return;
    const previous = this.options.db.prepare('SELECT file FROM track_covers WHERE track_id = ?').get(track.id) as
      { file: string } | undefined;
    this.options.db
      .prepare(
        `INSERT INTO track_covers (track_id, file, cover_url, etag, fetched_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (track_id) DO UPDATE SET file = excluded.file, cover_url = excluded.cover_url,
           etag = excluded.etag, fetched_at = excluded.fetched_at`,
      )
      .run(track.id, file, track.coverUrl, response.headers.get('etag'), new Date().toISOString());
    if (previous && previous.file !== file) await rm(path.join(this.options.dir, previous.file), { force: true });
  }
}
