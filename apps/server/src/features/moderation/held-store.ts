import type { RuleHit } from '@veza/shared';
import type { Queryable } from '../../infra/db/db.js';

export interface HeldRow {
  id: string;
  room_id: string;
  author_id: string;
  author_name: string;
  client_id: string;
  body: string;
  reply_to: string | null;
  hits: RuleHit[];
  state: 'held' | 'approved' | 'rejected';
  created_at: Date;
  message_id: string | null;
}

const SELECT = 'SELECT h.*, u.username AS author_name FROM held_messages h JOIN users u ON u.id = h.author_id';

/** Keeps a message aside; a resend of the same clientId finds the first one (and its id). */
export async function holdMessage(
  db: Queryable,
  held: {
    id: string;
    roomId: string;
    authorId: string;
    clientId: string;
    body: string;
    replyTo: string | null;
    hits: readonly RuleHit[];
    now: Date;
  },
): Promise<{ id: string; created: boolean }> {
  const { rows } = await db.query<{ id: string; created: boolean }>(
    `INSERT INTO held_messages (id, room_id, author_id, client_id, body, reply_to, hits, state, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'held', $8)
     ON CONFLICT (room_id, author_id, client_id) DO UPDATE SET client_id = EXCLUDED.client_id
     RETURNING id, (xmax = 0) AS created`,
    [held.id, held.roomId, held.authorId, held.clientId, held.body, held.replyTo, JSON.stringify(held.hits), held.now],
  );
  return rows[0]!;
}

export async function findHeld(db: Queryable, id: string): Promise<HeldRow | undefined> {
  const { rows } = await db.query<HeldRow>(`${SELECT} WHERE h.id = $1`, [id]);
  return rows[0];
}

export async function lockHeld(db: Queryable, id: string): Promise<HeldRow | undefined> {
  const { rows } = await db.query<HeldRow>(`${SELECT} WHERE h.id = $1 FOR UPDATE OF h`, [id]);
  return rows[0];
}

export async function decideHeld(
  db: Queryable,
  id: string,
  decision: { state: 'approved' | 'rejected'; by: string; now: Date; messageId: string | null },
): Promise<void> {
  await db.query(
    'UPDATE held_messages SET state = $2, decided_by = $3, decided_at = $4, message_id = $5 WHERE id = $1',
    [id, decision.state, decision.by, decision.now, decision.messageId],
  );
}
