#!/usr/bin/env node
/**
 * Analytics dashboard benchmark: the dashboards' queries over a year of activity with 10 million
 * plays and 10 million messages. Seeds a throwaway database on the machine's PostgreSQL with
 * generate_series (100k users, 1,000 rooms, 10,000 tracks by 500 artists, a year of messages and
 * plays), builds the rollups by applying migration 0006-analytics to it (its one-time backfill, the
 * path an existing server takes on upgrade), then times every dashboard query through the built
 * AnalyticsService (apps/server/dist): live tiles, history of every metric by day, week and month
 * over a year, top tracks and rooms over 30 days and a year, an artist's figures over 30 days and a
 * year. Prints p50/p99 in ms per query (target < 50 ms).
 *
 *   node scripts/bench/analytics-queries.mjs
 *
 * VEZA_BENCH_ROWS=1000000 seeds fewer rows (plays and messages each) for a quick look; then the
 * results file is left as it was. VEZA_BENCH_PG_URL picks the PostgreSQL server (default
 * postgres://postgres@127.0.0.1:5432/postgres). The database is dropped at the end, on error or
 * Ctrl-C too; gives up after HARD_TIMEOUT_MS.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, machineInfo, median, now, onCleanup, round, runBench, table, writeResults } from './lib/harness.mjs';

// The server's own PostgreSQL client (not a dependency of the workspace root).
const pg = createRequire(path.join(ROOT, 'apps/server/package.json'))('pg');

const HARD_TIMEOUT_MS = 25 * 60 * 1000;
const ROWS = Number(process.env.VEZA_BENCH_ROWS ?? 10_000_000);
const SERVER_URL = process.env.VEZA_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ROUNDS = 30;
const WARMUP = 3;
const YEAR_START = '2025-01-01';
const YEAR_END = '2025-12-31';
const DIST = path.join(ROOT, 'apps/server/dist');

const dbName = `veza_bench_analytics_${process.pid}`;
const withDatabase = (url, name) => {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
};

async function admin(sql) {
  const client = new pg.Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function timed(label, fn) {
  const start = now();
  await fn();
  const ms = now() - start;
  console.error(`bench: ${label}: ${round(ms / 1000, 1)} s`);
  return ms;
}

/** Users, rooms, tracks, then ROWS messages and ROWS plays spread over YEAR_START..YEAR_END. */
async function seed(client) {
  // Indexes the rollups never read are dropped first: this is a throwaway copy of the schema.
  await client.query(`
    DROP INDEX messages_search_idx;
    ALTER TABLE messages DROP CONSTRAINT messages_pkey CASCADE;
    ALTER TABLE messages DROP CONSTRAINT messages_room_id_author_id_client_id_key;
    ALTER TABLE messages DROP CONSTRAINT messages_room_id_seq_key;
    ALTER TABLE messages ALTER COLUMN search DROP EXPRESSION;
    ALTER TABLE plays DROP CONSTRAINT plays_pkey;
    DROP INDEX plays_track_started_idx, plays_user_started_idx, plays_counted_idx;
  `);
  await client.query(
    `
    INSERT INTO users (id, email, username, password_hash, role, created_at, updated_at)
    SELECT gen_random_uuid(), 'u' || g || '@bench.test', 'u' || g, 'x', CASE WHEN g <= 500 THEN 'artist' ELSE 'listener' END,
           $1::timestamptz + (g % 365) * interval '1 day', $1::timestamptz
    FROM generate_series(1, 100000) g`,
    [YEAR_START],
  );
  await client.query(
    `CREATE TEMPORARY TABLE bench_users AS SELECT row_number() OVER (ORDER BY id) AS n, id FROM users`,
  );
  await client.query(
    `
    INSERT INTO rooms (id, kind, name, created_by, created_at)
    SELECT gen_random_uuid(), 'public', 'room ' || g, (SELECT id FROM bench_users WHERE n = 1), $1::timestamptz
    FROM generate_series(1, 1000) g`,
    [YEAR_START],
  );
  await client.query(
    `
    INSERT INTO tracks (id, owner_id, title, artist, duration_ms, state, source_probe, source_bytes, cover_color, created_at, updated_at)
    SELECT gen_random_uuid(), u.id, 'track ' || g, 'artist', 200000, 'ready', '{}', 1000, '#336699', $1::timestamptz, $1::timestamptz
    FROM generate_series(1, 10000) g JOIN bench_users u ON u.n = 1 + (g % 500)`,
    [YEAR_START],
  );
  await client.query(
    `CREATE TEMPORARY TABLE bench_rooms AS SELECT row_number() OVER (ORDER BY id) AS n, id FROM rooms`,
  );
  await client.query(
    `CREATE TEMPORARY TABLE bench_tracks AS SELECT row_number() OVER (ORDER BY id) AS n, id FROM tracks`,
  );
  await client.query(
    'CREATE INDEX ON bench_users (n); CREATE INDEX ON bench_rooms (n); CREATE INDEX ON bench_tracks (n); ANALYZE',
  );
  // Foreign keys are not checked while seeding (the rows are right by construction): replica
  // mode skips the per-row constraint triggers, which would take most of the seeding time.
  await client.query("SET session_replication_role = 'replica'");
  // Skewed popularity (a square of a uniform draw): a few rooms, tracks and users do most of it.
  await timed(`seeding ${ROWS} messages`, () =>
    client.query(
      `
      INSERT INTO messages (id, room_id, author_id, client_id, seq, body, created_at)
      SELECT gen_random_uuid(), r.id, u.id, gen_random_uuid(), s.g, 'hello', s.at
      FROM (SELECT g, $2::timestamptz + (g::float8 / $1) * interval '365 days' AS at,
                   1 + floor(1000 * power(random(), 2))::int AS room_n,
                   1 + floor(100000 * power(random(), 2))::int AS user_n
            FROM generate_series(1, $1::int) g OFFSET 0) s
      JOIN bench_rooms r ON r.n = s.room_n
      JOIN bench_users u ON u.n = s.user_n`,
      [ROWS, YEAR_START],
    ),
  );
  await timed(`seeding ${ROWS} plays`, () =>
    client.query(
      `
      INSERT INTO plays (id, user_id, track_id, source, started_at, listened_ms, counted, reported_at)
      SELECT gen_random_uuid(), u.id, t.id, 'stream', s.at, s.ms, s.ms >= 30000, s.at
      FROM (SELECT g, $2::timestamptz + (g::float8 / $1) * interval '365 days' AS at,
                   floor(random() * 200000)::int AS ms,
                   1 + floor(10000 * power(random(), 2))::int AS track_n,
                   1 + floor(100000 * power(random(), 2))::int AS user_n
            FROM generate_series(1, $1::int) g OFFSET 0) s
      JOIN bench_tracks t ON t.n = s.track_n
      JOIN bench_users u ON u.n = s.user_n`,
      [ROWS, YEAR_START],
    ),
  );
  await client.query("SET session_replication_role = 'origin'");
}

