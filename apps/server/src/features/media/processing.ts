import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  AudioInputError,
  AudioTimeoutError,
  computePeaks,
  DEFAULT_LADDER,
  packageRendition,
  transcodeLadder,
  type AudioProbe,
  type AudioTools,
} from '@veza/audio';
import { TRACK_QUALITIES, type TrackQuality } from '@veza/shared';
import type { BlobStore } from '../../infra/blobs/blob-store.js';
import type { Bus } from '../../infra/bus.js';
import type { Db } from '../../infra/db/db.js';
import { PermanentJobError, type Job, type JobHandler } from '../../infra/jobs/worker.js';
import type { Logger } from '../../infra/logger.js';
import type { Metrics, TranscodeStep } from '../../infra/metrics.js';
import { sourceKey, trackPrefix, versionPrefix } from './blob-keys.js';
import { publishTrackProgress } from './track-notices.js';
import type { Rendition } from './track-rows.js';

export const TRACK_PROCESSING_JOB = 'track.process';

export interface ProcessingDeps {
  db: Db;
  bus: Bus;
  logger: Logger;
  blobs: BlobStore;
  tools: AudioTools;
  /** Per ffmpeg run; a 2-hour track at 20× realtime takes 6 minutes. */
  timeoutMs?: number;
  /** Where the ffmpeg wall time of each step is added up. */
  metrics?: Pick<Metrics, 'transcodeSeconds'>;
}

interface ProcessingRow {
  owner_id: string;
  state: string;
  source_probe: AudioProbe;
  media_version: number;
}

// Transcoding is most of the work; peaks and downloads share the rest.
const LADDER_SHARE = 85;

/**
 * The durable job behind every upload: the HLS ladder (with loudness), the waveform and one
 * download file per rendition are built in scratch, published under a fresh version prefix in
 * one rename, and only then recorded as ready. A process killed at any point leaves either the
 * old state or the finished one; the job runs again from the start on the next worker.
 */
