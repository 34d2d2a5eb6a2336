import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../logger.js';
import { migrate } from '../migrate.js';
import { createTestDatabase, type TestDatabase } from '../../../test-support/database.js';
import { MIGRATIONS } from './index.js';
import type { Queryable } from '../db.js';

/*
 * Migration 0006: the rollups its backfill builds from existing rows are exactly those its
 * triggers keep as the same rows are stored one by one (plays growing and becoming counted).
 */

let live: TestDatabase;
let upgraded: TestDatabase;
beforeAll(async () => {
  live = await createTestDatabase();
  upgraded = await createTestDatabase({ migrated: false });
  await migrate(
    upgraded.connectionString,
    createLogger('silent'),
    MIGRATIONS.filter((migration) => migration.version < 6),
  );
});
afterAll(async () => {
  await live.drop();
  await upgraded.drop();
});

const users = Array.from({ length: 5 }, () => randomUUID());
const rooms = [randomUUID(), randomUUID()];
const tracks = [randomUUID(), randomUUID()];
const at = (day: number, hour = 12) => new Date(Date.UTC(2026, 1, 20 + day, hour));

interface PlaySeed {
  id: string;
  user: string;
  track: string;
  startedAt: Date;
  /** Listening time as reported, in order; counted once it reaches 30 s. */
  steps: number[];
}
const plays: PlaySeed[] = [
  { id: randomUUID(), user: users[0]!, track: tracks[0]!, startedAt: at(0), steps: [10_000, 40_000, 90_000] },
  { id: randomUUID(), user: users[1]!, track: tracks[0]!, startedAt: at(0, 23), steps: [5_000] },
  { id: randomUUID(), user: users[1]!, track: tracks[1]!, startedAt: at(3), steps: [31_000] },
  { id: randomUUID(), user: users[2]!, track: tracks[1]!, startedAt: at(9), steps: [0, 60_000] },
  { id: randomUUID(), user: users[0]!, track: tracks[1]!, startedAt: at(9), steps: [45_000] },
];
const messages = [
  [rooms[0], users[0], at(0)],
  [rooms[0], users[0], at(0, 1)],
  [rooms[0], users[3], at(1)],
  [rooms[1], users[3], at(1, 23)],
  [rooms[1], users[4], at(8)],
  [rooms[1], users[0], at(12)],
] as const;

async function seedBase(db: Queryable): Promise<void> {
  for (const [i, id] of users.entries()) {
    await db.query(`INSERT INTO users (id, email, username, password_hash, created_at) VALUES ($1, $2, $2, 'x', $3)`, [
      id,
      `u${i}-${id}@x.test`,
      at(i * 3),
    ]);
  }
  for (const id of rooms) {
    await db.query(`INSERT INTO rooms (id, kind, name, created_by, created_at) VALUES ($1, 'public', 'r', $2, $3)`, [
      id,
      users[0],
      at(0),
    ]);
  }
  for (const id of tracks) {
    await db.query(
      `INSERT INTO tracks (id, owner_id, title, artist, duration_ms, state, source_probe, source_bytes, cover_color, created_at, updated_at)
       VALUES ($1, $2, 't', 'a', 200000, 'ready', '{}', 1, '#000000', $3, $3)`,
      [id, users[4], at(0)],
    );
  }
  for (const [seq, [room, author, createdAt]] of messages.entries()) {
    await db.query(
      `INSERT INTO messages (id, room_id, author_id, client_id, seq, body, created_at) VALUES ($1, $2, $3, $4, $5, 'm', $6)`,
      [randomUUID(), room, author, randomUUID(), seq + 1, createdAt],
    );
  }
}

const insertPlay = (db: Queryable, play: PlaySeed, listenedMs: number) =>
  db.query(
    `INSERT INTO plays (id, user_id, track_id, source, started_at, listened_ms, counted, reported_at)
     VALUES ($1, $2, $3, 'stream', $4, $5, $6, $4)`,
    [play.id, play.user, play.track, play.startedAt, listenedMs, listenedMs >= 30_000],
  );

