import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test-support/database.js';
import { createLogger } from '../logger.js';
import { migrate } from './migrate.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';

const logger = createLogger('silent');
const opened: TestDatabase[] = [];

async function freshDatabase(): Promise<TestDatabase> {
  const database = await createTestDatabase({ migrated: false });
  opened.push(database);
  return database;
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((database) => database.drop()));
});
afterAll(async () => {
  await Promise.all(opened.splice(0).map((database) => database.drop()));
});

const latest = Math.max(...MIGRATIONS.map((m) => m.version));

async function recorded(database: TestDatabase): Promise<{ version: number; name: string }[]> {
  const { rows } = await database.db.query<{ version: number; name: string }>(
    'SELECT version, name FROM schema_migrations ORDER BY version',
  );
  return rows;
}

async function tableExists(database: TestDatabase, table: string): Promise<boolean> {
  const { rows } = await database.db.query<{ exists: boolean }>('SELECT to_regclass($1) IS NOT NULL AS exists', [
    `public.${table}`,
  ]);
  return rows[0]!.exists;
}

describe('migrate', () => {
  it('has migrations numbered 1, 2, 3… without gaps or duplicates', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    for (const migration of MIGRATIONS) expect(migration.name).toMatch(/^[a-z0-9-]+$/);
  });

  it('applies every migration on a fresh database and records each in schema_migrations', async () => {
    const database = await freshDatabase();
    expect(await tableExists(database, 'schema_migrations')).toBe(false);

    const result = await migrate(database.connectionString, logger);

    expect(result).toEqual({ applied: MIGRATIONS.map((m) => m.version), current: latest });
    expect(await recorded(database)).toEqual(MIGRATIONS.map(({ version, name }) => ({ version, name })));
    const { rows } = await database.db.query<{ recent: boolean }>(
      "SELECT bool_and(applied_at > now() - interval '1 minute') AS recent FROM schema_migrations",
    );
    expect(rows[0]!.recent).toBe(true);
  });

  it('applies nothing when run again', async () => {
    const database = await freshDatabase();
    await migrate(database.connectionString, logger);
    const again = await migrate(database.connectionString, logger);
    expect(again).toEqual({ applied: [], current: latest });
    expect(await recorded(database)).toHaveLength(MIGRATIONS.length);
  });

  it('applies only the migrations not yet recorded, in version order whatever the list order', async () => {
    const database = await freshDatabase();
    const extra: Migration[] = [
      { version: latest + 2, name: 'second', sql: 'INSERT INTO extra_log (step) VALUES (2)' },
      { version: latest + 1, name: 'first', sql: 'CREATE TABLE extra_log (step int NOT NULL)' },
    ];
    await migrate(database.connectionString, logger);
    const result = await migrate(database.connectionString, logger, [...MIGRATIONS, ...extra]);
    expect(result).toEqual({ applied: [latest + 1, latest + 2], current: latest + 2 });
    const { rows } = await database.db.query<{ step: number }>('SELECT step FROM extra_log');
    expect(rows).toEqual([{ step: 2 }]);
  });

  it('applies each migration exactly once when five instances migrate a fresh database at once', async () => {
    const database = await freshDatabase();
    const results = await Promise.all(Array.from({ length: 5 }, () => migrate(database.connectionString, logger)));

    const applied = results.flatMap((r) => r.applied).sort((a, b) => a - b);
    expect(applied).toEqual(MIGRATIONS.map((m) => m.version));
    for (const result of results) expect(result.current).toBe(latest);
    expect(await recorded(database)).toHaveLength(MIGRATIONS.length);
  });

  it('serialises slow, non-idempotent migrations across concurrent instances', async () => {
    const database = await freshDatabase();
    // Without the advisory lock, a second instance would run these while the first sleeps:
    // CREATE TABLE would fail and the INSERTs would run twice.
    const migrations: Migration[] = [
      ...MIGRATIONS,
      { version: latest + 1, name: 'slow-create', sql: 'SELECT pg_sleep(0.2); CREATE TABLE runs (n int NOT NULL)' },
      { version: latest + 2, name: 'slow-insert', sql: 'SELECT pg_sleep(0.2); INSERT INTO runs VALUES (1)' },
    ];
    const results = await Promise.all(
      Array.from({ length: 5 }, () => migrate(database.connectionString, logger, migrations)),
    );
    expect(results.flatMap((r) => r.applied).sort((a, b) => a - b)).toEqual(migrations.map((m) => m.version));
    const { rows } = await database.db.query<{ count: string }>('SELECT count(*) FROM runs');
    expect(Number(rows[0]!.count)).toBe(1);
  });

  it.each([
    ['a runtime error', 'CREATE TABLE half_done (id int); INSERT INTO half_done VALUES (1); SELECT 1 / 0', '22012'],
    ['a syntax error', 'CREATE TABLE half_done (id int); SELEC nonsense', '42601'],
  ])('rolls a failing migration back and names it (%s)', async (_kind, sql, sqlState) => {
    const database = await freshDatabase();
    const migrations: Migration[] = [
      { version: 1, name: 'good', sql: 'CREATE TABLE good_table (id int)' },
      { version: 2, name: 'broken-thing', sql },
      { version: 3, name: 'never-reached', sql: 'CREATE TABLE never_reached (id int)' },
    ];

    const failure = await migrate(database.connectionString, logger, migrations).then(
      () => undefined,
      (error: unknown) => error as Error & { cause?: { code?: string } },
    );
    expect(failure).toBeInstanceOf(Error);
    expect(failure!.message).toMatch(/^Migration 2 \(broken-thing\) failed: /);
    expect(failure!.cause?.code).toBe(sqlState);

    // The earlier migration stays; nothing of the failed one remains; the later one never ran.
    expect(await recorded(database)).toEqual([{ version: 1, name: 'good' }]);
    expect(await tableExists(database, 'good_table')).toBe(true);
    expect(await tableExists(database, 'half_done')).toBe(false);
    expect(await tableExists(database, 'never_reached')).toBe(false);

    // The lock was released: a fixed list migrates (this would hang if the lock were still held).
    const fixed = migrations.map((m) => (m.version === 2 ? { ...m, sql: 'CREATE TABLE half_done (id int)' } : m));
    expect(await migrate(database.connectionString, logger, fixed)).toEqual({ applied: [2, 3], current: 3 });
  });
});

