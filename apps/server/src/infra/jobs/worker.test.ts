import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { InProcessBus } from '../bus.js';
import { ManualClock, systemClock } from '../clock.js';
import { createDb, type Db } from '../db/db.js';
import { createLogger } from '../logger.js';
import { createMetrics } from '../metrics.js';
import { createTestDatabase, type TestDatabase } from '../../test-support/database.js';
import { sampleSum } from '../../test-support/metrics.js';
import { waitFor } from '../../test-support/wait-for.js';
import { announceJobs, enqueueJob, type EnqueueOptions } from './queue.js';
import { jobsEnqueuedTopic } from './topics.js';
import { JobWorker, PermanentJobError, type Job, type JobHandler, type JobWorkerOptions } from './worker.js';

/*
 * The queue against a real PostgreSQL: claims, advisory locks and crash takeover are properties
 * of the database sessions, so nothing here is mocked. Every test uses job kinds of its own, so
 * what one test leaves in the table is invisible to the workers of the next.
 */

const logger = createLogger('silent');
// Matches LOCK_NAMESPACE in worker.ts: the two-key advisory lock form puts it in pg_locks.classid.
const LOCK_NAMESPACE = 0x7a6a;

let database: TestDatabase;
let bus: InProcessBus;
let teardown: (() => Promise<void>)[] = [];
let kinds = 0;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database.drop();
});

beforeEach(() => {
  bus = new InProcessBus();
  teardown.push(() => bus.close());
});

afterEach(async () => {
  const steps = teardown.reverse();
  teardown = [];
  for (const step of steps) await step();
});

const newKind = (): string => `test.kind${++kinds}`;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface JobRow {
  kind: string;
  payload: Record<string, unknown>;
  state: 'queued' | 'running' | 'done' | 'failed';
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  run_at: Date;
  created_at: Date;
  updated_at: Date;
}

async function jobRow(id: string): Promise<JobRow> {
  const { rows } = await database.db.query<JobRow>('SELECT * FROM jobs WHERE id = $1', [id]);
  if (!rows[0]) throw new Error(`job ${id} does not exist`);
  return rows[0];
}

async function countJobs(kind: string, state?: JobRow['state']): Promise<number> {
  const { rows } = await database.db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM jobs WHERE kind = $1 AND ($2::text IS NULL OR state = $2)',
    [kind, state ?? null],
  );
  return rows[0]!.n;
}

const waitForState = (id: string, state: JobRow['state']): Promise<JobRow> =>
  waitFor(
    async () => {
      const row = await jobRow(id);
      return row.state === state && row;
    },
    { what: `job ${id} to be ${state}` },
  );

async function enqueue(kind: string, payload: Record<string, unknown> = {}, options?: EnqueueOptions): Promise<string> {
  return database.db.transaction((tx) => enqueueJob(tx, systemClock, kind, payload, options));
}

/** Its own pool on the test database: another server instance, as far as PostgreSQL can tell. */
function instancePool(max = 10): Db {
  const db = createDb({ connectionString: database.connectionString, max });
  teardown.push(() => db.close());
  return db;
}

function startWorker(options: Partial<JobWorkerOptions> & Pick<JobWorkerOptions, 'handlers'>): JobWorker {
  const worker = new JobWorker({
    db: database.db,
    bus,
    logger,
    concurrency: 2,
    pollIntervalMs: 25,
    retryDelayMs: () => 10,
    ...options,
  });
  worker.start();
  teardown.push(() => worker.stop());
  return worker;
}

function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/** Waits for `gate`, or rejects as a well-behaved handler does when the worker aborts it. */
async function hold(gate: Promise<void>, signal: AbortSignal): Promise<void> {
  await Promise.race([gate, untilAborted(signal)]);
  if (signal.aborted) throw new Error('aborted');
}

