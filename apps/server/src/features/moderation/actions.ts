import {
  roleHasPermission,
  type ModerationActionBody,
  type ModerationActionResult,
  type Role,
  type RoomRole,
} from '@veza/shared';
import type { Bus } from '../../infra/bus.js';
import type { Clock } from '../../infra/clock.js';
import type { Db, Queryable } from '../../infra/db/db.js';
import { AppError, forbidden, notFound } from '../../infra/errors.js';
import type { Actor } from '../auth/index.js';
import type { ChatService } from '../chat/index.js';
import type { AuditLog } from './audit.js';
import type { AuditTargetType } from './audit-store.js';
import { decideHeld, findHeld, lockHeld } from './held-store.js';
import { notifyUser } from './notices.js';
import { checkGlobalRank, checkRoomRank } from './rank.js';
import type { Reports } from './reports.js';
import { lockReport, settleOpenFor, settleReport } from './reports-store.js';
import * as sanctionsStore from './sanctions-store.js';
import type { Sanctions } from './sanctions.js';
import { findUserBrief } from './users-store.js';

/** Who acts, as moderation checks them: the role read now, not the one the token was issued with. */
export interface Acting {
  id: string;
  username: string;
  role: Role;
  /** Holds moderation:act through both their credential and their current role. */
  global: boolean;
}

export interface SlowModeSetter {
  setSlowMode(tx: Queryable, actor: Acting, roomId: string, intervalSeconds: number): Promise<void>;
  /** After the action committed: the new rule set goes out. */
  announce(): Promise<void>;
}

const ROOM_MODERATING: readonly RoomRole[] = ['owner', 'moderator'];

/**
 * POST /moderation/actions: each action checks who may do it (global moderators everywhere,
 * room owners and moderators in their room for room-scoped actions) and on whom (rank.ts),
 * changes what it changes, writes its audit row, settles the report it names, and tells the
 * user concerned.
 */
export class Actions {
  constructor(
    private readonly deps: {
      db: Db;
      bus: Bus;
      clock: Clock;
      chat: ChatService;
      audit: AuditLog;
      reports: Reports;
      sanctions: Sanctions;
      slowMode: SlowModeSetter;
    },
  ) {}

  async perform(actor: Actor, body: ModerationActionBody): Promise<ModerationActionResult> {
    const acting = await this.acting(actor);
    // The queue is global moderators' alone: a room moderator cannot settle reports.
    if ('reportId' in body && body.reportId !== undefined && !acting.global)
      throw forbidden('Only moderators of the server can settle reports.');
    const { auditId, reportId } = await this.dispatch(acting, body);
    const report = reportId ? await this.deps.reports.get(reportId) : null;
    return { auditId, action: body.action, report };
  }

  /** The actor's role in the database now (a demoted moderator loses their rights at once). */
  async acting(actor: Actor): Promise<Acting> {
    const user = await findUserBrief(this.deps.db, actor.id);
    if (!user) throw forbidden('Your account no longer exists.');
    const global = actor.permissions.has('moderation:act') && roleHasPermission(user.role, 'moderation:act');
    return { id: actor.id, username: actor.username, role: user.role, global };
  }

  private async dispatch(a: Acting, body: ModerationActionBody): Promise<{ auditId: string; reportId: string | null }> {
    switch (body.action) {
      case 'dismiss':
        return this.dismiss(a, body.reportId, body.reason ?? null);
      case 'delete':
        return this.deleteMessage(a, body.messageId, body.reason ?? null, body.reportId ?? null);
      case 'warn':
        return this.warn(a, body.userId, body.reason, body.reportId ?? null);
      case 'timeout':
        return this.timeout(a, body);
      case 'room_ban':
        return this.roomBan(a, body);
      case 'ban':
        return this.ban(a, body);
      case 'unban':
        return this.unban(a, body.userId, body.roomId ?? null, body.reason ?? null);
      case 'approve':
      case 'reject':
        return this.decide(a, body.action, body.messageId, body.reason ?? null, body.reportId ?? null);
      case 'slow_mode':
        return this.slowMode(a, body.roomId, body.intervalSeconds, body.reason ?? null);
    }
  }

