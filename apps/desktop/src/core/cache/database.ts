import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { CACHE_MIGRATIONS, type CacheMigration } from './migrations/index.js';

export type CacheDb = Database.Database;

export interface OpenCacheOptions {
  /** A better-sqlite3 binary built for another runtime (Electron); the default suits Node. */
  nativeBinding?: string;
  migrations?: readonly CacheMigration[];
}

/**
 * Opens (creating if needed) the local cache: WAL so readers never wait for the sync engine's
 * writes, NORMAL sync (WAL makes that durable across app crashes; a power cut may lose the last
 * transactions, which the server still has), foreign keys on, then every pending migration.
 */
export function openCacheDatabase(file: string, options: OpenCacheOptions = {}): CacheDb {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const db = new Database(file, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrateCache(db, options.migrations ?? CACHE_MIGRATIONS);
  return db;
}

/** Applies migrations newer than the file's `user_version`, each in its own transaction. */
export function migrateCache(db: CacheDb, migrations: readonly CacheMigration[]): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new Error(
      `This cache was written by a newer version of Veza (schema ${current}, this app knows ${latest}). Update the app.`,
    );
  }
  let applied = 0;
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    })();
    applied += 1;
  }
  return applied;
}
