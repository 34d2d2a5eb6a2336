import type { AuditEntry, AuditQuery } from '@veza/shared';
import type { Queryable } from '../../infra/db/db.js';

export type AuditTargetType = AuditEntry['target']['type'];

/** One row to append; `actor` null for automatic moderation. */
export interface AuditRecord {
  id: string;
  action: string;
  actor: { id: string; username: string } | null;
  target: { type: AuditTargetType; id: string; label: string | null };
  roomId: string | null;
  reason: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  at: Date;
}

interface AuditRow {
  id: string;
  seq: string;
  action: string;
  actor_id: string | null;
  actor_name: string | null;
  target_type: AuditTargetType;
  target_id: string;
  target_label: string | null;
  room_id: string | null;
  reason: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  created_at: Date;
}

export async function insertAudit(db: Queryable, record: AuditRecord): Promise<void> {
  await db.query(
    `INSERT INTO audit_log (id, action, actor_id, actor_name, target_type, target_id, target_label, room_id,
       reason, before, after, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [
      record.id,
      record.action,
      record.actor?.id ?? null,
      record.actor?.username ?? null,
      record.target.type,
      record.target.id,
      record.target.label,
      record.roomId,
      record.reason,
      record.before === null ? null : JSON.stringify(record.before),
      record.after === null ? null : JSON.stringify(record.after),
      record.at,
    ],
  );
}

const toEntry = (row: AuditRow): AuditEntry => ({
  id: row.id,
  action: row.action,
  actor: row.actor_id ? { id: row.actor_id, username: row.actor_name ?? '' } : null,
  target: { type: row.target_type, id: row.target_id, label: row.target_label },
  roomId: row.room_id,
  reason: row.reason,
  before: row.before,
  after: row.after,
  createdAt: row.created_at.toISOString(),
});

/** Newest first; `beforeSeq` continues a page. Every filter is a bound parameter. */
export async function listAudit(
  db: Queryable,
  filter: Omit<AuditQuery, 'cursor' | 'limit' | 'format'> & { beforeSeq: number | null; limit: number },
): Promise<{ entries: AuditEntry[]; lastSeq: number | null }> {
  const { rows } = await db.query<AuditRow>(
    `SELECT * FROM audit_log
     WHERE ($1::uuid IS NULL OR actor_id = $1) AND ($2::uuid IS NULL OR target_id = $2)
       AND ($3::text IS NULL OR action = $3) AND ($4::timestamptz IS NULL OR created_at >= $4)
       AND ($5::timestamptz IS NULL OR created_at < $5) AND ($6::bigint IS NULL OR seq < $6)
     ORDER BY seq DESC LIMIT $7`,
    [
      filter.actorId ?? null,
      filter.targetId ?? null,
      filter.action ?? null,
      filter.from ?? null,
      filter.to ?? null,
      filter.beforeSeq,
      filter.limit,
    ],
  );
  return { entries: rows.map(toEntry), lastSeq: rows.length > 0 ? Number(rows.at(-1)!.seq) : null };
}

/** The latest entries about one user (as target), newest first. */
export async function listAuditAbout(db: Queryable, userId: string, limit: number): Promise<AuditEntry[]> {
  const { rows } = await db.query<AuditRow>('SELECT * FROM audit_log WHERE target_id = $1 ORDER BY seq DESC LIMIT $2', [
    userId,
    limit,
  ]);
  return rows.map(toEntry);
}
