import type pg from 'pg';
import type { Bus } from '../bus.js';
import { systemClock, type Clock, type Timer } from '../clock.js';
import type { Db } from '../db/db.js';
import type { Logger } from '../logger.js';
import type { JobOutcome, Metrics } from '../metrics.js';
import { jobsEnqueuedTopic } from './topics.js';

export interface Job {
  id: string;
  kind: string;
  payload: Record<string, unknown>;
  /** 1 on the first run. */
  attempt: number;
  maxAttempts: number;
  /**
   * Aborted when the worker stops (end quickly: the job runs again on the next start) or loses the
   * connection holding the job's lock (another worker may already be running it).
   */
  signal: AbortSignal;
}

/** Thrown by a handler when retrying cannot help (the input is bad, the subject is gone). */
export class PermanentJobError extends Error {
  override name = 'PermanentJobError';
}

export interface JobHandler {
  run(job: Job): Promise<void>;
  /** The job will not run again: record the failure where people see it. */
  onFailed?(job: Job, error: unknown): Promise<void>;
}

export interface JobWorkerOptions {
  db: Db;
  bus: Bus;
  /** Drives polling, retry wake-ups and purges; job due times are the database's. */
  clock?: Clock;
  logger: Logger;
  handlers: Record<string, JobHandler>;
  /** Jobs run at once by this worker. */
  concurrency: number;
  /** Fallback look at the queue when no announcement arrives (jobs due later, other writers). */
  pollIntervalMs?: number;
  /** Delay before attempt n+1 after attempt n failed. */
  retryDelayMs?: (attempt: number) => number;
  /** Finished jobs are kept this long (for inspection), then deleted. Default 7 days. */
  keepFinishedMs?: number;
  /** Where each run's duration and outcome is recorded. */
  metrics?: Pick<Metrics, 'jobDuration'>;
}

// How often a worker deletes old finished jobs.
const PURGE_INTERVAL_MS = 60 * 60 * 1000;

// Advisory lock namespace for jobs (the migration lock uses the single-key form).
const LOCK_NAMESPACE = 0x7a6a;

interface JobRow {
  id: string;
  kind: string;
  payload: Record<string, unknown>;
  attempts: number;
  max_attempts: number;
}

/**
 * Runs jobs from the `jobs` table. A claimed job is held by a session advisory lock on a pooled
 * connection kept for the run: if the process dies, PostgreSQL drops the session and the lock,
 * and the next worker to look (this one restarted, or another instance) takes the job over at
 * once — no lease to wait out. `state = 'running'` with no lock held means exactly that.
 */
export class JobWorker {
  private readonly running = new Map<string, { promise: Promise<void>; abort: AbortController }>();
  private readonly pollIntervalMs: number;
  private readonly retryDelayMs: (attempt: number) => number;
  private readonly clock: Clock;
  private timer: Timer | undefined;
  private unsubscribe: (() => void) | undefined;
  private stopped = true;
  private looking: Promise<void> | undefined;
  private lookAgain = false;

  constructor(private readonly options: JobWorkerOptions) {
    this.clock = options.clock ?? systemClock;
    this.pollIntervalMs = options.pollIntervalMs ?? 2_000;
    this.retryDelayMs = options.retryDelayMs ?? ((attempt) => Math.min(60_000, 2_000 * 4 ** (attempt - 1)));
  }

  start(): void {
    if (!this.stopped || this.options.concurrency < 1) return;
    this.stopped = false;
    this.unsubscribe = this.options.bus.subscribe(jobsEnqueuedTopic, () => void this.wake());
    this.timer = this.clock.setInterval(() => void this.wake(), this.pollIntervalMs);
    void this.wake();
  }

  /** Stops claiming, aborts running jobs and waits for them; they are queued again as they were. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.clock.clearTimeout(this.timer);
    this.unsubscribe?.();
    await this.looking;
    for (const { abort } of this.running.values()) abort.abort();
    await Promise.allSettled([...this.running.values()].map((r) => r.promise));
  }

  /** Jobs this worker is running now. */
  get activeCount(): number {
    return this.running.size;
  }