/** Every rollup, shards added up, in a stable order. */
async function rollups(db: Queryable): Promise<Record<string, unknown[]>> {
  const read = async (sql: string) => (await db.query(sql)).rows;
  return {
    daily: await read(
      `SELECT metric, to_char(day, 'YYYY-MM-DD') AS day, sum(value)::int AS value FROM analytics_daily
       GROUP BY 1, 2 ORDER BY 1, 2`,
    ),
    activeCounts: await read(
      `SELECT period, to_char(start, 'YYYY-MM-DD') AS start, sum(value)::int AS value FROM analytics_active_counts
       GROUP BY 1, 2 ORDER BY 1, 2`,
    ),
    activeUsers: await read(`SELECT period, start::text, user_id FROM analytics_active_users ORDER BY 1, 2, 3`),
    roomDays: await read(`SELECT room_id, day::text, messages::int FROM analytics_room_days ORDER BY 1, 2`),
    trackDays: await read(
      `SELECT track_id, day::text, plays::int, listened_ms::int, listeners FROM analytics_track_days ORDER BY 1, 2`,
    ),
    roomPeriods: await read(
      `SELECT period, start::text, room_id, messages::int FROM analytics_room_periods ORDER BY 1, 2, 3`,
    ),
    trackPeriods: await read(
      `SELECT period, start::text, track_id, plays::int FROM analytics_track_periods ORDER BY 1, 2, 3`,
    ),
    trackListeners: await read(`SELECT track_id, day::text, user_id FROM analytics_track_listeners ORDER BY 1, 2, 3`),
  };
}

describe('migration 0006: analytics', () => {
  it('counts audit entries but role changes as moderation actions, from before and after it', async () => {
    const database = await createTestDatabase({ migrated: false });
    try {
      const logger = createLogger('silent');
      await migrate(
        database.connectionString,
        logger,
        MIGRATIONS.filter((migration) => migration.version < 6),
      );
      // The moderation feature's table (migration 5), or a stand-in with the columns used here.
      await database.db.query(`CREATE TABLE IF NOT EXISTS audit_log (
        id uuid PRIMARY KEY, action text NOT NULL, target_type text NOT NULL, target_id uuid NOT NULL,
        created_at timestamptz NOT NULL)`);
      const audit = (action: string, createdAt: Date) =>
        database.db.query(
          `INSERT INTO audit_log (id, action, target_type, target_id, created_at) VALUES ($1, $2, 'user', $3, $4)`,
          [randomUUID(), action, randomUUID(), createdAt],
        );
      await audit('ban', at(0));
      await audit('role.change', at(0));
      await migrate(database.connectionString, logger);
      await audit('timeout', at(0));
      await audit('rule.create', at(1));
      await audit('role.change', at(1));
      const { rows } = await database.db.query(
        `SELECT to_char(day, 'YYYY-MM-DD') AS day, sum(value)::int AS value FROM analytics_daily
         WHERE metric = 'moderation_actions' GROUP BY 1 ORDER BY 1`,
      );
      expect(rows).toEqual([
        { day: '2026-02-20', value: 2 },
        { day: '2026-02-21', value: 1 },
      ]);
    } finally {
      await database.drop();
    }
  });

  it('backfills existing rows into the same rollups the triggers keep', async () => {
    // Live: rows stored one by one, plays reported in steps, as the server does.
    await seedBase(live.db);
    for (const play of plays) {
      const [first, ...rest] = play.steps;
      await insertPlay(live.db, play, first!);
      for (const listened of rest) {
        await live.db.query('UPDATE plays SET listened_ms = $2 WHERE id = $1', [play.id, listened]);
        await live.db.query('UPDATE plays SET counted = true WHERE id = $1 AND NOT counted AND listened_ms >= 30000', [
          play.id,
        ]);
      }
    }
    // Upgraded: the same rows already there when migration 0006 runs.
    await seedBase(upgraded.db);
    for (const play of plays) await insertPlay(upgraded.db, play, play.steps[play.steps.length - 1]!);
    await migrate(upgraded.connectionString, createLogger('silent'));

    const expected = await rollups(live.db);
    expect(expected.trackPeriods).toContainEqual({
      period: 'month',
      start: '2026-03-01',
      track_id: tracks[1],
      plays: 2,
    });
    expect(await rollups(upgraded.db)).toEqual(expected);
    // And the figures are the ones meant: 2026-02-20 has 2 messages, 1 counted play, 100 s heard.
    expect(expected.daily).toEqual(
      expect.arrayContaining([
        { metric: 'messages', day: '2026-02-20', value: 2 },
        { metric: 'plays', day: '2026-02-20', value: 1 },
        { metric: 'listening_ms', day: '2026-02-20', value: 95_000 },
        { metric: 'new_accounts', day: '2026-02-20', value: 1 },
      ]),
    );
    // users[0] and users[1] on 2026-02-20, users[3] on the 21st, all in the ISO week of Feb 16.
    expect(expected.activeCounts).toEqual(
      expect.arrayContaining([
        { period: 'day', start: '2026-02-20', value: 2 },
        { period: 'week', start: '2026-02-16', value: 3 },
      ]),
    );
  });
});
