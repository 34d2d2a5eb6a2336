import { createHash, type Hash } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { DownloadGrant, TrackQuality } from '@veza/shared';
import type { DownloadsView } from '../../../common/contract.js';
import { DesktopError } from '../../../common/errors.js';
import type { ApiClient } from '../../api/api-client.js';
import { checksumMismatch, hashExisting, writeBody } from './download-file.js';
import { partFileName, type DownloadRow, type DownloadStore } from './download-store.js';

/** Two at a time: enough to fill a home connection, few enough to leave room for streaming. */
export const DOWNLOAD_CONCURRENCY = 2;
/** downloads.changed at most this often while bytes arrive (state changes go out at once). */
const PROGRESS_INTERVAL_MS = 250;
/** After a network failure, wait this long (or for the connection to come back) before retrying. */
const RETRY_AFTER_MS = 30_000;

type StopReason = 'cancel' | 'remove' | 'stop';

interface ActiveDownload {
  controller: AbortController;
  promise: Promise<void>;
  /** Bytes the grant announced: counted against the quota while the file is on its way. */
  reservedBytes: number;
  receivedBytes: number;
}

export interface DownloadManagerOptions {
  store: DownloadStore;
  api: ApiClient;
  /** This account's downloads folder (read each time: the setting may change). */
  dir(): string;
  quotaBytes(): number;
  isOnline(): boolean;
  emit(view: DownloadsView): void;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${+(bytes / 1024 ** 3).toFixed(1)} GB`;
  if (bytes >= 1024 ** 2) return `${+(bytes / 1024 ** 2).toFixed(1)} MB`;
  if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} bytes`;
}

/** An I/O error of this machine (disk full, permissions), as opposed to the network failing. */
const isLocalFileError = (error: unknown): boolean =>
  typeof (error as NodeJS.ErrnoException | null)?.syscall === 'string' &&
  typeof (error as NodeJS.ErrnoException).path === 'string';

const isNetworkError = (error: unknown): boolean =>
  error instanceof DesktopError
    ? error.code === 'OFFLINE' || error.code === 'SERVER_UNREACHABLE' || error.code === 'RATE_LIMITED'
    : !isLocalFileError(error);

/**
 * The offline download queue. Each download: ask the server for a signed grant (size and
 * SHA-256 of the rendition), check the quota, stream into `<name>.part` while hashing (resuming
 * a partial file with a Range request), verify size and digest, then rename into place: a
 * `done` row always has a complete, verified file. Network trouble puts the entry back in the
 * queue with its partial file; anything else fails it with a sentence for the user.
 */
export class DownloadManager {
  private readonly active = new Map<string, ActiveDownload>();
  private stopped = true;
  private pausedUntil = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private progressTimer: NodeJS.Timeout | null = null;
  private lastEmit = 0;

  constructor(private readonly options: DownloadManagerOptions) {}

