import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import {
  AudioInputError,
  AudioTimeoutError,
  extractCoverArt,
  probe,
  renderPlaceholderCover,
  verifyDecodes,
  type AudioProbe,
  type AudioTools,
} from '@veza/audio';
import { TRACK_QUALITIES, type DownloadGrant, type StreamGrant, type Track, type TrackQuality } from '@veza/shared';
import type { BlobStore } from '../../infra/blobs/blob-store.js';
import type { Scratch } from '../../infra/blobs/scratch.js';
import type { Bus } from '../../infra/bus.js';
import type { Clock } from '../../infra/clock.js';
import type { Db } from '../../infra/db/db.js';
import { AppError, forbidden, notFound } from '../../infra/errors.js';
import { announceJobs, enqueueJob } from '../../infra/jobs/queue.js';
import type { Logger } from '../../infra/logger.js';
import type { Actor } from '../auth/index.js';
import { coverKey, peaksKey, sourceKey, trackPrefix } from './blob-keys.js';
import type { HotCache } from './hot-cache.js';
import { downloadPath, hlsBasePath } from './serving.js';
import { TRACK_PROCESSING_JOB } from './processing.js';
import { findTrackRow, toTrack, type TrackRow } from './track-rows.js';
import { requireVisibleTrack } from './track-visibility.js';
import { coverColorFor, parseUploadFields, resolveMetadata } from './track-metadata.js';
import type { ReceivedUpload } from './upload-intake.js';
import type { UrlSigner } from './url-signer.js';
import { trackDeletedTopic } from './topics.js';

export interface MediaLimits {
  /** Largest upload in bytes (VEZA_UPLOAD_MAX_MB). */
  uploadMaxBytes: number;
  /** Longest track accepted. */
  maxDurationMs: number;
  /** How long reading an upload (probe plus a full decode) may take. */
  inspectTimeoutMs: number;
}

export const DEFAULT_MEDIA_LIMITS: MediaLimits = {
  uploadMaxBytes: 500 * 1024 * 1024,
  maxDurationMs: 2 * 60 * 60 * 1000,
  inspectTimeoutMs: 120_000,
};

export interface MediaServiceDeps {
  db: Db;
  bus: Bus;
  clock: Clock;
  logger: Logger;
  blobs: BlobStore;
  /** Null when ffmpeg was not found: uploads are refused, everything already published still plays. */
  tools: AudioTools | null;
  signer: UrlSigner;
  cache: HotCache;
  publicUrl: string;
  limits: MediaLimits;
}

export const MEDIA_TOOLS_MISSING =
  'This server cannot process audio because ffmpeg was not found. Install ffmpeg (and ffprobe), or set VEZA_FFMPEG and VEZA_FFPROBE.';

/** Uploads, deletion and the signed links that let a player fetch a track. */
/** Uploads one user may have in flight (streaming in, or being checked) at once. */
export const UPLOADS_IN_FLIGHT_PER_USER = 2;

export class MediaService {
  private readonly uploadsInFlight = new Map<string, number>();

  constructor(private readonly deps: MediaServiceDeps) {}

