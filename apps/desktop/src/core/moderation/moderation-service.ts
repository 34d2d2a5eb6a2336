import type { ReportCreateBody, ServerFrameOf } from '@veza/shared';
import type {
  CoreEvent,
  HandlersOf,
  ModerationRuleSet,
  ReportOutcome,
  reportCommands,
  Restriction,
  Standing,
  standingCommands,
} from '../../common/contract.js';
import type { ApiClient } from '../api/api-client.js';
import type { CacheDb } from '../cache/database.js';
import type { SyncLogger } from '../sync/logger.js';
import type { SyncConnection, SyncDomain } from '../sync/sync-connection.js';
import { ReportOutbox } from './report-outbox.js';
import { ReportSender } from './report-sender.js';
import { RulesMirror } from './rules-mirror.js';
import { RulesStore } from './rules-store.js';
import { SERVER_SCOPE, StandingStore, endTimeIn } from './standing-store.js';

/** What moderation tells chat about my sends (chat owns the outbox). */
export interface HeldSends {
  messageHeld(clientId: string, reason: string | null): void;
  messageRejected(clientId: string, reason: string | null): void;
}

export interface ModerationServiceOptions {
  db: CacheDb;
  api: ApiClient;
  connection: SyncConnection;
  log: SyncLogger;
  emit(event: CoreEvent): void;
  /** Report retry pause after RATE_LIMITED; tests shorten it. */
  reportRetryMs?: number;
}

type ModerationFrame = ServerFrameOf<'moderation'>;
/** Timers longer than this overflow setTimeout; a longer ban is re-armed on restart anyway. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A listener's side of moderation: the rules mirror (for the composer), my standing (bans and
 * timeouts announced to me, kept offline), the notices about my sends (held, approved, rejected,
 * handed to chat's outbox), and reports, queued when offline.
 */
export class ModerationService implements HandlersOf<typeof reportCommands & typeof standingCommands> {
  private readonly rules: RulesStore;
  private readonly mirror: RulesMirror;
  private readonly standing: StandingStore;
  private readonly reports: ReportOutbox;
  private readonly sender: ReportSender;
  private heldSends: HeldSends | null = null;
  private banTimer: NodeJS.Timeout | undefined;
  readonly sync: SyncDomain<'moderation' | 'rules'>;

  constructor(private readonly options: ModerationServiceOptions) {
    const { db, api, log } = options;
    this.rules = new RulesStore(db);
    this.standing = new StandingStore(db);
    this.reports = new ReportOutbox(db);
    this.mirror = new RulesMirror({
      api,
      store: this.rules,
      log,
      changed: (version) => options.emit({ type: 'rules.changed', version }),
    });
    this.sender = new ReportSender({
      outbox: this.reports,
      api,
      log,
      ...(options.reportRetryMs !== undefined ? { retryMs: options.reportRetryMs } : {}),
    });
    this.sync = {
      frames: ['moderation', 'rules'],
      onFrame: (frame) => {
        if (frame.type === 'rules') this.mirror.onVersion(frame.version);
        else this.onNotice(frame);
      },
      onWelcome: () => this.onWelcome(),
      onRefused: (frame) => this.onRefused(frame),
    };
  }

  /** Chat's outbox, told about held and rejected sends (wired after both exist). */
  attachChat(chat: HeldSends): void {
    this.heldSends = chat;
  }

  /** Mutes, for chat's outbox: a muted send waits for the end. */
  readonly mutes = {
    mutedUntil: (roomId: string): number | null => this.standing.mutedUntil(roomId, Date.now()),
    refused: (roomId: string, message: string): void => {
      // A MUTED refusal whose end we did not know (the notice was missed while offline).
      const until = endTimeIn(message);
      if (until === null || Date.parse(until) <= Date.now()) return;
      const known = this.standing.mutedUntil(roomId, Date.now());
      if (known !== null && known >= Date.parse(until)) return;
      this.standing.put({ scope: SERVER_SCOPE, kind: 'timeout', reason: null, until });
      this.options.emit({ type: 'standing.changed' });
    },
  };

