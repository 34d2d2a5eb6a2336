import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test-support/database.js';

let database: TestDatabase;
let userId: string;
beforeAll(async () => {
  database = await createTestDatabase();
  userId = randomUUID();
  await database.db.query(
    "INSERT INTO users (id, email, username, password_hash) VALUES ($1, 'm@x.test', 'migration-user', 'x')",
    [userId],
  );
});
afterAll(async () => {
  await database.drop();
});

const insertRoom = (kind: string, dmKey: string | null) =>
  database.db.query(
    'INSERT INTO rooms (id, kind, name, created_by, created_at, dm_key) VALUES ($1, $2, $3, $4, now(), $5) RETURNING id',
    [randomUUID(), kind, 'r', userId, dmKey],
  );

describe('migration 0002: chat', () => {
  it('ties the dm key to direct-message rooms only', async () => {
    await expect(insertRoom('public', null)).resolves.toBeDefined();
    await expect(insertRoom('dm', 'a:b')).resolves.toBeDefined();
    await expect(insertRoom('dm', null)).rejects.toMatchObject({ code: '23514' });
    await expect(insertRoom('public', 'c:d')).rejects.toMatchObject({ code: '23514' });
    await expect(insertRoom('dm', 'a:b')).rejects.toMatchObject({ code: '23505' });
    await expect(insertRoom('lobby', null)).rejects.toMatchObject({ code: '23514' });
  });

  it('stores a client message once per room and author, and one message per seq', async () => {
    const roomId = (await insertRoom('public', null)).rows[0]!.id as string;
    const clientId = randomUUID();
    const insert = (seq: number, client: string) =>
      database.db.query(
        `INSERT INTO messages (id, room_id, author_id, client_id, seq, body, created_at)
         VALUES ($1, $2, $3, $4, $5, 'hello world', now())`,
        [randomUUID(), roomId, userId, client, seq],
      );
    await insert(1, clientId);
    await expect(insert(2, clientId)).rejects.toMatchObject({ code: '23505' });
    await expect(insert(1, randomUUID())).rejects.toMatchObject({ code: '23505' });
  });

  it('indexes message bodies for full-text search', async () => {
    const { rows } = await database.db.query<{ n: string }>(
      "SELECT count(*) AS n FROM messages WHERE search @@ websearch_to_tsquery('simple', 'world')",
    );
    expect(Number(rows[0]!.n)).toBe(1);
  });

  it('keys the event log by room and seq, with known kinds only', async () => {
    const roomId = (await insertRoom('public', null)).rows[0]!.id as string;
    const append = (seq: number, kind: string) =>
      database.db.query(
        "INSERT INTO room_events (room_id, seq, kind, actor_id, at, payload) VALUES ($1, $2, $3, $4, now(), '{}')",
        [roomId, seq, kind, userId],
      );
    await append(1, 'message.created');
    await expect(append(1, 'message.edited')).rejects.toMatchObject({ code: '23505' });
    await expect(append(2, 'message.exploded')).rejects.toMatchObject({ code: '23514' });
  });
});