const TRIGGER_SAMPLE = 2000;
const TRIGGER_ROUNDS = 3;

/**
 * What the analytics trigger adds to storing a message: single-row inserts, each its own
 * transaction as a chat send is, with the trigger and without (disabled), alternating rounds.
 */
async function measureTriggerCost(client) {
  const { rows } = await client.query('SELECT id, created_by FROM rooms ORDER BY id LIMIT 1');
  const { id: roomId, created_by: authorId } = rows[0];
  const sample = async () => {
    const start = now();
    for (let i = 0; i < TRIGGER_SAMPLE; i += 1) {
      await client.query(
        `INSERT INTO messages (id, room_id, author_id, client_id, seq, body, created_at)
         VALUES (gen_random_uuid(), $1, $2, gen_random_uuid(), 0, 'hello', $3)`,
        [roomId, authorId, `${YEAR_END}T12:00:00Z`],
      );
    }
    return ((now() - start) * 1000) / TRIGGER_SAMPLE;
  };
  const withUs = [];
  const withoutUs = [];
  for (let r = 0; r < TRIGGER_ROUNDS; r += 1) {
    await client.query('ALTER TABLE messages DISABLE TRIGGER analytics_messages');
    withoutUs.push(await sample());
    await client.query('ALTER TABLE messages ENABLE TRIGGER analytics_messages');
    withUs.push(await sample());
  }
  return { withUs: round(median(withUs)), withoutUs: round(median(withoutUs)) };
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

runBench('analytics-queries', HARD_TIMEOUT_MS, async () => {
  const { MIGRATIONS } = await import(pathToFileURL(path.join(DIST, 'infra/db/migrations/index.js')).href);
  const { createDb } = await import(pathToFileURL(path.join(DIST, 'infra/db/db.js')).href);
  const { AnalyticsService } = await import(pathToFileURL(path.join(DIST, 'features/analytics/service.js')).href);
  const analytics = MIGRATIONS.find((migration) => migration.name === 'analytics');

  await admin(`CREATE DATABASE ${dbName}`);
  onCleanup(() => admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`));
  const client = new pg.Client({ connectionString: withDatabase(SERVER_URL, dbName) });
  await client.connect();
  onCleanup(() => client.end());
  for (const migration of MIGRATIONS.filter((m) => m.version < analytics.version)) await client.query(migration.sql);
  const seedMs = await timed('seeding', () => seed(client));
  const rollupMs = await timed('building the rollups (migration 0006 backfill)', () =>
    client.query(`BEGIN; ${analytics.sql}; COMMIT;`),
  );

  // Index-only scans need the visibility map a vacuum writes (autovacuum would, given time).
  await client.query('VACUUM ANALYZE');
  const db = createDb({ connectionString: withDatabase(SERVER_URL, dbName), max: 2 });
  onCleanup(() => db.close());
  const clock = { now: () => new Date(`${YEAR_END}T12:00:00Z`) };
  const service = new AnalyticsService({ db, clock, usersOnline: () => 0 });
  const { rows: artistRows } = await client.query(
    `SELECT owner_id FROM tracks GROUP BY owner_id ORDER BY count(*) DESC, owner_id LIMIT 1`,
  );
  const artistId = artistRows[0].owner_id;
  const monthAgo = '2025-12-01';

  const queries = [['live tiles', () => service.live()]];
  for (const metric of ['active_users', 'messages', 'plays', 'listening_hours', 'new_accounts', 'moderation_actions']) {
    for (const bucket of ['day', 'week', 'month']) {
      queries.push([
        `history ${metric} by ${bucket}, a year`,
        () => service.history(metric, bucket, YEAR_START, YEAR_END),
      ]);
    }
  }
  for (const kind of ['tracks', 'rooms']) {
    queries.push([`top ${kind}, 30 days`, () => service.top(kind, monthAgo, YEAR_END, 10)]);
    queries.push([`top ${kind}, a year`, () => service.top(kind, '2025-01-01', YEAR_END, 10)]);
  }
  queries.push(['artist (20 tracks), 30 days', () => service.artist(artistId, monthAgo, YEAR_END)]);
  queries.push(['artist (20 tracks), a year', () => service.artist(artistId, '2025-01-01', YEAR_END)]);

  const results = [];
  for (const [name, run] of queries) {
    for (let i = 0; i < WARMUP; i += 1) await run();
    const times = [];
    for (let i = 0; i < ROUNDS; i += 1) {
      const start = now();
      await run();
      times.push(now() - start);
    }
    times.sort((a, b) => a - b);
    results.push({ query: name, p50Ms: round(median(times), 2), p99Ms: round(percentile(times, 99), 2) });
    console.error(`bench: ${name}: p50 ${round(median(times), 2)} ms`);
  }
  const triggerCost = await measureTriggerCost(client);
  const { rows: sizes } = await client.query(
    `SELECT relname AS table, n_live_tup::bigint AS rows FROM pg_stat_user_tables
     WHERE relname LIKE 'analytics_%' OR relname IN ('messages', 'plays') ORDER BY relname`,
  );

  console.log(`## Analytics dashboard queries (${ROWS.toLocaleString('en')} messages and plays)\n`);
  console.log(`Machine: ${JSON.stringify(machineInfo())}`);
  console.log(
    `\nSeeding ${round(seedMs / 1000)} s; building the rollups (migration backfill) ${round(rollupMs / 1000)} s.\n`,
  );
  console.log(
    table(
      ['query', 'p50 ms', 'p99 ms'],
      results.map((r) => [r.query, r.p50Ms, r.p99Ms]),
    ),
  );
  console.log(
    `\nStoring one message (one INSERT, its own transaction, ${TRIGGER_SAMPLE} in a row, median of ${TRIGGER_ROUNDS} rounds): ` +
      `${triggerCost.withoutUs} µs without the analytics trigger, ${triggerCost.withUs} µs with it ` +
      `(+${round(triggerCost.withUs - triggerCost.withoutUs)} µs).`,
  );
  console.log(
    '\n' +
      table(
        ['table', 'rows'],
        sizes.map((s) => [s.table, Number(s.rows).toLocaleString('en')]),
      ),
  );
  if (ROWS === 10_000_000)
    await writeResults('analytics-queries', { rows: ROWS, seedMs, rollupMs, triggerCost, results });
  const slow = results.filter((r) => r.p99Ms >= 50);
  if (slow.length > 0)
    console.log(`\n${slow.length} queries at or over 50 ms (p99): ${slow.map((r) => r.query).join(', ')}`);
  return 0;
});
