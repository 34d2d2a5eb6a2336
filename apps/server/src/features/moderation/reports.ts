import { randomUUID } from 'node:crypto';
import type {
  Message,
  ModeratedUser,
  ModerationUserFile,
  Report,
  ReportContext,
  ReportCreateBody,
  ReportPage,
  ReportReceipt,
  ReportState,
  RuleHit,
} from '@veza/shared';
import type { Clock } from '../../infra/clock.js';
import type { Db } from '../../infra/db/db.js';
import { AppError, notFound } from '../../infra/errors.js';
import { TokenBucket, type BucketLimits } from '../../infra/token-bucket.js';
import type { Actor } from '../auth/index.js';
import type { ChatService } from '../chat/index.js';
import { findHeld, type HeldRow } from './held-store.js';
import * as store from './reports-store.js';
import { findModeratedUser } from './users-store.js';

export const DEFAULT_REPORT_LIMITS: BucketLimits = { capacity: 10, refillPerSecond: 10 / 600 };

const CONTEXT_MESSAGES = 10;

/** A held message as the queue shows it: seq 0, it has none until approved. */
export const heldAsMessage = (held: HeldRow): Message => ({
  id: held.id,
  roomId: held.room_id,
  seq: 0,
  authorId: held.author_id,
  authorUsername: held.author_name,
  clientId: held.client_id,
  body: held.body,
  replyTo: held.reply_to,
  mentions: [],
  createdAt: held.created_at.toISOString(),
  editedAt: null,
  deletedAt: null,
  reactions: [],
});

function parseCursor(cursor: string | undefined): number | null {
  if (cursor === undefined) return null;
  const match = /^r(\d{1,18})$/.exec(cursor);
  if (!match) throw new AppError(400, 'BAD_REQUEST', 'This cursor is not one the server gave.');
  return Number(match[1]);
}

/**
 * Reports from people and from rules, and the queue moderators work through. A target is
 * checked to exist and be visible to its reporter; a flood of reports is refused per user
 * (RATE_LIMITED) without touching what was already reported.
 */
