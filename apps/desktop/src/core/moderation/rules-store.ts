import type { ModerationRuleSet } from '@veza/shared';
import type { CacheDb } from '../cache/database.js';
import { checkRuleSet } from './rule-set-check.js';

/** The last effective rule set, one row: there offline and after a restart. */
export class RulesStore {
  constructor(private readonly db: CacheDb) {}

  get(): ModerationRuleSet | null {
    const row = this.db.prepare('SELECT data FROM moderation_rules WHERE id = 1').get() as { data: string } | undefined;
    if (!row) return null;
    // Written by us after a check, but a cache file can be damaged: checked again, never trusted.
    let parsed: unknown;
    try {
      parsed = JSON.parse(row.data);
    } catch {
      return null;
    }
    const checked = checkRuleSet(parsed);
    return checked.ok ? checked.ruleSet : null;
  }

  version(): number | null {
    const row = this.db.prepare('SELECT version FROM moderation_rules WHERE id = 1').get() as
      { version: number } | undefined;
    return row?.version ?? null;
  }

  put(ruleSet: ModerationRuleSet): void {
    this.db
      .prepare(
        `INSERT INTO moderation_rules (id, version, data, fetched_at) VALUES (1, @version, @data, @fetchedAt)
         ON CONFLICT (id) DO UPDATE SET version = excluded.version, data = excluded.data, fetched_at = excluded.fetched_at`,
      )
      .run({ version: ruleSet.version, data: JSON.stringify(ruleSet), fetchedAt: new Date().toISOString() });
  }
}
