import type { ModerationRule, ModerationRuleBody, Role, RoomRole, RuleConfig } from '@veza/shared';
import type { Queryable } from '../../infra/db/db.js';

interface RuleRow {
  id: string;
  name: string;
  enabled: boolean;
  room_id: string | null;
  config: RuleConfig;
  action: ModerationRule['action'];
  timeout_seconds: number | null;
  reason: string;
  exempt_roles: Role[];
  exempt_room_roles: RoomRole[];
  created_by: string;
  created_at: Date;
  updated_at: Date;
}

const toRule = (row: RuleRow): ModerationRule => ({
  id: row.id,
  name: row.name,
  enabled: row.enabled,
  roomId: row.room_id,
  config: row.config,
  action: row.action,
  timeoutSeconds: row.timeout_seconds,
  reason: row.reason,
  exemptRoles: row.exempt_roles,
  exemptRoomRoles: row.exempt_room_roles,
  createdBy: row.created_by,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

/** Every rule and the set's version, read in one snapshot. */
export async function readRuleSet(db: Queryable): Promise<{ version: number; rules: ModerationRule[] }> {
  const { rows } = await db.query<RuleRow & { version: string }>(
    `SELECT v.version, r.* FROM moderation_rule_version v
     LEFT JOIN moderation_rules r ON true ORDER BY r.created_at, r.id`,
  );
  return {
    version: Number(rows[0]?.version ?? 0),
    rules: rows.filter((row) => row.id !== null).map(toRule),
  };
}

export async function findRule(db: Queryable, id: string, lock = false): Promise<ModerationRule | undefined> {
  const { rows } = await db.query<RuleRow>(`SELECT * FROM moderation_rules WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [
    id,
  ]);
  return rows[0] ? toRule(rows[0]) : undefined;
}

export async function countRules(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM moderation_rules');
  return Number(rows[0]!.n);
}

export async function insertRule(
  db: Queryable,
  rule: ModerationRuleBody & { id: string; createdBy: string; now: Date },
): Promise<ModerationRule> {
  const { rows } = await db.query<RuleRow>(
    `INSERT INTO moderation_rules (id, name, enabled, room_id, config, action, timeout_seconds, reason,
       exempt_roles, exempt_room_roles, created_by, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING *`,
    [
      rule.id,
      rule.name.trim(),
      rule.enabled,
      rule.roomId,
      JSON.stringify(rule.config),
      rule.action,
      rule.timeoutSeconds,
      rule.reason.trim(),
      rule.exemptRoles,
      rule.exemptRoomRoles,
      rule.createdBy,
      rule.now,
    ],
  );
  return toRule(rows[0]!);
}

export async function updateRule(
  db: Queryable,
  id: string,
  rule: ModerationRuleBody & { now: Date },
): Promise<ModerationRule> {
  const { rows } = await db.query<RuleRow>(
    `UPDATE moderation_rules SET name = $2, enabled = $3, room_id = $4, config = $5, action = $6,
       timeout_seconds = $7, reason = $8, exempt_roles = $9, exempt_room_roles = $10, updated_at = $11
     WHERE id = $1 RETURNING *`,
    [
      id,
      rule.name.trim(),
      rule.enabled,
      rule.roomId,
      JSON.stringify(rule.config),
      rule.action,
      rule.timeoutSeconds,
      rule.reason.trim(),
      rule.exemptRoles,
      rule.exemptRoomRoles,
      rule.now,
    ],
  );
  return toRule(rows[0]!);
}

export async function deleteRule(db: Queryable, id: string): Promise<void> {
  await db.query('DELETE FROM moderation_rules WHERE id = $1', [id]);
}

/** The room's slow-mode rules (the slow_mode action manages them). */
export async function findSlowModeRuleIds(db: Queryable, roomId: string): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    "SELECT id FROM moderation_rules WHERE room_id = $1 AND config ->> 'kind' = 'slow_mode' ORDER BY created_at",
    [roomId],
  );
  return rows.map((r) => r.id);
}

/** Bumps the set's version inside the changing transaction; returns the new one. */
export async function bumpVersion(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ version: string }>(
    'UPDATE moderation_rule_version SET version = version + 1 RETURNING version',
  );
  return Number(rows[0]!.version);
}

/** The author's messages in a room since `since`, oldest first, at most `limit` (the newest). */
export async function recentMessagesOf(
  db: Queryable,
  roomId: string,
  authorId: string,
  since: Date,
  limit: number,
): Promise<{ body: string; at: number }[]> {
  const { rows } = await db.query<{ body: string; created_at: Date }>(
    `SELECT body, created_at FROM messages WHERE room_id = $1 AND author_id = $2 AND created_at > $3
     ORDER BY created_at DESC LIMIT $4`,
    [roomId, authorId, since, limit],
  );
  return rows.reverse().map((r) => ({ body: r.body, at: r.created_at.getTime() }));
}
