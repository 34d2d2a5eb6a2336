import type { Bus } from '../bus.js';
import type { Clock } from '../clock.js';
import type { Queryable } from '../db/db.js';

/** Published after a job is committed, so idle workers on every instance look at once. */
export const JOBS_ENQUEUED_SUBJECT = 'jobs.enqueued';

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
  bus.publish(JOBS_ENQUEUED_SUBJECT, {}).catch(() => undefined);
}