  // ── checks ─────────────────────────────────────────────────────────────────

  private requireGlobal(a: Acting): void {
    if (!a.global) throw forbidden('This needs the "moderation:act" permission.');
  }

  /** Global moderators pass; otherwise the actor must own or moderate the room. */
  private async roomAuthority(a: Acting, roomId: string): Promise<RoomRole | 'global'> {
    if (a.global) return 'global';
    const role = await this.deps.chat.roomRole(roomId, a.id);
    if (!role || !ROOM_MODERATING.includes(role))
      throw forbidden("Only the room's owners and moderators can do this here.");
    return role;
  }

  private async target(userId: string) {
    const user = await findUserBrief(this.deps.db, userId);
    if (!user) throw notFound('No such user.');
    return user;
  }

  /** Rank of actor over target, globally or in the room the action is scoped to. */
  private async checkRank(
    a: Acting,
    authority: RoomRole | 'global',
    target: { id: string; role: Role },
    roomId: string | null,
  ): Promise<void> {
    if (authority === 'global') return checkGlobalRank(a, target);
    const targetRoomRole = roomId ? ((await this.deps.chat.roomRole(roomId, target.id)) ?? null) : null;
    checkRoomRank({ id: a.id, roomRole: authority }, { ...target, roomRole: targetRoomRole });
  }

  // ── the actions ────────────────────────────────────────────────────────────

  private async settle(
    tx: Queryable,
    a: Acting,
    reportId: string | null,
    state: 'resolved' | 'dismissed',
    resolution: string,
  ): Promise<void> {
    if (!reportId) return;
    const report = await lockReport(tx, reportId);
    if (!report) throw notFound('No such report.');
    if (report.state !== 'open') throw new AppError(409, 'CONFLICT', 'This report was already settled.');
    await settleReport(tx, reportId, { state, by: a.id, resolution, now: this.deps.clock.now() });
  }

  private record(
    tx: Queryable,
    a: Acting,
    action: string,
    target: { type: AuditTargetType; id: string; label: string | null },
    extra: { roomId?: string | null; reason: string | null; before?: object | null; after?: object | null },
  ): Promise<string> {
    return this.deps.audit.record(tx, {
      action,
      actor: { id: a.id, username: a.username },
      target,
      roomId: extra.roomId ?? null,
      reason: extra.reason,
      before: (extra.before ?? null) as Record<string, unknown> | null,
      after: (extra.after ?? null) as Record<string, unknown> | null,
      at: this.deps.clock.now(),
    });
  }

  private async dismiss(a: Acting, reportId: string, reason: string | null) {
    this.requireGlobal(a);
    const auditId = await this.deps.db.transaction(async (tx) => {
      await this.settle(tx, a, reportId, 'dismissed', reason ?? 'dismissed');
      return this.record(
        tx,
        a,
        'dismiss',
        { type: 'report', id: reportId, label: null },
        {
          reason,
          before: { state: 'open' },
          after: { state: 'dismissed' },
        },
      );
    });
    return { auditId, reportId };
  }

  private async deleteMessage(a: Acting, messageId: string, reason: string | null, reportId: string | null) {
    const { chat, db } = this.deps;
    const message = await chat.findMessage(messageId);
    if (!message) throw notFound('No such message.');
    const authority = await this.roomAuthority(a, message.roomId);
    const author = await this.target(message.authorId);
    await this.checkRank(a, authority, author, message.roomId);
    await chat.moderatorDelete(a.id, messageId);
    const auditId = await db.transaction(async (tx) => {
      await this.settle(tx, a, reportId, 'resolved', 'delete');
      return this.record(
        tx,
        a,
        'delete',
        { type: 'message', id: messageId, label: author.username },
        {
          roomId: message.roomId,
          reason,
          before: { body: message.body, deletedAt: message.deletedAt },
          after: { deleted: true },
        },
      );
    });
    return { auditId, reportId };
  }