/** Backends of the test database holding a job lock, with the job id each one holds. */
async function jobLockHolders(): Promise<{ pid: number; jobKey: number }[]> {
  const { rows } = await database.db.query<{ pid: number; job_key: string }>(
    `SELECT pid, objid::text AS job_key FROM pg_locks
     WHERE locktype = 'advisory' AND granted AND classid = $1
       AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    [LOCK_NAMESPACE],
  );
  return rows.map((row) => ({ pid: row.pid, jobKey: Number(row.job_key) }));
}

async function terminateBackend(pid: number): Promise<void> {
  const { rows } = await database.db.query<{ ok: boolean }>('SELECT pg_terminate_backend($1) AS ok', [pid]);
  expect(rows[0]!.ok).toBe(true);
}

describe('enqueueJob', () => {
  it('stores a queued job with its payload, the clock time and three attempts by default', async () => {
    const clock = new ManualClock(new Date('2025-06-01T12:00:00Z'));
    const kind = newKind();
    const id = await database.db.transaction((tx) =>
      enqueueJob(tx, clock, kind, { trackId: 'a1', nested: { n: 1, list: [true, null] } }),
    );
    expect(id).toMatch(/^\d+$/);
    expect(await jobRow(id)).toMatchObject({
      kind,
      payload: { trackId: 'a1', nested: { n: 1, list: [true, null] } },
      state: 'queued',
      attempts: 0,
      max_attempts: 3,
      last_error: null,
      run_at: clock.now(),
      created_at: clock.now(),
      updated_at: clock.now(),
    });
  });

  it('takes maxAttempts and runAt from the options', async () => {
    const runAt = new Date('2030-01-02T03:04:05Z');
    const id = await enqueue(newKind(), {}, { maxAttempts: 7, runAt });
    expect(await jobRow(id)).toMatchObject({ max_attempts: 7, run_at: runAt });
  });

  it('leaves no job when the enqueuing transaction rolls back', async () => {
    const kind = newKind();
    let enqueued: string | undefined;
    await expect(
      database.db.transaction(async (tx) => {
        enqueued = await enqueueJob(tx, systemClock, kind, { n: 1 });
        throw new Error('the track insert failed');
      }),
    ).rejects.toThrow('the track insert failed');
    expect(enqueued).toBeDefined();
    expect(await countJobs(kind)).toBe(0);
    const { rowCount } = await database.db.query('SELECT 1 FROM jobs WHERE id = $1', [enqueued]);
    expect(rowCount).toBe(0);
  });

  it('a rolled-back job is never run, even by a worker that is woken for it', async () => {
    const kind = newKind();
    const run = vi.fn(async () => undefined);
    startWorker({ handlers: { [kind]: { run } } });
    await expect(
      database.db.transaction(async (tx) => {
        await enqueueJob(tx, systemClock, kind, {});
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    announceJobs(bus);
    const committed = await enqueue(kind);
    announceJobs(bus);
    await waitForState(committed, 'done');
    expect(run).toHaveBeenCalledTimes(1);
    expect(await countJobs(kind)).toBe(1);
  });

  it('announceJobs publishes on the jobs subject and never throws, even on a closed bus', async () => {
    const seen = deferred<unknown>();
    bus.subscribe(jobsEnqueuedTopic, (payload) => seen.resolve(payload));
    announceJobs(bus);
    expect(await seen.promise).toEqual({});

    const closed = new InProcessBus();
    await closed.close();
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    try {
      expect(() => announceJobs(closed)).not.toThrow();
      // A rejection nobody handles is reported once the microtasks have run: one macrotask later.
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });
});

describe('JobWorker', () => {
  it('runs a job once, with its payload, and marks it done', async () => {
    const kind = newKind();
    const runs: Job[] = [];
    const onFailed = vi.fn(async () => undefined);
    const worker = startWorker({ handlers: { [kind]: { run: async (job) => void runs.push(job), onFailed } } });
    const id = await enqueue(kind, { trackId: 't-1' }, { maxAttempts: 4 });
    announceJobs(bus);

    const row = await waitForState(id, 'done');
    expect(row).toMatchObject({ attempts: 1, last_error: null });
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ id, kind, payload: { trackId: 't-1' }, attempt: 1, maxAttempts: 4 });
    expect(runs[0]!.signal.aborted).toBe(false);

    // Several looks later it has still run once, and its lock is gone with it.
    await worker.wake();
    await worker.wake();
    expect(runs).toHaveLength(1);
    expect(onFailed).not.toHaveBeenCalled();
    expect(worker.activeCount).toBe(0);
    expect(await jobLockHolders()).toEqual([]);
  });

  it('deletes finished and failed jobs once they are older than keepFinishedMs, and nothing else', async () => {
    const kind = newKind();
    const old = await enqueue(kind, {});
    const oldFailed = await enqueue(kind, {});
    const recent = await enqueue(kind, {});
    const queuedLongAgo = await enqueue(kind, {});
    await database.db.query(
      `UPDATE jobs SET state = CASE WHEN id = $2 THEN 'failed' ELSE 'done' END, updated_at = now() - interval '2 hours'
       WHERE id = ANY($1)`,
      [[old, oldFailed], oldFailed],
    );
    await database.db.query(`UPDATE jobs SET state = 'done' WHERE id = $1`, [recent]);
    await database.db.query(
      `UPDATE jobs SET updated_at = now() - interval '2 hours', run_at = now() + interval '1 day' WHERE id = $1`,
      [queuedLongAgo],
    );
    const worker = new JobWorker({
      db: database.db,
      bus,
      logger,
      concurrency: 1,
      handlers: {},
      keepFinishedMs: 60 * 60 * 1000,
    });

    expect(await worker.purgeFinished()).toBe(2);
    const { rows } = await database.db.query<{ id: string }>('SELECT id FROM jobs WHERE id = ANY($1) ORDER BY id', [
      [old, oldFailed, recent, queuedLongAgo],
    ]);
    expect(rows.map((r) => r.id)).toEqual([recent, queuedLongAgo]);
  });

  it('runs due jobs oldest first', async () => {
    const kind = newKind();
    const order: unknown[] = [];
    const ids: string[] = [];
    for (let n = 0; n < 5; n++) ids.push(await enqueue(kind, { n }));
    startWorker({ concurrency: 1, handlers: { [kind]: { run: async (job) => void order.push(job.payload.n) } } });
    for (const id of ids) await waitForState(id, 'done');
    expect(order).toEqual([0, 1, 2, 3, 4]);
  });

  it('wakes on a jobs.enqueued announcement without waiting for the next poll', async () => {
    const kind = newKind();
    // Counts looks that found nothing: after the first one an idle worker with no poll timer
    // has no reason to look again until it hears an announcement.
    let emptyLooks = 0;
    const db: Db = {
      ...database.db,
      pool: database.db.pool,
      query: async (text, values) => {
        const result = await database.db.query(text, values);
        if (/\bFROM jobs\b/.test(text) && result.rowCount === 0) emptyLooks++;
        return result as never;
      },
    };
    const run = vi.fn(async () => undefined);
    startWorker({ db, pollIntervalMs: 3_600_000, handlers: { [kind]: { run } } });
    await waitFor(() => emptyLooks >= 1, { what: 'the first look' });

    // Nothing else wakes it: no poll for an hour, no job of its own finishing.
    const id = await enqueue(kind);
    expect(run).not.toHaveBeenCalled();
    expect((await jobRow(id)).state).toBe('queued');

    announceJobs(bus);
    await waitForState(id, 'done');
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('finds jobs by polling when nobody announces them', async () => {
    const kind = newKind();
    const clock = new ManualClock();
    const worker = startWorker({
      clock,
      pollIntervalMs: 3_600_000,
      handlers: { [kind]: { run: async () => undefined } },
    });
    // Its first look is over: only the next poll can find what comes now.
    await worker.wake();
    const id = await enqueue(kind);
    clock.advance(3_600_000);
    await waitForState(id, 'done');
  });

  it('does nothing with a concurrency of 0', async () => {
    const kind = newKind();
    const run = vi.fn(async () => undefined);
    const worker = startWorker({ concurrency: 0, handlers: { [kind]: { run } } });
    const id = await enqueue(kind);
    announceJobs(bus);
    await worker.wake();
    expect(run).not.toHaveBeenCalled();
    expect(await jobRow(id)).toMatchObject({ state: 'queued', attempts: 0 });
  });

  it('never runs more jobs at once than its concurrency', async () => {
    const kind = newKind();
    const release = deferred();
    let active = 0;
    let maxActive = 0;
    const worker = startWorker({
      concurrency: 3,
      handlers: {
        [kind]: {
          run: async (job) => {
            active++;
            maxActive = Math.max(maxActive, active);
            try {
              await hold(release.promise, job.signal);
            } finally {
              active--;
            }
          },
        },
      },
    });
    const ids: string[] = [];
    for (let n = 0; n < 10; n++) ids.push(await enqueue(kind, { n }));
    announceJobs(bus);

    await waitFor(() => active === 3, { what: '3 running handlers' });
    // Every way of making it look again, while it is full.
    for (let i = 0; i < 5; i++) {
      announceJobs(bus);
      await worker.wake();
    }
    expect(active).toBe(3);
    expect(worker.activeCount).toBe(3);
    expect(await countJobs(kind, 'running')).toBe(3);
    expect(await countJobs(kind, 'queued')).toBe(7);

    release.resolve();
    for (const id of ids) await waitForState(id, 'done');
    expect(maxActive).toBe(3);
    expect(worker.activeCount).toBe(0);
  });

  it('fills all its slots when it runs more than 20 jobs at once', async () => {
    const kind = newKind();
    const release = deferred();
    let active = 0;
    const worker = startWorker({
      db: instancePool(30),
      concurrency: 22,
      handlers: {
        [kind]: {
          run: async (job) => {
            active++;
            try {
              await hold(release.promise, job.signal);
            } finally {
              active--;
            }
          },
        },
      },
    });
    const ids: string[] = [];
    for (let n = 0; n < 25; n++) ids.push(await enqueue(kind, { n }));
    announceJobs(bus);
    await waitFor(() => active === 22, { what: '22 running handlers' });
    expect(worker.activeCount).toBe(22);
    release.resolve();
    for (const id of ids) await waitForState(id, 'done');
  });

  it('two instances never run the same job twice', async () => {
    const kind = newKind();
    const runs = new Map<string, number>();
    const byWorker = { a: 0, b: 0 };
    let active = 0;
    // The first eight runs wait until eight are running: with four slots each, both instances
    // must have claimed jobs, so the test also proves they really compete.
    const bothBusy = deferred();
    const handler = (name: 'a' | 'b'): JobHandler => ({
      run: async (job) => {
        runs.set(job.id, (runs.get(job.id) ?? 0) + 1);
        byWorker[name]++;
        active++;
        try {
          if (active === 8) bothBusy.resolve();
          await hold(bothBusy.promise, job.signal);
          await sleep(Number(job.payload.n) % 3);
        } finally {
          active--;
        }
      },
    });
    const ids: string[] = [];
    for (let n = 0; n < 60; n++) ids.push(await enqueue(kind, { n }));
    startWorker({ db: instancePool(), concurrency: 4, handlers: { [kind]: handler('a') } });
    startWorker({ db: instancePool(), concurrency: 4, handlers: { [kind]: handler('b') } });
    announceJobs(bus);

    await waitFor(
      async () => {
        const n = await countJobs(kind, 'done');
        return n === 60;
      },
      { what: 'every job to be done' },
    );
    expect([...runs.keys()].sort()).toEqual([...ids].sort());
    expect([...runs.values()].every((count) => count === 1)).toBe(true);
    expect(byWorker.a).toBeGreaterThanOrEqual(4);
    expect(byWorker.b).toBeGreaterThanOrEqual(4);
    const { rows } = await database.db.query<{ attempts: number }>(
      'SELECT DISTINCT attempts FROM jobs WHERE kind = $1',
      [kind],
    );
    expect(rows).toEqual([{ attempts: 1 }]);
  });

  it('a second instance fills its slots while the first one runs many jobs', async () => {
    const kind = newKind();
    const release = deferred();
    let active = 0;
    const handler: JobHandler = {
      run: async (job) => {
        active++;
        try {
          await hold(release.promise, job.signal);
        } finally {
          active--;
        }
      },
    };
    const ids: string[] = [];
    for (let n = 0; n < 24; n++) ids.push(await enqueue(kind, { n }));
    const a = startWorker({ db: instancePool(15), concurrency: 12, handlers: { [kind]: handler } });
    await waitFor(() => a.activeCount === 12, { what: 'instance a to be full' });
    const b = startWorker({ db: instancePool(15), concurrency: 12, handlers: { [kind]: handler } });
    await waitFor(() => active === 24, { what: 'both instances to be full' });
    expect(b.activeCount).toBe(12);
    release.resolve();
    for (const id of ids) await waitForState(id, 'done');
  });

  it('retries a failed job after retryDelayMs and records the error in between', async () => {
    const kind = newKind();
    const attempts: number[] = [];
    const errorsSeen: (string | null)[] = [];
    const retryDelayMs = vi.fn(() => 10);
    startWorker({
      retryDelayMs,
      handlers: {
        [kind]: {
          run: async (job) => {
            attempts.push(job.attempt);
            errorsSeen.push((await jobRow(job.id)).last_error);
            if (job.attempt < 3) throw new Error(`boom ${job.attempt}`);
          },
        },
      },
    });
    const id = await enqueue(kind, {}, { maxAttempts: 3 });
    announceJobs(bus);

    expect(await waitForState(id, 'done')).toMatchObject({ attempts: 3, last_error: null });
    expect(attempts).toEqual([1, 2, 3]);
    expect(errorsSeen).toEqual([null, 'boom 1', 'boom 2']);
    expect(retryDelayMs.mock.calls).toEqual([[1], [2]]);
  });

  it('does not retry before the delay is up', async () => {
    const kind = newKind();
    const run = vi.fn(async (job: Job) => {
      if (job.attempt === 1) throw new Error('first try failed');
    });
    const worker = startWorker({ retryDelayMs: () => 3_600_000, handlers: { [kind]: { run } } });
    const id = await enqueue(kind);
    announceJobs(bus);

    const waiting = await waitFor(
      async () => {
        const row = await jobRow(id);
        return row.state === 'queued' && row.attempts === 1 && row;
      },
      { what: 'the job to wait for its retry' },
    );
    expect(waiting.last_error).toBe('first try failed');
    const { rows } = await database.db.query<{ later: boolean }>(
      `SELECT run_at > now() + interval '59 minutes' AS later FROM jobs WHERE id = $1`,
      [id],
    );
    expect(rows[0]!.later).toBe(true);
    await worker.wake();
    expect(run).toHaveBeenCalledTimes(1);

    await database.db.query(`UPDATE jobs SET run_at = now() - interval '1 second' WHERE id = $1`, [id]);
    expect(await waitForState(id, 'done')).toMatchObject({ attempts: 2 });
    expect(run).toHaveBeenCalledTimes(2);
  });

  it('fails a job for good once its attempts are used up, calling onFailed once', async () => {
    const kind = newKind();
    const run = vi.fn(async (job: Job) => {
      throw new Error(`nope ${job.attempt}`);
    });
    const onFailed = vi.fn(async (_job: Job, _error: unknown) => undefined);
    const worker = startWorker({ handlers: { [kind]: { run, onFailed } } });
    const id = await enqueue(kind, { x: 1 }, { maxAttempts: 3 });
    announceJobs(bus);

    expect(await waitForState(id, 'failed')).toMatchObject({ attempts: 3, last_error: 'nope 3' });
    await waitFor(() => onFailed.mock.calls.length > 0, { what: 'onFailed' });
    await worker.wake();
    expect(run).toHaveBeenCalledTimes(3);
    expect(onFailed).toHaveBeenCalledTimes(1);
    const [job, error] = onFailed.mock.calls[0]!;
    expect(job).toMatchObject({ id, kind, attempt: 3, maxAttempts: 3, payload: { x: 1 } });
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe('nope 3');
    expect(await jobRow(id)).toMatchObject({ state: 'failed', attempts: 3 });
  });

  it('fails a job at once on PermanentJobError', async () => {
    const kind = newKind();
    const run = vi.fn(async () => {
      throw new PermanentJobError('not an audio file');
    });
    const onFailed = vi.fn(async (_job: Job, _error: unknown) => undefined);
    const retryDelayMs = vi.fn(() => 10);
    const worker = startWorker({ retryDelayMs, handlers: { [kind]: { run, onFailed } } });
    const id = await enqueue(kind, {}, { maxAttempts: 5 });
    announceJobs(bus);

    expect(await waitForState(id, 'failed')).toMatchObject({ attempts: 1, last_error: 'not an audio file' });
    await waitFor(() => onFailed.mock.calls.length > 0, { what: 'onFailed' });
    await worker.wake();
    expect(run).toHaveBeenCalledTimes(1);
    expect(retryDelayMs).not.toHaveBeenCalled();
    expect(onFailed).toHaveBeenCalledTimes(1);
    expect(onFailed.mock.calls[0]![1]).toBeInstanceOf(PermanentJobError);
    expect(new PermanentJobError('x').name).toBe('PermanentJobError');
  });

  it('keeps working when onFailed itself fails', async () => {
    const kind = newKind();
    const onFailed = vi.fn(async () => {
      throw new Error('the track row is gone');
    });
    startWorker({
      handlers: {
        [kind]: {
          run: async (job) => {
            if (job.payload.bad) throw new PermanentJobError('bad');
          },
          onFailed,
        },
      },
    });
    const bad = await enqueue(kind, { bad: true });
    announceJobs(bus);
    await waitForState(bad, 'failed');
    const good = await enqueue(kind, { bad: false });
    announceJobs(bus);
    await waitForState(good, 'done');
    expect(onFailed).toHaveBeenCalledTimes(1);
  });

  it('records what was thrown even when it is not an Error, and cuts long messages', async () => {
    const kind = newKind();
    startWorker({
      handlers: {
        [kind]: {
          run: async (job) => {
            if (job.payload.long) throw new Error('x'.repeat(5_000));
            throw 'a plain string';
          },
        },
      },
    });
    const plain = await enqueue(kind, { long: false }, { maxAttempts: 1 });
    const long = await enqueue(kind, { long: true }, { maxAttempts: 1 });
    announceJobs(bus);
    expect((await waitForState(plain, 'failed')).last_error).toBe('a plain string');
    expect((await waitForState(long, 'failed')).last_error).toBe('x'.repeat(2_000));
  });

  it('leaves alone jobs of kinds it has no handler for', async () => {
    const mine = newKind();
    const theirs = newKind();
    const worker = startWorker({ handlers: { [mine]: { run: async () => undefined } } });
    const other = await enqueue(theirs);
    const own = await enqueue(mine);
    announceJobs(bus);
    await waitForState(own, 'done');
    await worker.wake();
    expect(await jobRow(other)).toMatchObject({ state: 'queued', attempts: 0, last_error: null });
  });

  it('does not run a job before its run_at', async () => {
    const kind = newKind();
    const run = vi.fn(async (_job: Job) => undefined);
    const worker = startWorker({ handlers: { [kind]: { run } } });
    const later = await enqueue(kind, { when: 'later' }, { runAt: new Date(Date.now() + 3_600_000) });
    const now = await enqueue(kind, { when: 'now' });
    announceJobs(bus);
    // The due job queued after it ran, so the worker has looked past the later one.
    await waitForState(now, 'done');
    await worker.wake();
    expect(run.mock.calls.map(([job]) => job.payload.when)).toEqual(['now']);
    expect(await jobRow(later)).toMatchObject({ state: 'queued', attempts: 0 });

    await database.db.query(`UPDATE jobs SET run_at = now() - interval '1 second' WHERE id = $1`, [later]);
    await waitForState(later, 'done');
    expect(run.mock.calls.map(([job]) => job.payload.when)).toEqual(['now', 'later']);
  });

  it('never runs two jobs whose ids share a lock key at the same time', async () => {
    const kind = newKind();
    // Lock keys wrap at 2^31 - 1: these two ids map to the same advisory lock.
    const low = '1000000001';
    const high = (BigInt(low) + 2147483647n).toString();
    for (const id of [low, high]) {
      await database.db.query(
        `INSERT INTO jobs (id, kind, payload, state, max_attempts, run_at, created_at, updated_at)
         VALUES ($1, $2, '{}', 'queued', 3, now(), now(), now())`,
        [id, kind],
      );
    }
    let active = 0;
    let maxActive = 0;
    const ran: string[] = [];
    startWorker({
      db: instancePool(),
      concurrency: 2,
      handlers: {
        [kind]: {
          run: async (job) => {
            active++;
            maxActive = Math.max(maxActive, active);
            ran.push(job.id);
            await sleep(50);
            active--;
          },
        },
      },
    });
    startWorker({
      db: instancePool(),
      concurrency: 2,
      handlers: {
        [kind]: {
          run: async (job) => {
            active++;
            maxActive = Math.max(maxActive, active);
            ran.push(job.id);
            await sleep(50);
            active--;
          },
        },
      },
    });
    announceJobs(bus);
    await waitForState(low, 'done');
    await waitForState(high, 'done');
    expect(ran.sort()).toEqual([low, high].sort());
    expect(maxActive).toBe(1);
  });

  describe('when a worker dies', () => {
    it('another instance takes its job over at once and the attempt count includes both runs', async () => {
      const kind = newKind();
      const started = deferred<Job>();
      const runsA: Job[] = [];
      const runsB: Job[] = [];
      // A's handler hangs (a stuck ffmpeg, say) until the test lets go, whatever A is told.
      const letGo = deferred();
      const workerA = startWorker({
        db: instancePool(),
        handlers: {
          [kind]: {
            run: async (job) => {
              runsA.push(job);
              if (job.payload.n !== 1) return;
              started.resolve(job);
              await letGo.promise;
              throw new Error('a late failure from the dead run');
            },
          },
        },
      });
      teardown.push(async () => letGo.resolve());
      const id = await enqueue(kind, { n: 1 }, { maxAttempts: 3 });
      announceJobs(bus);
      await started.promise;

      // A second instance is up, but the job is held by a live session: it must keep off.
      const workerB = startWorker({
        db: instancePool(),
        pollIntervalMs: 20,
        handlers: { [kind]: { run: async (job) => void runsB.push(job) } },
      });
      await workerB.wake();
      await workerB.wake();
      expect(runsB).toEqual([]);
      expect(await jobRow(id)).toMatchObject({ state: 'running', attempts: 1 });

      const holders = await jobLockHolders();
      expect(holders).toHaveLength(1);
      expect(holders[0]!.jobKey).toBe(Number(id));
      await terminateBackend(holders[0]!.pid);

      expect(await waitForState(id, 'done')).toMatchObject({ attempts: 2, last_error: null });
      expect(runsB).toHaveLength(1);
      expect(runsB[0]).toMatchObject({ id, attempt: 2, maxAttempts: 3, payload: { n: 1 } });

      // A learns its session is gone and tells its run to stop; when that run finally ends (with
      // an error, here), A writes nothing: the job is B's now.
      await waitFor(() => runsA[0]!.signal.aborted, { what: 'worker A to abort its run' });
      letGo.resolve();
      await waitFor(() => workerA.activeCount === 0, { what: 'worker A to let go' });
      expect(runsA.map((job) => job.id)).toEqual([id]);
      expect(await jobRow(id)).toMatchObject({ state: 'done', attempts: 2, last_error: null });
      expect(workerB.activeCount).toBe(0);
      expect(await jobLockHolders()).toEqual([]);

      // Worker A itself is still usable afterwards.
      const next = await enqueue(kind, { n: 2 });
      announceJobs(bus);
      await waitForState(next, 'done');
    });

    it('a job re-claimed past its max attempts fails as interrupted too many times, without running', async () => {
      const kind = newKind();
      const started = deferred();
      const letGo = deferred();
      startWorker({
        db: instancePool(),
        handlers: {
          [kind]: {
            run: async () => {
              started.resolve();
              await letGo.promise;
            },
          },
        },
      });
      teardown.push(async () => letGo.resolve());
      const id = await enqueue(kind, {}, { maxAttempts: 1 });
      announceJobs(bus);
      await started.promise;
      const [holder] = await jobLockHolders();
      await terminateBackend(holder!.pid);

      const run = vi.fn(async () => undefined);
      const onFailed = vi.fn(async (_job: Job, _error: unknown) => undefined);
      startWorker({ db: instancePool(), handlers: { [kind]: { run, onFailed } } });
      const row = await waitForState(id, 'failed');
      expect(row.attempts).toBe(2);
      expect(row.last_error).toMatch(/interrupted too many times/);
      await waitFor(() => onFailed.mock.calls.length > 0, { what: 'onFailed' });
      expect(run).not.toHaveBeenCalled();
      expect(onFailed).toHaveBeenCalledTimes(1);
      const [job, error] = onFailed.mock.calls[0]!;
      expect(job).toMatchObject({ id, attempt: 2, maxAttempts: 1 });
      expect(error).toBeInstanceOf(PermanentJobError);
    });

    it('an orphaned running job with its attempts used up is failed by the next worker', async () => {
      const kind = newKind();
      // What the table holds after a process died during the last attempt: running, no lock.
      const { rows } = await database.db.query<{ id: string }>(
        `INSERT INTO jobs (kind, payload, state, attempts, max_attempts, run_at, created_at, updated_at)
         VALUES ($1, '{}', 'running', 2, 2, now(), now(), now()) RETURNING id`,
        [kind],
      );
      const id = rows[0]!.id;
      const run = vi.fn(async () => undefined);
      const onFailed = vi.fn(async () => undefined);
      startWorker({ handlers: { [kind]: { run, onFailed } } });
      const row = await waitForState(id, 'failed');
      expect(row).toMatchObject({ attempts: 3, last_error: 'it was interrupted too many times' });
      await waitFor(() => onFailed.mock.calls.length > 0, { what: 'onFailed' });
      expect(run).not.toHaveBeenCalled();
    });

    it('an orphaned running job with attempts left is run again', async () => {
      const kind = newKind();
      const { rows } = await database.db.query<{ id: string }>(
        `INSERT INTO jobs (kind, payload, state, attempts, max_attempts, run_at, created_at, updated_at)
         VALUES ($1, '{"n": 5}', 'running', 1, 3, now(), now(), now()) RETURNING id`,
        [kind],
      );
      const id = rows[0]!.id;
      const runs: Job[] = [];
      startWorker({ handlers: { [kind]: { run: async (job) => void runs.push(job) } } });
      expect(await waitForState(id, 'done')).toMatchObject({ attempts: 2 });
      expect(runs).toEqual([expect.objectContaining({ id, attempt: 2, payload: { n: 5 } })]);
    });
  });

  describe('stop()', () => {
    it('aborts a running job and queues it again without counting the attempt', async () => {
      const kind = newKind();
      const started = deferred();
      const abortedSeen: boolean[] = [];
      const worker = startWorker({
        handlers: {
          [kind]: {
            run: async (job) => {
              started.resolve();
              await untilAborted(job.signal);
              abortedSeen.push(job.signal.aborted);
              throw new Error('stopped mid-transcode');
            },
          },
        },
      });
      const id = await enqueue(kind, {}, { maxAttempts: 2 });
      announceJobs(bus);
      await started.promise;
      expect(await jobRow(id)).toMatchObject({ state: 'running', attempts: 1 });

      await worker.stop();
      expect(abortedSeen).toEqual([true]);
      expect(worker.activeCount).toBe(0);
      expect(await jobRow(id)).toMatchObject({ state: 'queued', attempts: 0, last_error: null });
      expect(await jobLockHolders()).toEqual([]);

      // A stopped worker claims nothing more.
      announceJobs(bus);
      await worker.wake();
      expect(await jobRow(id)).toMatchObject({ state: 'queued', attempts: 0 });

      // The next start (this process restarted, or another instance) runs it as its first attempt.
      const runs: Job[] = [];
      startWorker({ handlers: { [kind]: { run: async (job) => void runs.push(job) } } });
      expect(await waitForState(id, 'done')).toMatchObject({ attempts: 1 });
      expect(runs.map((job) => job.attempt)).toEqual([1]);
    });

    it('waits for a handler that finishes anyway, and its result stands', async () => {
      const kind = newKind();
      const started = deferred();
      const worker = startWorker({
        handlers: {
          [kind]: {
            run: async (job) => {
              started.resolve();
              await untilAborted(job.signal);
              await sleep(30);
            },
          },
        },
      });
      const id = await enqueue(kind);
      announceJobs(bus);
      await started.promise;
      await worker.stop();
      expect(await jobRow(id)).toMatchObject({ state: 'done', attempts: 1 });
    });

    it('stops claiming: jobs enqueued afterwards stay queued', async () => {
      const kind = newKind();
      const run = vi.fn(async () => undefined);
      const worker = startWorker({ handlers: { [kind]: { run } } });
      await worker.stop();
      await worker.stop();
      const id = await enqueue(kind);
      announceJobs(bus);
      await worker.wake();
      expect(run).not.toHaveBeenCalled();
      expect(await jobRow(id)).toMatchObject({ state: 'queued', attempts: 0 });

      // And it can be started again.
      worker.start();
      await waitForState(id, 'done');
    });
  });
});

describe('JobWorker metrics', () => {
  it("records each run's duration by kind and outcome: done, retry, failed, interrupted", async () => {
    const metrics = createMetrics();
    const [flaky, broken, endless] = [newKind(), newKind(), newKind()];
    const started = deferred();
    const worker = startWorker({
      metrics,
      handlers: {
        [flaky]: {
          run: async (job) => {
            if (job.attempt === 1) throw new Error('first run fails');
          },
        },
        [broken]: {
          run: async () => {
            throw new PermanentJobError('unreadable input');
          },
        },
        [endless]: {
          run: async (job) => {
            started.resolve();
            await untilAborted(job.signal);
            throw new Error('stopped');
          },
        },
      },
    });
    const ids = [await enqueue(flaky), await enqueue(broken), await enqueue(endless)];
    announceJobs(bus);
    await waitForState(ids[0]!, 'done');
    await waitForState(ids[1]!, 'failed');
    await started.promise;
    await worker.stop();

    const text = await metrics.registry.metrics();
    const runs = (kind: string, outcome: string): number | undefined =>
      sampleSum(text, 'veza_job_duration_seconds_count', { kind, outcome });
    expect([runs(flaky, 'retry'), runs(flaky, 'done'), runs(broken, 'failed'), runs(endless, 'interrupted')]).toEqual([
      1, 1, 1, 1,
    ]);
    expect(runs(flaky, 'failed')).toBeUndefined();
    expect(sampleSum(text, 'veza_job_duration_seconds_sum', { kind: endless })).toBeGreaterThan(0);
  });
});