  async start(): Promise<void> {
    this.stopped = false;
    this.options.store.requeueInterrupted();
    await this.reconcileFinished();
    this.pump();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of [this.retryTimer, this.progressTimer]) if (timer) clearTimeout(timer);
    this.retryTimer = this.progressTimer = null;
    const running = [...this.active.values()];
    for (const download of running) download.controller.abort('stop' satisfies StopReason);
    await Promise.allSettled(running.map((download) => download.promise));
  }

  /** The connection is back: retry at once whatever waited for it. */
  resume(): void {
    this.pausedUntil = 0;
    this.pump();
  }

  enqueue(requests: readonly { trackId: string; quality: TrackQuality }[]): void {
    for (const request of requests) this.options.store.enqueue(request.trackId, request.quality);
    this.changed();
    this.pump();
  }

  async cancel(trackId: string): Promise<void> {
    await this.interrupt(trackId, 'cancel');
    const row = this.options.store.get(trackId);
    // A finished download is not cancelled but removed (removeDownload): cancelling a list of
    // entries must not delete the ones that happened to finish first.
    if (row && row.state !== 'done') {
      await rm(this.partPath(row), { force: true });
      this.options.store.delete(trackId);
    }
    this.changed();
  }

  async remove(trackId: string): Promise<void> {
    await this.interrupt(trackId, 'remove');
    const row = this.options.store.get(trackId);
    if (row) {
      await Promise.all([rm(this.filePath(row), { force: true }), rm(this.partPath(row), { force: true })]);
      this.options.store.delete(trackId);
    }
    this.changed();
  }

  /** The finished file of a track, if it is really there: one SQLite lookup and one stat. */
  async playableFile(trackId: string): Promise<string | null> {
    const row = this.options.store.done(trackId);
    if (!row) return null;
    const file = this.filePath(row);
    try {
      const info = await stat(file);
      return info.isFile() && info.size === row.total_bytes ? file : null;
    } catch {
      return null;
    }
  }

  view(): DownloadsView {
    const entries = this.options.store.entries().map((entry) => {
      const active = this.active.get(entry.trackId);
      return active && entry.state === 'downloading'
        ? { ...entry, receivedBytes: active.receivedBytes, totalBytes: active.reservedBytes || entry.totalBytes }
        : entry;
    });
    return { entries, usedBytes: this.options.store.usedBytes(), quotaBytes: this.options.quotaBytes() };
  }

  /** Resolves once nothing is downloading (tests; the app never waits on this). */
  async idle(): Promise<void> {
    while (this.active.size > 0) await Promise.allSettled([...this.active.values()].map((d) => d.promise));
  }

  filePath(row: Pick<DownloadRow, 'file_name'>): string {
    return path.join(this.options.dir(), row.file_name);
  }

  partPath(row: Pick<DownloadRow, 'file_name'>): string {
    return path.join(this.options.dir(), partFileName(row.file_name));
  }

  private pump(): void {
    if (this.stopped || !this.options.isOnline() || Date.now() < this.pausedUntil) return;
    if (this.active.size >= DOWNLOAD_CONCURRENCY) return;
    for (const row of this.options.store.all('queued')) {
      if (this.active.size >= DOWNLOAD_CONCURRENCY) break;
      if (!this.active.has(row.track_id)) this.begin(row);
    }
  }

  private begin(row: DownloadRow): void {
    const controller = new AbortController();
    const download: ActiveDownload = { controller, promise: Promise.resolve(), reservedBytes: 0, receivedBytes: 0 };
    this.active.set(row.track_id, download);
    this.options.store.setState(row.track_id, 'downloading');
    this.changed();
    download.promise = this.run(row, download)
      .catch((error: unknown) => this.settleFailure(row, download, error))
      .finally(() => {
        this.active.delete(row.track_id);
        this.changed();
        this.pump();
      });
  }

  private async run(row: DownloadRow, download: ActiveDownload): Promise<void> {
    const { api, store } = this.options;
    const { signal } = download.controller;
    const grant = await api.request<DownloadGrant>('GET', `/api/v1/tracks/${row.track_id}/download`, {
      query: { quality: row.quality },
      signal,
    });
    this.checkQuota(row.track_id, grant.sizeBytes);
    download.reservedBytes = grant.sizeBytes;
    store.setTotal(row.track_id, grant.sizeBytes, grant.sha256);

    await mkdir(this.options.dir(), { recursive: true, mode: 0o700 });
    const part = this.partPath(row);
    let { offset, hash } = await this.resumePoint(part, grant.sizeBytes);
    const response = await api.fetchRaw(grant.url, {
      signal,
      headers: offset > 0 ? { range: `bytes=${offset}-` } : {},
    });
    // The server may ignore the range (or answer a different one): start over then.
    if (
      offset > 0 &&
      !(response.status === 206 && response.headers.get('content-range')?.startsWith(`bytes ${offset}-`))
    ) {
      offset = 0;
      hash = createHash('sha256');
    }
    if (!response.body) throw new DesktopError('DOWNLOAD_FAILED', 'The server sent an empty download.');
    download.receivedBytes = offset;
    const written = await writeBody(response.body, part, {
      offset,
      hash,
      expected: grant,
      onProgress: (received) => {
        download.receivedBytes = received;
        this.changed(true);
      },
    });
    if (written.size !== grant.sizeBytes || written.sha256 !== grant.sha256.toLowerCase()) {
      await rm(part, { force: true });
      throw checksumMismatch();
    }
    if (signal.aborted) throw signal.reason;
    await rename(part, this.filePath(row));
    store.complete(row.track_id, written.size);
  }

  /** A partial file from an earlier attempt is continued; one that is too long starts over. */
  private async resumePoint(part: string, sizeBytes: number): Promise<{ offset: number; hash: Hash }> {
    try {
      const existing = await hashExisting(part);
      if (existing.size > 0 && existing.size < sizeBytes) return { offset: existing.size, hash: existing.hash };
      await rm(part, { force: true });
    } catch {
      // No partial file.
    }
    return { offset: 0, hash: createHash('sha256') };
  }

  private checkQuota(trackId: string, sizeBytes: number): void {
    let reserved = 0;
    for (const [id, download] of this.active) if (id !== trackId) reserved += download.reservedBytes;
    const used = this.options.store.usedBytes() + reserved;
    const quota = this.options.quotaBytes();
    if (used + sizeBytes > quota) {
      throw new DesktopError(
        'QUOTA_EXCEEDED',
        `Not enough room in your download quota (${formatBytes(used)} of ${formatBytes(quota)} used).`,
      );
    }
  }

  private async settleFailure(row: DownloadRow, download: ActiveDownload, error: unknown): Promise<void> {
    const { store } = this.options;
    const reason = download.controller.signal.aborted ? (download.controller.signal.reason as StopReason) : null;
    if (reason === 'cancel' || reason === 'remove') return; // The caller deletes the row and the files.
    if (reason === 'stop' || isNetworkError(error)) {
      // Keep the partial file: the next attempt continues it with a Range request.
      store.setState(row.track_id, 'queued');
      store.setReceived(row.track_id, download.receivedBytes);
      if (reason !== 'stop') this.pauseForRetry();
      return;
    }
    await rm(this.partPath(row), { force: true });
    if (error instanceof DesktopError) {
      store.fail(row.track_id, error.code, error.message);
    } else {
      store.fail(
        row.track_id,
        'DOWNLOAD_FAILED',
        'The file could not be saved. Check the downloads folder and free space.',
      );
    }
  }

  private pauseForRetry(): void {
    this.pausedUntil = Date.now() + RETRY_AFTER_MS;
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.pump();
    }, RETRY_AFTER_MS);
    this.retryTimer.unref();
  }

  private async interrupt(trackId: string, reason: StopReason): Promise<void> {
    const download = this.active.get(trackId);
    if (!download) return;
    download.controller.abort(reason);
    await download.promise.catch(() => undefined);
  }

  /** Finished downloads whose file disappeared (deleted by hand, another disk) are failed, not played. */
  private async reconcileFinished(): Promise<void> {
    for (const row of this.options.store.all('done')) {
      if (await this.playableFile(row.track_id)) continue;
      this.options.store.fail(row.track_id, 'DOWNLOAD_FAILED', 'The downloaded file is missing. Download it again.');
    }
  }

  /** State changes are emitted at once; byte progress at most every PROGRESS_INTERVAL_MS. */
  private changed(progressOnly = false): void {
    if (this.stopped && progressOnly) return;
    const now = Date.now();
    if (!progressOnly || now - this.lastEmit >= PROGRESS_INTERVAL_MS) {
      if (this.progressTimer) clearTimeout(this.progressTimer);
      this.progressTimer = null;
      this.lastEmit = now;
      this.options.emit(this.view());
      return;
    }
    this.progressTimer ??= setTimeout(
      () => {
        this.progressTimer = null;
        this.lastEmit = Date.now();
        this.options.emit(this.view());
      },
      this.lastEmit + PROGRESS_INTERVAL_MS - now,
    );
  }
}
