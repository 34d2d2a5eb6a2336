import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateCache, openCacheDatabase } from './database.js';
import { CACHE_MIGRATIONS } from './migrations/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'veza-cache-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const LATEST = CACHE_MIGRATIONS.at(-1)!.version;

describe('openCacheDatabase', () => {
  it('creates a fresh cache at the latest schema with every migration applied', () => {
    const db = openCacheDatabase(path.join(dir, 'nested', 'cache.sqlite'));
    expect(LATEST).toBe(5);
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    const tables = (
      db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'index')").all() as { name: string }[]
    ).map((row) => row.name);
    expect(tables).toEqual(
      expect.arrayContaining([
        'users',
        'rooms',
        'messages',
        'message_reactions',
        'chat_outbox',
        'messages_fts',
        'messages_room_seq',
        'admin_reports',
        'admin_actions',
        'moderation_rules',
        'moderation_standing',
        'report_outbox',
        'chat_outbox_room',
        'analytics_snapshots',
      ]),
    );
    db.close();
  });

  it('reopens an up-to-date cache without running anything again', () => {
    const file = path.join(dir, 'cache.sqlite');
    openCacheDatabase(file).close();
    const db = openCacheDatabase(file);
    expect(migrateCache(db, CACHE_MIGRATIONS)).toBe(0);
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST);
    db.close();
  });

  it('refuses a cache written by a newer version, with a sentence that says what to do', () => {
    const file = path.join(dir, 'cache.sqlite');
    const raw = new Database(file);
    raw.pragma(`user_version = ${LATEST + 5}`);
    raw.close();
    expect(() => openCacheDatabase(file)).toThrow(
      `This cache was written by a newer version of Veza (schema ${LATEST + 5}, this app knows ${LATEST}). Update the app.`,
    );
  });

  it('rolls a failing migration back and leaves the version where it was', () => {
    const db = new Database(':memory:');
    expect(() =>
      migrateCache(db, [
        ...CACHE_MIGRATIONS,
        { version: LATEST + 1, name: 'broken', sql: 'CREATE TABLE x (a); nonsense;' },
      ]),
    ).toThrow();
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'x'").get()).toEqual({ n: 0 });
    db.close();
  });

  it('reads the latest 50 messages of a room through the (room_id, seq) index', () => {
    const db = openCacheDatabase(':memory:');
    const plan = db
      .prepare('EXPLAIN QUERY PLAN SELECT * FROM messages WHERE room_id = ? ORDER BY seq DESC LIMIT 50')
      .all('r') as { detail: string }[];
    expect(plan.map((row) => row.detail).join('\n')).toMatch(/USING INDEX messages_room_seq \(room_id=\?\)/);
    expect(plan.map((row) => row.detail).join('\n')).not.toMatch(/TEMP B-TREE/);
    db.close();
  });
});
