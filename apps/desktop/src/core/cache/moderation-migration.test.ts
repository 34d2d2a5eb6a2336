import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateCache, openCacheDatabase } from './database.js';
import { CACHE_MIGRATIONS } from './migrations/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'veza-cache-mod-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('cache migration 4 (moderation)', () => {
  it('rebuilds chat_outbox with its rows, ids and states, and lets a send be held', () => {
    const file = path.join(dir, 'cache.sqlite');
    const before = openCacheDatabase(file, { migrations: CACHE_MIGRATIONS.filter((m) => m.version <= 3) });
    const insert = before.prepare(
      'INSERT INTO chat_outbox (kind, room_id, client_id, payload, state, attempts, last_error, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const room = randomUUID();
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    insert.run('send', room, ids[0], '{"body":"a"}', 'pending', 0, null, '2026-01-01T00:00:00Z');
    insert.run('send', room, ids[1], '{"body":"b"}', 'failed', 2, 'refused', '2026-01-01T00:00:01Z');
    before.prepare('DELETE FROM chat_outbox WHERE client_id = ?').run(ids[0]);
    insert.run('react', room, ids[2], '{}', 'pending', 1, 'slow', '2026-01-01T00:00:02Z');
    const rowsBefore = before.prepare('SELECT * FROM chat_outbox ORDER BY id').all();
    expect(() => before.prepare("UPDATE chat_outbox SET state = 'held' WHERE client_id = ?").run(ids[1])).toThrow(
      /CHECK/,
    );
    expect(
      migrateCache(
        before,
        CACHE_MIGRATIONS.filter((m) => m.version <= 4),
      ),
    ).toBe(1);
    expect(before.prepare('SELECT * FROM chat_outbox ORDER BY id').all()).toEqual(rowsBefore);
    before.prepare("UPDATE chat_outbox SET state = 'held' WHERE client_id = ?").run(ids[1]);
    // AUTOINCREMENT survives the rebuild: a new entry never reuses a deleted one's id (queue order).
    insert.run('send', room, randomUUID(), '{}', 'pending', 0, null, '2026-01-01T00:00:03Z');
    const newest = before.prepare('SELECT max(id) AS id FROM chat_outbox').get() as { id: number };
    expect(newest.id).toBe(4);
    before.close();
  });
});