export class Reports {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly deps: {
      db: Db;
      clock: Clock;
      chat: ChatService;
      limits: BucketLimits;
      userFile: (userId: string) => Promise<ModerationUserFile>;
    },
  ) {}

  async create(actor: Actor, body: ReportCreateBody): Promise<ReportReceipt> {
    const { db, clock } = this.deps;
    const { type, id } = await this.resolveTarget(actor, body.target);
    const own = await store.findOwnOpenReport(db, actor.id, type, id);
    if (own) return { id: own.id, createdAt: own.createdAt.toISOString() };
    this.take(actor.id);
    const now = clock.now();
    const receipt = await db.transaction(async (tx) => {
      const item = await store.openOrGroup(tx, {
        id: randomUUID(),
        source: 'user',
        reason: body.reason,
        details: body.details?.trim() ? body.details.trim() : null,
        reporterId: actor.id,
        targetType: type,
        targetId: id,
        hits: [],
        now,
      });
      await store.addReporter(tx, item.id, actor.id, now);
      return { id: item.id, createdAt: now.toISOString() };
    });
    return receipt;
  }

  /** An automod item (a rule flagged or held a message); grouped with open reports of it. */
  async automod(target: { type: 'message' | 'held'; id: string }, hits: readonly RuleHit[]): Promise<string> {
    const item = await store.openOrGroup(this.deps.db, {
      id: randomUUID(),
      source: 'automod',
      reason: 'other',
      details:
        hits
          .map((h) => `${h.ruleName}: ${h.detail}`)
          .join('; ')
          .slice(0, 1000) || null,
      reporterId: null,
      targetType: target.type,
      targetId: target.id,
      hits,
      now: this.deps.clock.now(),
    });
    return item.id;
  }

  async page(state: ReportState, cursor: string | undefined, limit: number): Promise<ReportPage> {
    const rows = await store.listReports(this.deps.db, state, parseCursor(cursor), limit);
    const reports: Report[] = [];
    for (const row of rows) {
      // A target deleted since (a track removed by its owner) leaves nothing to decide on.
      const report = await this.hydrate(row).catch((error: unknown) => {
        if (error instanceof AppError && error.code === 'CONFLICT') return undefined;
        throw error;
      });
      if (report) reports.push(report);
    }
    return {
      reports,
      nextCursor: rows.length === limit ? `r${rows.at(-1)!.seq}` : null,
      openCount: await store.countOpen(this.deps.db),
    };
  }

  async get(id: string): Promise<Report> {
    const row = await store.findReport(this.deps.db, id);
    if (!row) throw notFound('No such report.');
    return this.hydrate(row);
  }

  async context(id: string): Promise<ReportContext> {
    const report = await this.get(id);
    const { target } = report;
    if (target.type === 'message') {
      const around =
        target.visibility === 'held'
          ? {
              before: (
                await this.deps.chat.messagesAround(target.message.roomId, Number.MAX_SAFE_INTEGER, CONTEXT_MESSAGES)
              ).before,
              after: [],
            }
          : await this.deps.chat.messagesAround(target.message.roomId, target.message.seq, CONTEXT_MESSAGES);
      return { ...around, user: await this.deps.userFile(target.author.id) };
    }
    const userId = target.type === 'user' ? target.user.id : target.owner.id;
    return { before: [], after: [], user: await this.deps.userFile(userId) };
  }

  private take(userId: string): void {
    const now = this.deps.clock.now().getTime();
    let bucket = this.buckets.get(userId);
    if (!bucket) {
      if (this.buckets.size >= 50_000) {
        for (const [id, b] of this.buckets) if (b.isFull(now)) this.buckets.delete(id);
      }
      bucket = new TokenBucket(this.deps.limits, now);
      this.buckets.set(userId, bucket);
    }
    const waitMs = bucket.take(now);
    if (waitMs > 0) {
      const seconds = String(Math.ceil(waitMs / 1000));
      throw new AppError(429, 'RATE_LIMITED', `Too many reports: try again in ${seconds} s.`, {
        'retry-after': seconds,
      });
    }
  }

  private async resolveTarget(
    actor: Actor,
    target: ReportCreateBody['target'],
  ): Promise<{ type: store.StoredTargetType; id: string }> {
    const { db } = this.deps;
    switch (target.type) {
      case 'message': {
        // A message the reporter cannot see is reported as missing: its existence is not revealed.
        const found = await store.messageVisibleTo(db, target.messageId, actor.id);
        if (!found) throw notFound('No such message.');
        if (found.authorId === actor.id) throw new AppError(400, 'BAD_REQUEST', 'You cannot report yourself.');
        return { type: 'message', id: target.messageId };
      }
      case 'user': {
        if (target.userId === actor.id) throw new AppError(400, 'BAD_REQUEST', 'You cannot report yourself.');
        if (!(await findModeratedUser(db, target.userId, this.deps.clock.now()))) throw notFound('No such user.');
        return { type: 'user', id: target.userId };
      }
      case 'track': {
        const found = await store.trackVisibleTo(db, target.trackId, actor.id);
        if (!found) throw notFound('No such track.');
        if (found.ownerId === actor.id) throw new AppError(400, 'BAD_REQUEST', 'You cannot report yourself.');
        return { type: 'track', id: target.trackId };
      }
    }
  }

  private async user(userId: string): Promise<ModeratedUser> {
    const user = await findModeratedUser(this.deps.db, userId, this.deps.clock.now());
    if (!user) throw new AppError(409, 'CONFLICT', 'A user this report names no longer exists.');
    return user;
  }

  async hydrate(row: store.ReportRow): Promise<Report> {
    const { db, chat } = this.deps;
    let target: Report['target'];
    switch (row.target_type) {
      case 'message': {
        const message = await chat.findMessage(row.target_id);
        if (!message) throw new AppError(409, 'CONFLICT', 'A message this report names no longer exists.');
        const room = await chat.roomSummary(message.roomId);
        target = {
          type: 'message',
          visibility: message.deletedAt ? 'deleted' : 'visible',
          message,
          roomName: room?.name ?? '',
          author: await this.user(message.authorId),
        };
        break;
      }
      case 'held': {
        const held = await findHeld(db, row.target_id);
        if (!held) throw new AppError(409, 'CONFLICT', 'A held message this report names no longer exists.');
        const room = await chat.roomSummary(held.room_id);
        target = {
          type: 'message',
          visibility: held.state === 'held' ? 'held' : held.state === 'approved' ? 'visible' : 'deleted',
          message: heldAsMessage(held),
          roomName: room?.name ?? '',
          author: await this.user(held.author_id),
        };
        break;
      }
      case 'user':
        target = { type: 'user', user: await this.user(row.target_id) };
        break;
      case 'track': {
        const track = await store.findTrackBrief(db, row.target_id);
        if (!track) throw new AppError(409, 'CONFLICT', 'A track this report names no longer exists.');
        target = { type: 'track', trackId: row.target_id, title: track.title, owner: await this.user(track.ownerId) };
        break;
      }
    }
    return {
      id: row.id,
      source: row.source,
      state: row.state,
      reason: row.reason,
      details: row.details,
      reporter: row.reporter_id ? { id: row.reporter_id, username: row.reporter_name ?? '' } : null,
      reportCount: row.report_count,
      hits: row.hits,
      target,
      createdAt: row.created_at.toISOString(),
      resolvedAt: row.resolved_at?.toISOString() ?? null,
      resolvedBy: row.resolved_by,
      resolution: row.resolution,
    };
  }
}
