import type { Queryable } from '../../infra/db/db.js';

/*
 * Bans, room bans and timeouts (mutes). Times are compared with the clock's `now`, passed in,
 * never the database's: a timed sanction ends by itself when that clock passes its end.
 */

export interface ActiveBan {
  reason: string;
  until: Date | null;
}

export async function findActiveBan(db: Queryable, userId: string, now: Date): Promise<ActiveBan | undefined> {
  const { rows } = await db.query<ActiveBan>(
    `SELECT reason, until FROM bans
     WHERE user_id = $1 AND lifted_at IS NULL AND (until IS NULL OR until > $2)
     ORDER BY until DESC NULLS FIRST LIMIT 1`,
    [userId, now],
  );
  return rows[0];
}

export async function insertBan(
  db: Queryable,
  ban: { id: string; userId: string; reason: string; until: Date | null; createdBy: string | null; now: Date },
): Promise<void> {
  await db.query(
    'INSERT INTO bans (id, user_id, reason, until, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
    [ban.id, ban.userId, ban.reason, ban.until, ban.createdBy, ban.now],
  );
}

/** Lifts the user's bans and global timeouts; returns how many bans were active. */
export async function liftBans(db: Queryable, userId: string, now: Date): Promise<number> {
  const { rowCount } = await db.query(
    'UPDATE bans SET lifted_at = $2 WHERE user_id = $1 AND lifted_at IS NULL AND (until IS NULL OR until > $2)',
    [userId, now],
  );
  await db.query('UPDATE mutes SET lifted_at = $2 WHERE user_id = $1 AND lifted_at IS NULL AND until > $2', [
    userId,
    now,
  ]);
  return rowCount ?? 0;
}

export async function findRoomBan(
  db: Queryable,
  roomId: string,
  userId: string,
  now: Date,
): Promise<ActiveBan | undefined> {
  const { rows } = await db.query<ActiveBan>(
    'SELECT reason, until FROM room_bans WHERE room_id = $1 AND user_id = $2 AND (until IS NULL OR until > $3)',
    [roomId, userId, now],
  );
  return rows[0];
}

export async function upsertRoomBan(
  db: Queryable,
  ban: { roomId: string; userId: string; reason: string; until: Date | null; createdBy: string; now: Date },
): Promise<void> {
  await db.query(
    `INSERT INTO room_bans (room_id, user_id, reason, until, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (room_id, user_id) DO UPDATE SET reason = $3, until = $4, created_by = $5, created_at = $6`,
    [ban.roomId, ban.userId, ban.reason, ban.until, ban.createdBy, ban.now],
  );
}

export async function deleteRoomBan(db: Queryable, roomId: string, userId: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM room_bans WHERE room_id = $1 AND user_id = $2', [roomId, userId]);
  return (rowCount ?? 0) > 0;
}

/** The user's room-scoped timeouts in that room are lifted too. */
export async function liftRoomMutes(db: Queryable, roomId: string, userId: string, now: Date): Promise<void> {
  await db.query(
    'UPDATE mutes SET lifted_at = $3 WHERE user_id = $1 AND room_id = $2 AND lifted_at IS NULL AND until > $3',
    [userId, roomId, now],
  );
}

export async function listRoomBansOf(
  db: Queryable,
  userId: string,
  now: Date,
): Promise<{ roomId: string; roomName: string; until: string | null }[]> {
  const { rows } = await db.query<{ room_id: string; name: string; until: Date | null }>(
    `SELECT b.room_id, r.name, b.until FROM room_bans b JOIN rooms r ON r.id = b.room_id
     WHERE b.user_id = $1 AND (b.until IS NULL OR b.until > $2) ORDER BY b.created_at DESC`,
    [userId, now],
  );
  return rows.map((r) => ({ roomId: r.room_id, roomName: r.name, until: r.until?.toISOString() ?? null }));
}

export async function insertMute(
  db: Queryable,
  mute: {
    id: string;
    userId: string;
    roomId: string | null;
    until: Date;
    reason: string;
    createdBy: string | null;
    now: Date;
  },
): Promise<void> {
  await db.query(
    `INSERT INTO mutes (id, user_id, room_id, until, reason, created_by, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [mute.id, mute.userId, mute.roomId, mute.until, mute.reason, mute.createdBy, mute.now],
  );
}

/** What stands between a sender and a room now: the latest-ending timeout there or everywhere, and a room ban. */
export async function findSendSanctions(
  db: Queryable,
  userId: string,
  roomId: string,
  now: Date,
): Promise<{ mutedUntil: Date | null; muteReason: string | null; roomBan: ActiveBan | null }> {
  const { rows } = await db.query<{
    muted_until: Date | null;
    mute_reason: string | null;
    ban_reason: string | null;
    ban_until: Date | null;
    banned: boolean;
  }>(
    `SELECT m.until AS muted_until, m.reason AS mute_reason, b.reason AS ban_reason, b.until AS ban_until,
            b.user_id IS NOT NULL AS banned
     FROM (SELECT 1) one
     LEFT JOIN LATERAL (SELECT until, reason FROM mutes
                        WHERE user_id = $1 AND (room_id IS NULL OR room_id = $2) AND lifted_at IS NULL AND until > $3
                        ORDER BY until DESC LIMIT 1) m ON true
     LEFT JOIN room_bans b ON b.room_id = $2 AND b.user_id = $1 AND (b.until IS NULL OR b.until > $3)`,
    [userId, roomId, now],
  );
  const row = rows[0]!;
  return {
    mutedUntil: row.muted_until,
    muteReason: row.mute_reason,
    roomBan: row.banned ? { reason: row.ban_reason!, until: row.ban_until } : null,
  };
}
