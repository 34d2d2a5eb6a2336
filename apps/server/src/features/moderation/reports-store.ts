import type { ReportReason, ReportState, RuleHit } from '@veza/shared';
import type { Queryable } from '../../infra/db/db.js';

/** 'held' targets a held message (held_messages), 'message' a stored one. */
export type StoredTargetType = 'message' | 'held' | 'user' | 'track';

export interface ReportRow {
  id: string;
  seq: string;
  source: 'user' | 'automod';
  state: ReportState;
  reason: ReportReason;
  details: string | null;
  reporter_id: string | null;
  reporter_name: string | null;
  target_type: StoredTargetType;
  target_id: string;
  report_count: number;
  hits: RuleHit[];
  created_at: Date;
  resolved_at: Date | null;
  resolved_by: string | null;
  resolution: string | null;
}

const SELECT = `SELECT r.*, u.username AS reporter_name FROM reports r LEFT JOIN users u ON u.id = r.reporter_id`;

/**
 * Opens an item for a target, or adds to the open one (grouping): one statement, so two
 * reports racing on the same target still make one item.
 */
export async function openOrGroup(
  db: Queryable,
  report: {
    id: string;
    source: 'user' | 'automod';
    reason: ReportReason;
    details: string | null;
    reporterId: string | null;
    targetType: StoredTargetType;
    targetId: string;
    hits: readonly RuleHit[];
    now: Date;
  },
): Promise<{ id: string; created: boolean }> {
  const { rows } = await db.query<{ id: string; created: boolean }>(
    `INSERT INTO reports (id, source, state, reason, details, reporter_id, target_type, target_id, hits, created_at)
     VALUES ($1, $2, 'open', $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (target_type, target_id) WHERE state = 'open'
     DO UPDATE SET report_count = reports.report_count + 1,
                   hits = CASE WHEN jsonb_array_length(reports.hits) = 0 THEN EXCLUDED.hits ELSE reports.hits END
     RETURNING id, (xmax = 0) AS created`,
    [
      report.id,
      report.source,
      report.reason,
      report.details,
      report.reporterId,
      report.targetType,
      report.targetId,
      JSON.stringify(report.hits),
      report.now,
    ],
  );
  return rows[0]!;
}

/** The open item this user already reported for this target, with their receipt time. */
export async function findOwnOpenReport(
  db: Queryable,
  reporterId: string,
  targetType: StoredTargetType,
  targetId: string,
): Promise<{ id: string; createdAt: Date } | undefined> {
  const { rows } = await db.query<{ id: string; created_at: Date }>(
    `SELECT r.id, rr.created_at FROM reports r JOIN report_reporters rr ON rr.report_id = r.id AND rr.reporter_id = $1
     WHERE r.state = 'open' AND r.target_type = $2 AND r.target_id = $3`,
    [reporterId, targetType, targetId],
  );
  return rows[0] ? { id: rows[0].id, createdAt: rows[0].created_at } : undefined;
}

export async function addReporter(db: Queryable, reportId: string, reporterId: string, now: Date): Promise<void> {
  await db.query(
    'INSERT INTO report_reporters (report_id, reporter_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
    [reportId, reporterId, now],
  );
}

export async function findReport(db: Queryable, id: string): Promise<ReportRow | undefined> {
  const { rows } = await db.query<ReportRow>(`${SELECT} WHERE r.id = $1`, [id]);
  return rows[0];
}

export async function lockReport(db: Queryable, id: string): Promise<ReportRow | undefined> {
  const { rows } = await db.query<ReportRow>(`${SELECT} WHERE r.id = $1 FOR UPDATE OF r`, [id]);
  return rows[0];
}

/** Oldest first; `afterSeq` continues a page. */
export async function listReports(
  db: Queryable,
  state: ReportState,
  afterSeq: number | null,
  limit: number,
): Promise<ReportRow[]> {
  const { rows } = await db.query<ReportRow>(
    `${SELECT} WHERE r.state = $1 AND ($2::bigint IS NULL OR r.seq > $2) ORDER BY r.seq LIMIT $3`,
    [state, afterSeq, limit],
  );
  return rows;
}

export async function countOpen(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: string }>("SELECT count(*) AS n FROM reports WHERE state = 'open'");
  return Number(rows[0]!.n);
}

export async function settleReport(
  db: Queryable,
  id: string,
  settle: { state: 'resolved' | 'dismissed'; by: string; resolution: string; now: Date },
): Promise<void> {
  await db.query('UPDATE reports SET state = $2, resolved_by = $3, resolution = $4, resolved_at = $5 WHERE id = $1', [
    id,
    settle.state,
    settle.by,
    settle.resolution,
    settle.now,
  ]);
}

/** Settles the open item of a target, if any (a held message approved without naming its report). */
export async function settleOpenFor(
  db: Queryable,
  targetType: StoredTargetType,
  targetId: string,
  settle: { state: 'resolved' | 'dismissed'; by: string; resolution: string; now: Date },
): Promise<string | undefined> {
  const { rows } = await db.query<{ id: string }>(
    `UPDATE reports SET state = $3, resolved_by = $4, resolution = $5, resolved_at = $6
     WHERE target_type = $1 AND target_id = $2 AND state = 'open' RETURNING id`,
    [targetType, targetId, settle.state, settle.by, settle.resolution, settle.now],
  );
  return rows[0]?.id;
}

// ── targets ───────────────────────────────────────────────────────────────────

/** Whether the reporter may see the message: a member of its room, or it is in a public room. */
export async function messageVisibleTo(
  db: Queryable,
  messageId: string,
  userId: string,
): Promise<{ authorId: string } | undefined> {
  const { rows } = await db.query<{ author_id: string; visible: boolean }>(
    `SELECT m.author_id,
            (r.kind = 'public' OR EXISTS (SELECT 1 FROM room_members rm WHERE rm.room_id = m.room_id AND rm.user_id = $2)) AS visible
     FROM messages m JOIN rooms r ON r.id = m.room_id WHERE m.id = $1 AND m.deleted_at IS NULL`,
    [messageId, userId],
  );
  return rows[0]?.visible ? { authorId: rows[0].author_id } : undefined;
}

/** A track the reporter can see (ready, or their own). */
export async function trackVisibleTo(
  db: Queryable,
  trackId: string,
  userId: string,
): Promise<{ ownerId: string; title: string } | undefined> {
  const { rows } = await db.query<{ owner_id: string; title: string }>(
    "SELECT owner_id, title FROM tracks WHERE id = $1 AND (state = 'ready' OR owner_id = $2)",
    [trackId, userId],
  );
  return rows[0] ? { ownerId: rows[0].owner_id, title: rows[0].title } : undefined;
}

export async function findTrackBrief(
  db: Queryable,
  trackId: string,
): Promise<{ ownerId: string; title: string } | undefined> {
  const { rows } = await db.query<{ owner_id: string; title: string }>(
    'SELECT owner_id, title FROM tracks WHERE id = $1',
    [trackId],
  );
  return rows[0] ? { ownerId: rows[0].owner_id, title: rows[0].title } : undefined;
}
