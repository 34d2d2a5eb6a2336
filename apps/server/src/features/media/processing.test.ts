import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAudioTools } from '@veza/audio';
import { InProcessBus } from '../../infra/bus.js';
import type { Job } from '../../infra/jobs/worker.js';
import { createLogger } from '../../infra/logger.js';
import { createTestApp, signUp, type TestApp } from '../../test-support/app.js';
import { makeTone } from '../../test-support/audio-files.js';
import { listFiles, uploadTrack } from '../../test-support/media.js';
import { TRACK_PROCESSING_JOB, trackProcessingHandler } from './processing.js';

/*
 * The processing job run by hand (no worker in this app), to put it in the situations a worker
 * can create: two runs of one job overlapping, a track deleted under a run.
 */

let t: TestApp;
let dir: string;
let token: string;

beforeAll(async () => {
  t = await createTestApp({ limits: { transcodeConcurrency: 0 } });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  dir = await mkdtemp(path.join(tmpdir(), 'veza-processing-'));
  token = (await signUp(t, 'artist')).accessToken;
});

afterAll(async () => {
  await t?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const handler = () =>
  trackProcessingHandler({
    db: t.database.db,
    bus: new InProcessBus(),
    logger: createLogger('silent'),
    blobs: t.blobs,
    tools: findAudioTools(),
  });

/** Uploads a short file and returns its track and queued job, as the worker would claim it. */
async function queuedTrack(): Promise<{ trackId: string; jobId: string }> {
  const file = await makeTone(dir, { seconds: 3, format: 'mp3', name: `t${Date.now()}` });
  const track = await uploadTrack(t, token, file);
  const { rows } = await t.database.db.query<{ id: string }>(
    `SELECT id FROM jobs WHERE kind = $1 AND payload->>'trackId' = $2`,
    [TRACK_PROCESSING_JOB, track.id],
  );
  return { trackId: track.id, jobId: rows[0]!.id };
}

const jobFor = (jobId: string, trackId: string, attempt: number): Job => ({
  id: jobId,
  kind: TRACK_PROCESSING_JOB,
  payload: { trackId },
  attempt,
  maxAttempts: 3,
  signal: new AbortController().signal,
});

const trackState = async (trackId: string) =>
  (
    await t.database.db.query<{ state: string; media_version: number }>(
      'SELECT state, media_version FROM tracks WHERE id = $1',
      [trackId],
    )
  ).rows[0];

describe('track processing job', () => {
  it('lets only the latest run of a job record its ladder; an overtaken run takes back only its own files', async () => {
    const { trackId, jobId } = await queuedTrack();
    // A second run has claimed the job (attempt 2) while the first is still working.
    await t.database.db.query('UPDATE jobs SET attempts = 2 WHERE id = $1', [jobId]);

    await handler().run(jobFor(jobId, trackId, 1));
    expect(await trackState(trackId)).toEqual({ state: 'processing', media_version: 0 });
    expect((await listFiles(path.join(t.blobs.root, 'tracks', trackId))).sort()).toEqual(['cover.jpg', 'source']);

    await handler().run(jobFor(jobId, trackId, 2));
    expect(await trackState(trackId)).toEqual({ state: 'ready', media_version: 2 });
    const files = await listFiles(path.join(t.blobs.root, 'tracks', trackId));
    expect(files).toContain('v2/hls/master.m3u8');
    expect(files.some((f) => f.startsWith('v1/'))).toBe(false);
  }, 60_000);

  it('publishes nothing when told to stop', async () => {
    const { trackId, jobId } = await queuedTrack();
    await t.database.db.query('UPDATE jobs SET attempts = 1 WHERE id = $1', [jobId]);
    const abort = new AbortController();
    abort.abort();
    await expect(handler().run({ ...jobFor(jobId, trackId, 1), signal: abort.signal })).rejects.toThrow();
    expect(await trackState(trackId)).toEqual({ state: 'processing', media_version: 0 });
    expect((await listFiles(path.join(t.blobs.root, 'tracks', trackId))).sort()).toEqual(['cover.jpg', 'source']);
  });

  it('removes what a crashed run left when the track is gone', async () => {
    const { trackId, jobId } = await queuedTrack();
    await t.database.db.query('DELETE FROM tracks WHERE id = $1', [trackId]);
    await handler().run(jobFor(jobId, trackId, 1));
    expect(await listFiles(path.join(t.blobs.root, 'tracks', trackId))).toEqual([]);
  });
});