  private async warn(a: Acting, userId: string, reason: string, reportId: string | null) {
    this.requireGlobal(a);
    const target = await this.target(userId);
    checkGlobalRank(a, target);
    const auditId = await this.deps.db.transaction(async (tx) => {
      await this.settle(tx, a, reportId, 'resolved', 'warn');
      return this.record(tx, a, 'warn', { type: 'user', id: userId, label: target.username }, { reason });
    });
    notifyUser(this.deps.bus, userId, { kind: 'warning', reason });
    return { auditId, reportId };
  }

  private async timeout(a: Acting, body: Extract<ModerationActionBody, { action: 'timeout' }>) {
    const roomId = body.roomId ?? null;
    const authority = roomId ? await this.roomAuthority(a, roomId) : (this.requireGlobal(a), 'global' as const);
    const target = await this.target(body.userId);
    await this.checkRank(a, authority, target, roomId);
    const until = new Date(this.deps.clock.now().getTime() + body.durationSeconds * 1000);
    const auditId = await this.deps.db.transaction(async (tx) => {
      await this.deps.sanctions.timeout(tx, {
        userId: body.userId,
        roomId,
        until,
        reason: body.reason,
        createdBy: a.id,
      });
      await this.settle(tx, a, body.reportId ?? null, 'resolved', 'timeout');
      return this.record(
        tx,
        a,
        'timeout',
        { type: 'user', id: body.userId, label: target.username },
        {
          roomId,
          reason: body.reason,
          after: { until: until.toISOString(), roomId },
        },
      );
    });
    this.deps.sanctions.announceTimeout(body.userId, until, body.reason, roomId);
    return { auditId, reportId: body.reportId ?? null };
  }

  private async roomBan(a: Acting, body: Extract<ModerationActionBody, { action: 'room_ban' }>) {
    const { chat, db, clock, bus } = this.deps;
    const room = await chat.roomSummary(body.roomId);
    if (!room) throw notFound('No such room.');
    if (room.kind === 'dm') throw new AppError(400, 'BAD_REQUEST', 'Nobody can be banned from a direct message.');
    const authority = await this.roomAuthority(a, body.roomId);
    const target = await this.target(body.userId);
    await this.checkRank(a, authority, target, body.roomId);
    const now = clock.now();
    const until = body.durationSeconds ? new Date(now.getTime() + body.durationSeconds * 1000) : null;
    const auditId = await db.transaction(async (tx) => {
      await sanctionsStore.upsertRoomBan(tx, {
        roomId: body.roomId,
        userId: body.userId,
        reason: body.reason,
        until,
        createdBy: a.id,
        now,
      });
      await this.settle(tx, a, body.reportId ?? null, 'resolved', 'room_ban');
      return this.record(
        tx,
        a,
        'room_ban',
        { type: 'user', id: body.userId, label: target.username },
        {
          roomId: body.roomId,
          reason: body.reason,
          after: { until: until?.toISOString() ?? null, roomId: body.roomId },
        },
      );
    });
    // The ban is stored first, so the user cannot rejoin between their removal and the ban.
    await chat.removeFromRoom(a.id, body.roomId, body.userId);
    notifyUser(bus, body.userId, { kind: 'room_ban', reason: body.reason, until, roomId: body.roomId });
    return { auditId, reportId: body.reportId ?? null };
  }

  private async ban(a: Acting, body: Extract<ModerationActionBody, { action: 'ban' }>) {
    this.requireGlobal(a);
    const target = await this.target(body.userId);
    checkGlobalRank(a, target);
    const now = this.deps.clock.now();
    const until = body.durationSeconds ? new Date(now.getTime() + body.durationSeconds * 1000) : null;
    const auditId = await this.deps.db.transaction(async (tx) => {
      await this.deps.sanctions.ban(tx, { userId: body.userId, reason: body.reason, until, createdBy: a.id });
      await this.settle(tx, a, body.reportId ?? null, 'resolved', 'ban');
      return this.record(
        tx,
        a,
        'ban',
        { type: 'user', id: body.userId, label: target.username },
        {
          reason: body.reason,
          after: { until: until?.toISOString() ?? null, hideMessages: body.hideMessages ?? false },
        },
      );
    });
    if (body.hideMessages) await this.deps.sanctions.hideMessagesOf(a.id, body.userId);
    return { auditId, reportId: body.reportId ?? null };
  }