describe('migration 0001 (accounts)', () => {
  let database: TestDatabase;
  const setUp = async (): Promise<void> => {
    database = await freshDatabase();
    await migrate(database.connectionString, logger, MIGRATIONS.slice(0, 1));
  };

  const insertUser = (fields: { email: string; username: string; role?: string }): Promise<unknown> =>
    database.db.query(
      "INSERT INTO users (id, email, username, password_hash, role) VALUES ($1, $2, $3, 'x', COALESCE($4, 'listener'))",
      [randomUUID(), fields.email, fields.username, fields.role ?? null],
    );

  it('creates the users, auth_sessions, refresh_tokens and api_keys tables', async () => {
    await setUp();
    for (const table of ['users', 'auth_sessions', 'refresh_tokens', 'api_keys']) {
      expect(await tableExists(database, table), table).toBe(true);
    }
  });

  it('makes email and username unique regardless of case', async () => {
    await setUp();
    await insertUser({ email: 'A@x', username: 'Alice' });
    await expect(insertUser({ email: 'a@x', username: 'other' })).rejects.toMatchObject({
      code: '23505',
      constraint: 'users_email_lower_key',
    });
    await expect(insertUser({ email: 'b@x', username: 'ALICE' })).rejects.toMatchObject({
      code: '23505',
      constraint: 'users_username_lower_key',
    });
    await expect(insertUser({ email: 'b@x', username: 'bob' })).resolves.toBeDefined();
  });

  it('allows only the known roles, defaulting to listener', async () => {
    await setUp();
    await expect(insertUser({ email: 'root@x', username: 'root', role: 'superuser' })).rejects.toMatchObject({
      code: '23514',
    });
    for (const role of ['listener', 'artist', 'moderator', 'admin']) {
      await insertUser({ email: `${role}@x`, username: role, role });
    }
    await database.db.query(
      "INSERT INTO users (id, email, username, password_hash) VALUES ($1, 'plain@x', 'plain', 'x')",
      [randomUUID()],
    );
    const { rows } = await database.db.query<{ role: string }>("SELECT role FROM users WHERE username = 'plain'");
    expect(rows[0]!.role).toBe('listener');
  });

  it("deletes a user's sessions, refresh tokens and API keys with the user", async () => {
    await setUp();
    const userId = randomUUID();
    const sessionId = randomUUID();
    await database.db.query(
      "INSERT INTO users (id, email, username, password_hash) VALUES ($1, 'gone@x', 'gone', 'x')",
      [userId],
    );
    await database.db.query(
      'INSERT INTO auth_sessions (id, user_id, created_at, last_used_at) VALUES ($1, $2, now(), now())',
      [sessionId, userId],
    );
    await database.db.query(
      "INSERT INTO refresh_tokens (id, session_id, token_hash, created_at, expires_at) VALUES ($1, $2, '\\x01', now(), now() + interval '1 day')",
      [randomUUID(), sessionId],
    );
    await database.db.query(
      "INSERT INTO api_keys (id, user_id, name, prefix, key_hash, scopes, created_at) VALUES ($1, $2, 'k', 'vz_1', '\\x02', '{}', now())",
      [randomUUID(), userId],
    );
    await database.db.query('DELETE FROM users WHERE id = $1', [userId]);
    for (const table of ['auth_sessions', 'refresh_tokens', 'api_keys']) {
      const { rows } = await database.db.query<{ count: string }>(`SELECT count(*) FROM ${table}`);
      expect(Number(rows[0]!.count), table).toBe(0);
    }
  });

  it('refuses an unknown session revocation reason', async () => {
    await setUp();
    const userId = randomUUID();
    await database.db.query("INSERT INTO users (id, email, username, password_hash) VALUES ($1, 'r@x', 'r', 'x')", [
      userId,
    ]);
    await expect(
      database.db.query(
        "INSERT INTO auth_sessions (id, user_id, created_at, last_used_at, revoked_at, revoked_reason) VALUES ($1, $2, now(), now(), now(), 'bored')",
        [randomUUID(), userId],
      ),
    ).rejects.toMatchObject({ code: '23514' });
  });
});
