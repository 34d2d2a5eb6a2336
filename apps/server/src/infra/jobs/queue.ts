import type { Bus } from '../bus.js';
import type { Clock } from '../clock.js';
import type { Queryable } from '../db/db.js';
import type { JobQueueCount } from '../metrics.js';
import { jobsEnqueuedTopic } from './topics.js';

export interface EnqueueOptions {
  /** Runs before this many attempts are used up; a crash mid-run uses one. Default 3. */
  maxAttempts?: number;
  runAt?: Date;
}

/**
 * Adds a job inside the caller's transaction, so the job exists exactly when the work it belongs
 * to does (a track row and its processing job commit together).
 */
export async function enqueueJob(
  tx: Queryable,
  clock: Clock,
  kind: string,
  payload: Record<string, unknown>,
  options: EnqueueOptions = {},
): Promise<string> {
  const now = clock.now();
  const { rows } = await tx.query<{ id: string }>(
    `INSERT INTO jobs (kind, payload, state, max_attempts, run_at, created_at, updated_at)
     VALUES ($1, $2, 'queued', $3, $4, $5, $5) RETURNING id`,
    [kind, JSON.stringify(payload), options.maxAttempts ?? 3, options.runAt ?? now, now],
  );
  return rows[0]!.id;
}

/** Call after the enqueuing transaction committed. */
export function announceJobs(bus: Bus): void {
  bus.publish(jobsEnqueuedTopic, {}, {}).catch(() => undefined);
}

/**
 * How many jobs wait or run, by kind, with every kind in `kinds` present (at zero when idle).
 * Read through the partial index on pending jobs, so finished ones (kept for days) cost nothing.
 */
export async function countPendingJobs(db: Queryable, kinds: readonly string[]): Promise<JobQueueCount[]> {
  const { rows } = await db.query<JobQueueCount>(
    `SELECT kind, state, count(*)::int AS jobs FROM jobs WHERE state IN ('queued', 'running') GROUP BY kind, state`,
  );
  const counts = new Map<string, JobQueueCount>();
  for (const kind of kinds)
    for (const state of ['queued', 'running'] as const) counts.set(`${kind}\n${state}`, { kind, state, jobs: 0 });
  for (const row of rows) counts.set(`${row.kind}\n${row.state}`, row);
  return [...counts.values()];
}
