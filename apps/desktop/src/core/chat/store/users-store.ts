import type { Statement } from 'better-sqlite3';
import type { CacheDb } from '../../cache/database.js';

/** Users this account has seen (authors, members): typing notices only carry a user id. */
export class UsersStore {
  private readonly upsert: Statement<[string, string]>;
  private readonly select: Statement<[string], { username: string }>;
  /** Names written by this process: a catch-up names the same authors thousands of times. */
  private readonly known = new Map<string, string>();

  constructor(db: CacheDb) {
    // Only write when the name changed: a catch-up repeats the same authors thousands of times.
    this.upsert = db.prepare(
      `INSERT INTO users (id, username) VALUES (?, ?)
       ON CONFLICT(id) DO UPDATE SET username = excluded.username WHERE users.username <> excluded.username`,
    );
    this.select = db.prepare('SELECT username FROM users WHERE id = ?');
  }

  remember(id: string, username: string): void {
    if (!username || this.known.get(id) === username) return;
    this.upsert.run(id, username);
    // Bounded: a huge public room must not grow this map forever.
    if (this.known.size > 10_000) this.known.clear();
    this.known.set(id, username);
  }

  username(id: string): string | null {
    return this.select.get(id)?.username ?? null;
  }
}