  /**
   * Looks for due jobs now; coalesces calls made while a look is under way. Resolves once the
   * queue has been looked at (not once the jobs claimed have run).
   */
  wake(): Promise<void> {
    if (this.stopped) return this.looking ?? Promise.resolve();
    if (this.looking) {
      this.lookAgain = true;
      return this.looking;
    }
    const look = async (): Promise<void> => {
      do {
        this.lookAgain = false;
        await this.claimWhileFree().catch((error: unknown) =>
          this.options.logger.warn({ err: error }, 'job queue look failed'),
        );
      } while (this.lookAgain && !this.stopped);
    };
    this.looking = look().finally(() => (this.looking = undefined));
    return this.looking;
  }

  private lastPurge = 0;

  /** Deletes jobs that finished long ago (failed ones too: their track keeps the reason). */
  async purgeFinished(): Promise<number> {
    this.lastPurge = this.clock.now().getTime();
    const { rowCount } = await this.options.db.query(
      `DELETE FROM jobs WHERE state IN ('done', 'failed') AND updated_at < now() - make_interval(secs => $1)`,
      [(this.options.keepFinishedMs ?? 7 * 24 * 60 * 60 * 1000) / 1000],
    );
    return rowCount ?? 0;
  }

  private async claimWhileFree(): Promise<void> {
    if (this.clock.now().getTime() - this.lastPurge > PURGE_INTERVAL_MS) await this.purgeFinished();
    while (!this.stopped && this.running.size < this.options.concurrency) {
      const claimed = await this.claimOne();
      if (!claimed) return;
    }
  }