export function trackProcessingHandler(deps: ProcessingDeps): JobHandler {
  const { db, bus, logger, blobs, tools } = deps;
  const timeoutMs = deps.timeoutMs ?? 30 * 60_000;
  /** Runs one ffmpeg step and adds its wall time, whether it succeeds or not. */
  const timed = async <T>(step: TranscodeStep, work: () => Promise<T>): Promise<T> => {
    const startedAt = performance.now();
    try {
      return await work();
    } finally {
      deps.metrics?.transcodeSeconds.inc({ step }, (performance.now() - startedAt) / 1000);
    }
  };

  return {
    async run(job: Job): Promise<void> {
      const trackId = String(job.payload.trackId);
      const { rows } = await db.query<ProcessingRow>(
        'SELECT owner_id, state, source_probe, media_version FROM tracks WHERE id = $1',
        [trackId],
      );
      const track = rows[0];
      if (!track) {
        // Deleted while queued: nothing to make, but an earlier run may have left a published
        // version behind (it crashed between its rename and its commit).
        await blobs.delete(trackPrefix(trackId));
        return;
      }
      // Already finished by an earlier run that died before marking the job done.
      if (track.state !== 'processing') return;

      // Each run of the job has its own attempt number, so two runs that overlap (one lost its
      // lock with its connection but has not noticed yet) never publish into the same directory.
      const version = track.media_version + job.attempt;
      let lastSent = -1;
      const progress = (percent: number): void => {
        const rounded = Math.floor(percent);
        if (rounded <= lastSent) return;
        lastSent = rounded;
        publishTrackProgress(bus, track.owner_id, { trackId, state: 'processing', percent: rounded });
      };
      const options = { tools, timeoutMs, signal: job.signal };

      try {
        const { ladder, renditions } = await blobs.scratch.withDirectory(
          `job-${job.id}-${job.attempt}`,
          async (work) => {
            const out = path.join(work, `v${version}`);
            await mkdir(out);
            // ffmpeg reads the upload from a path: the store's own file, or a copy a remote store makes.
            const ladder = await blobs.withLocalCopy(sourceKey(trackId), async (file) => {
              const input = { file, probed: track.source_probe };
              const made = await timed('ladder', () =>
                transcodeLadder(input, path.join(out, 'hls'), DEFAULT_LADDER, {
                  ...options,
                  onProgress: (percent) => progress((percent * LADDER_SHARE) / 100),
                }),
              );
              const peaks = await timed('peaks', () => computePeaks(input, options));
              await writeFile(path.join(out, 'peaks.json'), JSON.stringify(peaks));
              return made;
            });
            progress(LADDER_SHARE + 5);

            const renditions: Rendition[] = [];
            await mkdir(path.join(out, 'download'));
            for (const variant of ladder.variants) {
              const quality = asQuality(variant.id);
              const file = path.join(out, 'download', `${quality}.m4a`);
              await timed('package', () => packageRendition(path.join(out, 'hls', quality), file, options));
              renditions.push({
                quality,
                bandwidth: variant.bandwidth,
                averageBandwidth: variant.averageBandwidth,
                segmentCount: variant.segmentCount,
                downloadBytes: (await stat(file)).size,
                downloadSha256: await sha256Of(file),
              });
            }
            progress(99);

            // A run told to stop (shutdown, or its lock went with its connection) publishes nothing.
            job.signal.throwIfAborted();
            await blobs.putDirectory(versionPrefix(trackId, version), out);
            return { ladder, renditions };
          },
        );
        job.signal.throwIfAborted();
        const loudness = ladder.loudness;
        // Fenced on the attempt: only the job's latest run may record its version.
        const { rowCount } = await db.query(
          `UPDATE tracks SET state = 'ready', failure_reason = NULL, media_version = $2, renditions = $3,
             duration_ms = $4, loudness_lufs = $5, gain_db = $6, updated_at = now()
           WHERE id = $1 AND state = 'processing'
             AND (SELECT attempts FROM jobs WHERE id = $7) = $8`,
          [
            trackId,
            version,
            JSON.stringify(renditions),
            ladder.durationMs,
            finiteOrNull(loudness?.integratedLufs),
            finiteOrNull(loudness?.gainDb),
            job.id,
            job.attempt,
          ],
        );
        if (rowCount === 0) {
          const { rows: still } = await db.query('SELECT 1 FROM tracks WHERE id = $1', [trackId]);
          // Deleted while we worked: take everything back. Overtaken by a newer run: only ours.
          await blobs.delete(still.length === 0 ? trackPrefix(trackId) : versionPrefix(trackId, version));
          return;
        }
        // Versions from earlier runs that published but never recorded (or the previous ladder).
        for (let old = track.media_version; old < version; old++) {
          if (old > 0) await blobs.delete(versionPrefix(trackId, old));
        }
        publishTrackProgress(bus, track.owner_id, { trackId, state: 'ready', percent: 100 });
        logger.info({ trackId, version, durationMs: ladder.durationMs }, 'track ready');
      } catch (error) {
        if (error instanceof AudioInputError) throw new PermanentJobError(error.message);
        throw error;
      }
    },

    async onFailed(job: Job, error: unknown): Promise<void> {
      const trackId = String(job.payload.trackId);
      const reason = failureReason(error);
      const { rows } = await db.query<{ owner_id: string }>(
        `UPDATE tracks SET state = 'failed', failure_reason = $2, updated_at = now()
         WHERE id = $1 AND state = 'processing' RETURNING owner_id`,
        [trackId, reason],
      );
      const owner = rows[0]?.owner_id;
      if (owner) publishTrackProgress(bus, owner, { trackId, state: 'failed', percent: 100, failureReason: reason });
    },
  };
}

/** What the uploader reads when their track failed: never a stack trace or an ffmpeg log. */
export function failureReason(error: unknown): string {
  if (error instanceof PermanentJobError) {
    return error.message === 'it was interrupted too many times'
      ? 'Processing was interrupted too many times; try uploading the file again.'
      : `The file could not be converted: ${error.message}`;
  }
  if (error instanceof AudioTimeoutError) return 'Converting the file took too long; it may be damaged.';
  return 'The file could not be converted after several attempts; try uploading it again.';
}

function asQuality(id: string): TrackQuality {
  const quality = TRACK_QUALITIES.find((q) => q === id);
  if (!quality) throw new Error(`ladder rung "${id}" is not a known quality`);
  return quality;
}

const finiteOrNull = (value: number | undefined): number | null =>
  value !== undefined && Number.isFinite(value) ? value : null;

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
