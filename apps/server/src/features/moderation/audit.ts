import { randomUUID } from 'node:crypto';
import type { AuditPage, AuditQuery } from '@veza/shared';
import type { Db, Queryable } from '../../infra/db/db.js';
import { AppError } from '../../infra/errors.js';
import { insertAudit, listAudit, type AuditRecord } from './audit-store.js';
import { csvRow } from './csv.js';

const CURSOR_PREFIX = 'a';

/** Parses an audit cursor; a forged one is a 400, not an SQL error. */
function parseCursor(cursor: string | undefined): number | null {
  if (cursor === undefined) return null;
  const match = new RegExp(`^${CURSOR_PREFIX}(\\d{1,18})$`).exec(cursor);
  if (!match) throw new AppError(400, 'BAD_REQUEST', 'This cursor is not one the server gave.');
  return Number(match[1]);
}

/**
 * The audit log: every moderation action, rule change, automatic sanction and role change,
 * with what it changed. Rows are written in the transaction of the change they record.
 */
export class AuditLog {
  constructor(private readonly db: Db) {}

  /** Appends a row inside the caller's transaction; returns its id. */
  async record(tx: Queryable, record: Omit<AuditRecord, 'id'>): Promise<string> {
    const id = randomUUID();
    await insertAudit(tx, { ...record, id });
    return id;
  }

  async page(query: AuditQuery): Promise<AuditPage> {
    const limit = query.limit ?? 100;
    const { entries, lastSeq } = await listAudit(this.db, {
      ...query,
      beforeSeq: parseCursor(query.cursor),
      limit,
    });
    return { entries, nextCursor: entries.length === limit && lastSeq !== null ? `${CURSOR_PREFIX}${lastSeq}` : null };
  }

  /** The whole filtered log as CSV, page by page, so a large export never sits in memory at once. */
  async *csv(query: AuditQuery): AsyncGenerator<string> {
    yield csvRow([
      'id',
      'createdAt',
      'action',
      'actorId',
      'actorName',
      'targetType',
      'targetId',
      'targetLabel',
      'roomId',
      'reason',
      'before',
      'after',
    ]);
    let cursor = query.cursor;
    for (;;) {
      const page = await this.page({ ...query, cursor, limit: 500 });
      for (const e of page.entries) {
        yield csvRow([
          e.id,
          e.createdAt,
          e.action,
          e.actor?.id,
          e.actor?.username,
          e.target.type,
          e.target.id,
          e.target.label,
          e.roomId,
          e.reason,
          e.before ? JSON.stringify(e.before) : null,
          e.after ? JSON.stringify(e.after) : null,
        ]);
      }
      if (!page.nextCursor) return;
      cursor = page.nextCursor;
    }
  }
}