  private async unban(a: Acting, userId: string, roomId: string | null, reason: string | null) {
    const { db, clock, bus } = this.deps;
    const authority = roomId ? await this.roomAuthority(a, roomId) : (this.requireGlobal(a), 'global' as const);
    const target = await this.target(userId);
    await this.checkRank(a, authority, target, roomId);
    const now = clock.now();
    const auditId = await db.transaction(async (tx) => {
      if (roomId) {
        // Nothing to lift is not refused: the audit row says what was asked.
        await sanctionsStore.deleteRoomBan(tx, roomId, userId);
        await sanctionsStore.liftRoomMutes(tx, roomId, userId, now);
      } else {
        await sanctionsStore.liftBans(tx, userId, now);
      }
      return this.record(tx, a, 'unban', { type: 'user', id: userId, label: target.username }, { roomId, reason });
    });
    notifyUser(bus, userId, { kind: 'unban', reason, roomId });
    return { auditId, reportId: null };
  }

  private async decide(
    a: Acting,
    action: 'approve' | 'reject',
    heldId: string,
    reason: string | null,
    reportId: string | null,
  ) {
    const { db, chat, clock, bus } = this.deps;
    const held = await findHeld(db, heldId);
    if (!held) throw notFound('No held message with this id.');
    const authority = await this.roomAuthority(a, held.room_id);
    if (held.author_id === a.id)
      throw new AppError(400, 'BAD_REQUEST', 'You cannot approve or reject your own message.');
    if (authority !== 'global') {
      const author = await this.target(held.author_id);
      await this.checkRank(a, authority, author, held.room_id);
    }
    if (held.state !== 'held') throw new AppError(409, 'CONFLICT', `This message was already ${held.state}.`);
    let messageId: string | null = null;
    if (action === 'approve') {
      // Sent as its author, past the guards that held it: the room sees the normal event.
      const author = await this.target(held.author_id);
      const sent = await chat.send(
        { id: author.id, username: author.username, permissions: new Set(['chat:write']) },
        { roomId: held.room_id, clientId: held.client_id, body: held.body, replyTo: held.reply_to ?? undefined },
        { skipGuards: true },
      );
      if (!sent.held) messageId = sent.messageId;
    }
    const now = clock.now();
    const auditId = await db.transaction(async (tx) => {
      const locked = await lockHeld(tx, heldId);
      if (locked?.state !== 'held') throw new AppError(409, 'CONFLICT', 'This message was decided meanwhile.');
      await decideHeld(tx, heldId, { state: action === 'approve' ? 'approved' : 'rejected', by: a.id, now, messageId });
      if (reportId) await this.settle(tx, a, reportId, 'resolved', action);
      else await settleOpenFor(tx, 'held', heldId, { state: 'resolved', by: a.id, resolution: action, now });
      return this.record(
        tx,
        a,
        action,
        { type: 'message', id: heldId, label: held.author_name },
        {
          roomId: held.room_id,
          reason,
          before: { state: 'held', body: held.body },
          after: { state: action === 'approve' ? 'approved' : 'rejected', messageId },
        },
      );
    });
    notifyUser(bus, held.author_id, {
      kind: action === 'approve' ? 'approved' : 'rejected',
      reason,
      roomId: held.room_id,
      clientId: held.client_id,
    });
    return { auditId, reportId };
  }

  private async slowMode(a: Acting, roomId: string, intervalSeconds: number, reason: string | null) {
    const room = await this.deps.chat.roomSummary(roomId);
    if (!room) throw notFound('No such room.');
    await this.roomAuthority(a, roomId);
    const setter = this.deps.slowMode;
    const auditId = await this.deps.db.transaction(async (tx) => {
      await setter.setSlowMode(tx, a, roomId, intervalSeconds);
      return this.record(
        tx,
        a,
        'slow_mode',
        { type: 'room', id: roomId, label: room.name },
        {
          roomId,
          reason,
          after: { intervalSeconds },
        },
      );
    });
    await setter.announce();
    return { auditId, reportId: null };
  }
}