  start(): void {
    this.armBanEnd();
  }

  stop(): void {
    this.mirror.stop();
    this.sender.stop();
    clearTimeout(this.banTimer);
  }

  // ── commands ───────────────────────────────────────────────────────────────

  async getEffectiveRules(): Promise<ModerationRuleSet | null> {
    return this.rules.get();
  }

  async getStanding(): Promise<Standing> {
    return { restrictions: this.standing.active(Date.now()) };
  }

  async reportContent(args: ReportCreateBody): Promise<ReportOutcome> {
    const body: ReportCreateBody = {
      target: args.target,
      reason: args.reason,
      ...(args.details?.trim() ? { details: args.details.trim() } : {}),
    };
    const id = this.reports.add(body);
    if (!this.options.connection.isOnline()) return { state: 'queued' };
    await this.sender.drain();
    const refusal = this.sender.takeRefusal(id);
    if (refusal) throw refusal;
    return { state: this.reports.has(id) ? 'queued' : 'sent' };
  }

  // ── sync ───────────────────────────────────────────────────────────────────

  private onWelcome(): void {
    // Welcomed: whatever server ban we remembered is over (the server refuses banned accounts).
    if (this.standing.lift(SERVER_SCOPE, ['ban'])) this.options.emit({ type: 'standing.changed' });
    void this.mirror.refresh();
    void this.sender.drain();
  }

  /** `hello` refused: BANNED is a ban we may not have heard of (it began while we were away). */
  private onRefused(frame: ServerFrameOf<'error'>): void {
    if (frame.code !== 'BANNED') return;
    this.recordBan(frame.message, endTimeIn(frame.message));
  }

  private onNotice(frame: ModerationFrame): void {
    const roomScope = frame.roomId ?? SERVER_SCOPE;
    switch (frame.kind) {
      case 'held':
        if (frame.clientId) this.heldSends?.messageHeld(frame.clientId, frame.reason);
        break;
      case 'rejected':
        if (frame.clientId) this.heldSends?.messageRejected(frame.clientId, frame.reason);
        break;
      case 'approved':
        // The message's event follows (or came first) and takes it out of the outbox.
        break;
      case 'timeout':
        this.restrict({ scope: roomScope, kind: 'timeout', reason: frame.reason, until: frame.until });
        break;
      case 'room_ban':
        if (frame.roomId)
          this.restrict({ scope: frame.roomId, kind: 'room_ban', reason: frame.reason, until: frame.until });
        break;
      case 'ban':
        this.recordBan(frame.reason, frame.until);
        break;
      case 'unban':
        if (this.standing.lift(roomScope, frame.roomId ? ['room_ban', 'timeout'] : ['ban', 'timeout'])) {
          this.options.emit({ type: 'standing.changed' });
        }
        break;
      case 'warning':
        break;
    }
    this.options.emit({
      type: 'moderation.notice',
      kind: frame.kind,
      reason: frame.reason,
      until: frame.until,
      roomId: frame.roomId,
    });
  }

  private restrict(restriction: Restriction): void {
    this.standing.put(restriction);
    this.options.emit({ type: 'standing.changed' });
  }

  private recordBan(reason: string | null, until: string | null): void {
    this.restrict({ scope: SERVER_SCOPE, kind: 'ban', reason, until });
    this.armBanEnd();
  }

  /** A timed ban ends while the app is open: the connection (stopped by the 4004 close) tries again. */
  private armBanEnd(): void {
    clearTimeout(this.banTimer);
    const ban = this.standing.active(Date.now()).find((r) => r.scope === SERVER_SCOPE && r.kind === 'ban');
    if (!ban?.until) return;
    const wait = Date.parse(ban.until) - Date.now();
    if (wait > MAX_TIMER_MS) return;
    this.banTimer = setTimeout(
      () => {
        this.standing.active(Date.now());
        this.options.emit({ type: 'standing.changed' });
        this.options.connection.start();
      },
      Math.max(0, wait) + 1_000,
    );
  }
}