  private async claimOne(): Promise<boolean> {
    const { db } = this.options;
    const kinds = Object.keys(this.options.handlers);
    // Queued and running jobs are looked at separately, and this worker's own are left out: one
    // LIMIT over both would fill up with jobs being run (here or elsewhere) and hide queued ones.
    const { rows: candidates } = await db.query<{ id: string }>(
      `(SELECT id, run_at FROM jobs WHERE state = 'queued' AND run_at <= now() AND kind = ANY($1)
        ORDER BY run_at, id LIMIT 20)
       UNION ALL
       (SELECT id, run_at FROM jobs WHERE state = 'running' AND run_at <= now() AND kind = ANY($1)
          AND id <> ALL($2::bigint[])
        ORDER BY run_at, id LIMIT 20)
       ORDER BY run_at, id`,
      [kinds, [...this.running.keys()]],
    );
    for (const { id } of candidates) {
      if (this.running.has(id)) continue;
      const client = await db.pool.connect();
      // Heard while the client is checked out: a checked-out pg client whose connection drops
      // emits 'error', which unheard would crash the process. The lock went with the connection,
      // so a run holding it is told to stop.
      const abort = new AbortController();
      const onError = (error: Error): void => {
        this.options.logger.warn({ jobId: id, err: error }, 'job connection lost');
        abort.abort(error);
      };
      client.on('error', onError);
      let keep = false;
      let broken = false;
      try {
        const { rows: locked } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [
          LOCK_NAMESPACE,
          lockKey(id),
        ]);
        if (!locked[0]?.ok) continue;
        // Re-read under the lock: it may have finished between the look and the lock.
        const { rows } = await client.query<JobRow>(
          `UPDATE jobs SET state = 'running', attempts = attempts + 1, updated_at = now()
           WHERE id = $1 AND state IN ('queued', 'running') AND run_at <= now()
           RETURNING id, kind, payload, attempts, max_attempts`,
          [id],
        );
        const row = rows[0];
        if (!row) {
          await client.query('SELECT pg_advisory_unlock($1, $2)', [LOCK_NAMESPACE, lockKey(id)]);
          continue;
        }
        keep = true;
        this.launch(row, client, abort, onError);
        return true;
      } catch (error) {
        // The session may hold the job's lock: it must not go back to the pool.
        broken = true;
        throw error;
      } finally {
        if (!keep) {
          client.off('error', onError);
          client.release(broken || abort.signal.aborted ? true : undefined);
        }
      }
    }
    return false;
  }

  private launch(row: JobRow, client: pg.PoolClient, abort: AbortController, onError: (error: Error) => void): void {
    const job: Job = {
      id: row.id,
      kind: row.kind,
      payload: row.payload,
      attempt: row.attempts,
      maxAttempts: row.max_attempts,
      signal: abort.signal,
    };
    const promise = this.execute(job, client, onError).finally(() => {
      this.running.delete(row.id);
      void this.wake();
    });
    this.running.set(row.id, { promise, abort });
  }

  private async execute(job: Job, client: pg.PoolClient, onError: (error: Error) => void): Promise<void> {
    const { logger } = this.options;
    const handler = this.options.handlers[job.kind]!;
    let healthy = true;
    try {
      if (job.attempt > job.maxAttempts) {
        // Earlier runs died with the process each time (a file that crashes ffmpeg, say).
        await this.fail(job, client, new PermanentJobError('it was interrupted too many times'), handler);
        return;
      }
      const startedAt = performance.now();
      const observe = (outcome: JobOutcome): void =>
        this.options.metrics?.jobDuration.observe({ kind: job.kind, outcome }, (performance.now() - startedAt) / 1000);
      try {
        await handler.run(job);
        observe('done');
        await client.query(`UPDATE jobs SET state = 'done', last_error = NULL, updated_at = now() WHERE id = $1`, [
          job.id,
        ]);
        logger.info({ jobId: job.id, kind: job.kind, attempt: job.attempt }, 'job done');
      } catch (error) {
        if (job.signal.aborted) {
          observe('interrupted');
          // Stopped by shutdown, not by the job: this run does not count as an attempt.
          await client.query(
            `UPDATE jobs SET state = 'queued', attempts = attempts - 1, updated_at = now() WHERE id = $1`,
            [job.id],
          );
          logger.info({ jobId: job.id, kind: job.kind }, 'job interrupted by shutdown; it will run again');
        } else if (error instanceof PermanentJobError || job.attempt >= job.maxAttempts) {
          observe('failed');
          await this.fail(job, client, error, handler);
        } else {
          observe('retry');
          const delay = this.retryDelayMs(job.attempt);
          await client.query(
            `UPDATE jobs SET state = 'queued', last_error = $2, run_at = now() + make_interval(secs => $3),
               updated_at = now() WHERE id = $1`,
            [job.id, describe(error), delay / 1000],
          );
          logger.warn({ jobId: job.id, kind: job.kind, attempt: job.attempt, err: error }, 'job failed; will retry');
          this.clock.setTimeout(() => void this.wake(), delay);
        }
      }
    } catch (error) {
      // The job's own connection broke: its lock is gone with it and another run will pick the
      // job up. Do not put the connection back in the pool.
      healthy = false;
      logger.warn({ jobId: job.id, err: error }, 'job bookkeeping failed');
    } finally {
      if (healthy) {
        await client.query('SELECT pg_advisory_unlock($1, $2)', [LOCK_NAMESPACE, lockKey(job.id)]).catch(() => {
          healthy = false;
        });
      }
      client.off('error', onError);
      client.release(healthy ? undefined : true);
    }
  }

  private async fail(job: Job, client: pg.PoolClient, error: unknown, handler: JobHandler): Promise<void> {
    await client.query(`UPDATE jobs SET state = 'failed', last_error = $2, updated_at = now() WHERE id = $1`, [
      job.id,
      describe(error),
    ]);
    this.options.logger.warn({ jobId: job.id, kind: job.kind, err: error }, 'job failed for good');
    await handler
      .onFailed?.(job, error)
      .catch((hookError: unknown) =>
        this.options.logger.error({ jobId: job.id, err: hookError }, 'recording a job failure failed'),
      );
  }
}

// Job ids are bigserial; the two-key lock form takes int4s. Wrapping only makes two far-apart
// jobs share a lock (one waits for the other), never lets one job run twice.
const lockKey = (id: string): number => Number(BigInt(id) % 2147483647n);

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error)).slice(0, 2000);
