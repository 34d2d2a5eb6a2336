import type { Restriction } from '../../common/contract.js';
import type { CacheDb } from '../cache/database.js';

/** `scope` of restrictions on the whole server (a server ban, a server-wide timeout). */
export const SERVER_SCOPE = 'server';

interface RestrictionRow {
  scope: string;
  kind: Restriction['kind'];
  reason: string | null;
  until: string | null;
}

/**
 * My bans and timeouts as the server announced them, kept so the ban screen and "Muted until"
 * hold across a restart while the server refuses the connection. Advice for the UI only: the
 * server enforces them whatever this table says.
 */
export class StandingStore {
  constructor(private readonly db: CacheDb) {}

  put(restriction: Restriction): void {
    this.db
      .prepare(
        `INSERT INTO moderation_standing (scope, kind, reason, until, received_at)
         VALUES (@scope, @kind, @reason, @until, @receivedAt)
         ON CONFLICT (scope, kind) DO UPDATE SET reason = excluded.reason, until = excluded.until,
           received_at = excluded.received_at`,
      )
      .run({ ...restriction, receivedAt: new Date().toISOString() });
  }

  /** True when something was lifted. */
  lift(scope: string, kinds: readonly Restriction['kind'][]): boolean {
    let changes = 0;
    for (const kind of kinds) {
      changes += this.db
        .prepare('DELETE FROM moderation_standing WHERE scope = ? AND kind = ?')
        .run(scope, kind).changes;
    }
    return changes > 0;
  }

  /** Restrictions in force at `now` (ms); expired ones are deleted on the way. */
  active(now: number): Restriction[] {
    const rows = this.db
      .prepare('SELECT scope, kind, reason, until FROM moderation_standing ORDER BY scope, kind')
      .all() as RestrictionRow[];
    const live: Restriction[] = [];
    for (const row of rows) {
      if (row.until !== null && Date.parse(row.until) <= now) {
        this.db.prepare('DELETE FROM moderation_standing WHERE scope = ? AND kind = ?').run(row.scope, row.kind);
      } else {
        live.push({ scope: row.scope, kind: row.kind, reason: row.reason, until: row.until });
      }
    }
    return live;
  }

  /** When sending in `roomId` is muted until (ms): a server-wide timeout or the room's. */
  mutedUntil(roomId: string, now: number): number | null {
    let end: number | null = null;
    for (const r of this.active(now)) {
      if (r.kind !== 'timeout' || (r.scope !== SERVER_SCOPE && r.scope !== roomId)) continue;
      const until = r.until === null ? Number.POSITIVE_INFINITY : Date.parse(r.until);
      end = end === null ? until : Math.max(end, until);
    }
    return end;
  }
}

/**
 * The end time a refusal's message gives ("Muted until 2026-12-07T22:40:00.000Z"), or null. The
 * server writes it as an ISO timestamp; anything else is not guessed at.
 */
export function endTimeIn(message: string): string | null {
  const match = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})/.exec(message);
  if (!match) return null;
  const time = Date.parse(match[0]);
  return Number.isFinite(time) ? new Date(time).toISOString() : null;
}
