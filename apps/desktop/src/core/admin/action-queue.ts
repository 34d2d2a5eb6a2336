import { randomUUID } from 'node:crypto';
import type { ModerationActionBody, ModerationActionResult } from '@veza/shared';
import type { PendingModerationAction } from '../../common/contract.js';
import { DesktopError } from '../../common/errors.js';
import type { CacheDb } from '../cache/database.js';

interface ActionRow {
  id: string;
  body: string;
  state: 'queued' | 'failed';
  queued_at: string;
  error_code: string | null;
  error_message: string | null;
}

/** The server could not be reached: the action stays queued for the next attempt. */
export const isUnreachable = (error: unknown): boolean =>
  error instanceof DesktopError && (error.code === 'OFFLINE' || error.code === 'SERVER_UNREACHABLE');

/**
 * Moderation actions taken offline, durable first (SQLite), sent in the order they were taken once
 * the connection returns. The server checks each one again when it arrives (permission, rank, the
 * report still open): an action it refuses is kept as `failed` with its code and sentence, for
 * the moderator to read and discard, never dropped silently. A network failure stops the replay
 * and keeps the rest queued. One replay runs at a time.
 */
export class ModerationActionQueue {
  private flushing: Promise<number> | null = null;

  constructor(
    private readonly db: CacheDb,
    private readonly send: (body: ModerationActionBody) => Promise<ModerationActionResult>,
    private readonly changed: (pending: PendingModerationAction[]) => void,
    /** Called after each action the server applied during a replay. */
    private readonly applied: (result: ModerationActionResult) => void,
  ) {}

  enqueue(body: ModerationActionBody): PendingModerationAction {
    const row: ActionRow = {
      id: randomUUID(),
      body: JSON.stringify(body),
      state: 'queued',
      queued_at: new Date().toISOString(),
      error_code: null,
      error_message: null,
    };
    this.db
      .prepare("INSERT INTO admin_actions (id, body, state, queued_at) VALUES (?, ?, 'queued', ?)")
      .run(row.id, row.body, row.queued_at);
    this.changed(this.list());
    return toPending(row);
  }

  list(): PendingModerationAction[] {
    const rows = this.db
      .prepare('SELECT id, body, state, queued_at, error_code, error_message FROM admin_actions ORDER BY seq')
      .all() as ActionRow[];
    return rows.map(toPending);
  }

  discard(id: string): PendingModerationAction[] {
    this.db.prepare('DELETE FROM admin_actions WHERE id = ?').run(id);
    const pending = this.list();
    this.changed(pending);
    return pending;
  }

  hasQueued(): boolean {
    return this.db.prepare("SELECT 1 FROM admin_actions WHERE state = 'queued' LIMIT 1").get() !== undefined;
  }

  /** Sends every queued action; resolves with how many the server applied. */
  flush(): Promise<number> {
    this.flushing ??= this.drain().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private async drain(): Promise<number> {
    let applied = 0;
    for (;;) {
      const row = this.db
        .prepare(
          "SELECT id, body, state, queued_at, error_code, error_message FROM admin_actions WHERE state = 'queued' ORDER BY seq LIMIT 1",
        )
        .get() as ActionRow | undefined;
      if (!row) return applied;
      let result: ModerationActionResult;
      try {
        result = await this.send(JSON.parse(row.body) as ModerationActionBody);
      } catch (error) {
        if (isUnreachable(error)) return applied;
        const shape =
          error instanceof DesktopError
            ? { code: error.code, message: error.message }
            : { code: 'INTERNAL_ERROR', message: 'The action could not be sent.' };
        this.db
          .prepare("UPDATE admin_actions SET state = 'failed', error_code = ?, error_message = ? WHERE id = ?")
          .run(shape.code, shape.message, row.id);
        this.changed(this.list());
        continue;
      }
      this.db.prepare('DELETE FROM admin_actions WHERE id = ?').run(row.id);
      applied += 1;
      this.applied(result);
      this.changed(this.list());
    }
  }
}

function toPending(row: ActionRow): PendingModerationAction {
  return {
    id: row.id,
    body: JSON.parse(row.body) as ModerationActionBody,
    state: row.state,
    queuedAt: row.queued_at,
    error:
      row.error_code && row.error_message
        ? { code: row.error_code as DesktopError['code'], message: row.error_message }
        : null,
  };
}