  /**
   * Reserves one of the user's upload slots: each upload holds scratch disk and runs ffmpeg in
   * the request, so a script must not start hundreds at once. Call the returned function when done.
   */
  reserveUploadSlot(userId: string): () => void {
    const inFlight = this.uploadsInFlight.get(userId) ?? 0;
    if (inFlight >= UPLOADS_IN_FLIGHT_PER_USER) {
      throw new AppError(
        429,
        'RATE_LIMITED',
        `You already have ${inFlight} uploads in progress; wait for one to finish before starting another.`,
      );
    }
    this.uploadsInFlight.set(userId, inFlight + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.uploadsInFlight.get(userId) ?? 1) - 1;
      if (left <= 0) this.uploadsInFlight.delete(userId);
      else this.uploadsInFlight.set(userId, left);
    };
  }

  get limits(): MediaLimits {
    return this.deps.limits;
  }

  /** Where an upload streams to before it is checked and handed to the store. */
  get scratch(): Scratch {
    return this.deps.blobs.scratch;
  }

  /** Refuses before any byte is read when this server cannot process audio at all. */
  assertCanProcess(): AudioTools {
    if (!this.deps.tools) throw new AppError(503, 'SERVICE_UNAVAILABLE', MEDIA_TOOLS_MISSING);
    return this.deps.tools;
  }

  /**
   * Checks the uploaded file, stores it and queues its processing. Resolves with the track in
   * state `processing`; every failure leaves nothing behind (scratch file, blobs or rows).
   */
  async createTrack(
    actor: Actor,
    upload: ReceivedUpload,
    options: { coverColor?: string; signal?: AbortSignal } = {},
  ): Promise<Track> {
    const { db, blobs, clock } = this.deps;
    const tools = this.assertCanProcess();
    const trackId = randomUUID();
    const scratchCover = blobs.scratch.file(`cover-${trackId}.jpg`);
    let stored = false;
    try {
      const fields = parseUploadFields(upload.fields);
      const probed = await this.inspect(upload.file, tools, options.signal);
      const metadata = resolveMetadata(fields, probed.tags, upload.clientFileName, actor.username);
      const coverColor = options.coverColor ?? coverColorFor(trackId);
      await this.makeCover(tools, upload.file, probed, scratchCover, trackId, coverColor);
      // The uploader went away while the file was checked: keep nothing.
      options.signal?.throwIfAborted();

      stored = true;
      await blobs.putFile(sourceKey(trackId), upload.file);
      await blobs.putFile(coverKey(trackId), scratchCover);
      const now = clock.now();
      await db.transaction(async (tx) => {
        await tx.query(
          `INSERT INTO tracks (id, owner_id, title, artist, album, genre, duration_ms, state, source_probe, source_bytes,
             cover_color, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, 'processing', $8, $9, $10, $11, $11)`,
          [
            trackId,
            actor.id,
            metadata.title,
            metadata.artist,
            metadata.album,
            metadata.genre,
            probed.durationMs,
            JSON.stringify(probed),
            upload.sizeBytes,
            coverColor,
            now,
          ],
        );
        await enqueueJob(tx, clock, TRACK_PROCESSING_JOB, { trackId });
      });
      announceJobs(this.deps.bus);
    } catch (error) {
      if (stored) await blobs.delete(trackPrefix(trackId)).catch(() => undefined);
      throw error;
    } finally {
      await rm(upload.file, { force: true });
      await rm(scratchCover, { force: true });
    }
    this.deps.logger.info({ trackId, ownerId: actor.id, bytes: upload.sizeBytes }, 'track uploaded');
    return toTrack((await findTrackRow(db, trackId, actor.id))!);
  }

  /** Deletes the track, its rows (likes, plays, playlist entries) and all its blobs. */
  async deleteTrack(actor: Actor, trackId: string): Promise<void> {
    const row = await requireVisibleTrack(this.deps.db, trackId, actor);
    // The same rule as editing: an owner who may still upload (so not a tracks:play-only API
    // key, nor an artist since demoted), or a manager.
    const ownsIt = row.owner_id === actor.id && actor.permissions.has('tracks:upload');
    if (!ownsIt && !actor.permissions.has('tracks:manage')) {
      throw forbidden('Only the uploader or an admin can delete this track.');
    }
    await this.deps.db.query('DELETE FROM tracks WHERE id = $1', [trackId]);
    // A processing job still running finds the row gone and discards its work.
    await this.deps.blobs.delete(trackPrefix(trackId));
    this.deps.cache.evictPrefix(trackPrefix(trackId));
    await this.deps.bus.publish(trackDeletedTopic, {}, { trackId }).catch(() => undefined);
    this.deps.logger.info({ trackId, by: actor.id }, 'track deleted');
  }

  async streamGrant(actor: Actor, trackId: string): Promise<StreamGrant> {
    const row = await this.readyTrack(actor, trackId);
    const expiresAt = this.deps.signer.expiryFor(this.deps.clock.now().getTime());
    const grant = { scope: 'hls' as const, trackId, mediaVersion: row.media_version, userId: actor.id, expiresAt };
    const base = hlsBasePath(grant, this.deps.signer.sign(grant));
    return { url: `${this.deps.publicUrl}${base}/master.m3u8`, expiresAt: new Date(expiresAt * 1000).toISOString() };
  }

  async downloadGrant(actor: Actor, trackId: string, quality: TrackQuality | undefined): Promise<DownloadGrant> {
    const row = await this.readyTrack(actor, trackId);
    const wanted = quality ?? TRACK_QUALITIES[TRACK_QUALITIES.length - 1]!;
    const rendition = row.renditions.find((r) => r.quality === wanted);
    if (!rendition) throw notFound(`This track has no ${wanted} rendition.`);
    const expiresAt = this.deps.signer.expiryFor(this.deps.clock.now().getTime());
    const grant = {
      scope: `download-${wanted}` as const,
      trackId,
      mediaVersion: row.media_version,
      userId: actor.id,
      expiresAt,
    };
    const fileName = downloadFileName(row.artist, row.title);
    return {
      url: `${this.deps.publicUrl}${downloadPath(grant, wanted, this.deps.signer.sign(grant), fileName)}`,
      expiresAt: new Date(expiresAt * 1000).toISOString(),
      quality: wanted,
      sizeBytes: rendition.downloadBytes,
      contentType: 'audio/mp4',
      sha256: rendition.downloadSha256,
    };
  }

  /** The waveform JSON as stored, with its ETag. */
  async peaks(actor: Actor, trackId: string): Promise<{ data: Buffer; etag: string }> {
    const row = await this.readyTrack(actor, trackId);
    const key = peaksKey(trackId, row.media_version);
    const [data, stat] = await Promise.all([this.deps.blobs.readAll(key), this.deps.blobs.stat(key)]);
    if (!data || !stat) throw notFound('This track has no waveform.');
    return { data, etag: stat.etag };
  }

  /** Cover art is not secret (ids are unguessable, art is public on every store): no session needed. */
  async cover(trackId: string): Promise<{ data: Buffer; etag: string } | null> {
    const key = coverKey(trackId);
    const [data, stat] = await Promise.all([this.deps.blobs.readAll(key), this.deps.blobs.stat(key)]);
    return data && stat ? { data, etag: stat.etag } : null;
  }

  private async readyTrack(actor: Actor, trackId: string): Promise<TrackRow> {
    const row = await requireVisibleTrack(this.deps.db, trackId, actor);
    if (row.state === 'processing') throw new AppError(409, 'CONFLICT', 'This track is still being processed.');
    if (row.state === 'failed') {
      throw new AppError(
        409,
        'CONFLICT',
        `This track could not be processed: ${row.failure_reason ?? 'unknown reason'}`,
      );
    }
    return row;
  }

  /** Probe and a full decode: refuses what is not audio, or not whole, before anything is stored. */
  private async inspect(file: string, tools: AudioTools, signal?: AbortSignal): Promise<AudioProbe> {
    const { inspectTimeoutMs, maxDurationMs } = this.deps.limits;
    try {
      const probed = await probe(file, { tools, timeoutMs: inspectTimeoutMs, maxDurationMs, signal });
      // A full decode of a long file takes longer: a few seconds per hour of audio here, so allow
      // the base limit plus a generous share of the duration.
      const timeoutMs = inspectTimeoutMs + Math.round(probed.durationMs / 20);
      const { decodedMs } = await verifyDecodes(file, probed, { tools, timeoutMs, signal });
      // A header may understate the length; what decodes is what the ladder would have to carry.
      if (decodedMs > maxDurationMs) {
        throw new AppError(
          422,
          'INVALID_AUDIO',
          `This recording plays for ${formatDuration(decodedMs)}; the limit is ${formatDuration(maxDurationMs)}.`,
        );
      }
      return probed;
    } catch (error) {
      if (error instanceof AudioInputError) throw new AppError(422, 'INVALID_AUDIO', error.message);
      if (error instanceof AudioTimeoutError) {
        throw new AppError(422, 'INVALID_AUDIO', 'Reading this file took too long; it may be damaged.');
      }
      throw error;
    }
  }

  private async makeCover(
    tools: AudioTools,
    file: string,
    probed: AudioProbe,
    out: string,
    trackId: string,
    color: string,
  ): Promise<void> {
    if (probed.hasCoverArt) {
      try {
        if (await extractCoverArt({ file, probed }, out, { tools, timeoutMs: 30_000 })) return;
      } catch (error) {
        // Broken embedded art is no reason to refuse the audio: fall back to a placeholder.
        this.deps.logger.info({ trackId, err: error }, 'embedded cover art could not be read');
      }
    }
    await renderPlaceholderCover(out, { tools, seed: trackId, color, timeoutMs: 30_000 });
  }
}

function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  return `${+(seconds / 3600).toFixed(1)} h`;
}

/** `Artist - Title.m4a` reduced to characters safe in a path segment and a header. */
export function downloadFileName(artist: string, title: string): string {
  const ascii = `${artist} - ${title}`
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._-]+|[._-]+$/g, '')
    .slice(0, 100);
  return `${ascii === '' ? 'track' : ascii}.m4a`;
}
