import { MESSAGE_MAX_LENGTH, NON_BLANK_TEXT, type ClientFrame, type ErrorCode, type ServerFrameOf } from '@veza/shared';
import type { MessageStore } from '../store/message-store.js';
import type { OutboxEntry, OutboxPayloads, OutboxStore } from '../store/outbox-store.js';
import type { ChangeNotifier } from './change-notifier.js';
import type { SyncLogger } from '../../sync/logger.js';

/** Refusals that say "not now" rather than "never": the entry stays pending and is retried. */
const TRANSIENT_CODES: ReadonlySet<ErrorCode> = new Set([
  'RATE_LIMITED',
  'MUTED',
  'INTERNAL_ERROR',
  'SERVICE_UNAVAILABLE',
  'TOKEN_EXPIRED',
]);
/** An answer that does not come within this is presumed lost; resending is safe (dedup by clientId). */
const ANSWER_TIMEOUT_MS = 15_000;
const RETRY_MIN_MS = 1_000;
const RETRY_MAX_MS = 30_000;
const nonBlank = new RegExp(NON_BLANK_TEXT, 'u');

export interface OutboxSenderDeps {
  outbox: OutboxStore;
  messages: MessageStore;
  me: { id: string; username: string };
  send(frame: ClientFrame): boolean;
  notifier: ChangeNotifier;
  log: SyncLogger;
  /** Milliseconds to wait after a transient refusal; tests shorten it. */
  retryDelayMs?: (attempts: number, serverHintMs: number | null) => number;
  /**
   * Moderation's view of my timeouts: when sending in `roomId` is muted until (ms), so a muted
   * send waits for the end instead of knocking every few seconds; and where a MUTED refusal goes
   * (its message gives the end time).
   */
  mutes?: { mutedUntil(roomId: string): number | null; refused(roomId: string, message: string): void };
}

/**
 * Delivers the outbox, oldest entry first, one frame in flight at a time: the server handles a
 * connection's frames in order, so the log keeps the order the user acted in, and an answer
 * (ack, done, error) always matches the one entry waiting. Runs only while the socket is synced.
 */
export class OutboxSender {
  private online = false;
  private inFlight: { entry: OutboxEntry; timer: NodeJS.Timeout } | null = null;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: OutboxSenderDeps) {}

  setOnline(online: boolean): void {
    this.online = online;
    if (!online) {
      if (this.inFlight) clearTimeout(this.inFlight.timer);
      this.inFlight = null;
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
      return;
    }
    this.pump();
  }

  /** Something was queued or put back: deliver it if we can. */
  wake(): void {
    this.pump();
  }

  stop(): void {
    this.setOnline(false);
  }

  onAck(frame: ServerFrameOf<'ack'>): void {
    const entry = this.deps.outbox.get(frame.clientId);
    if (entry?.kind === 'send') {
      const payload = entry.payload as OutboxPayloads['send'];
      this.deps.outbox.transaction(() => {
        // Until its message.created event arrives, the message shows at its seq as sent (version 0:
        // the event overwrites it with the server's copy: mentions, exact time).
        this.deps.messages.put(
          {
            id: frame.messageId,
            roomId: payload.roomId,
            seq: frame.seq,
            authorId: this.deps.me.id,
            authorUsername: this.deps.me.username,
            clientId: payload.clientId,
            body: payload.body,
            replyTo: payload.replyTo ?? null,
            mentions: [],
            createdAt: entry.created_at,
            editedAt: null,
            deletedAt: null,
            reactions: [],
          },
          0,
        );
        this.deps.outbox.delete(frame.clientId);
      });
      this.deps.notifier.messagesChanged(payload.roomId);
      this.deps.notifier.roomsChanged();
    }
    this.settle(frame.clientId);
  }

  /** True when the `done` answered one of ours. */
  onDone(frame: ServerFrameOf<'done'>): boolean {
    const entry = this.deps.outbox.get(frame.ref);
    if (!entry) return false;
    this.deps.outbox.transaction(() => {
      // Confirmed at `seq`: shown as done right away; the event at `seq` then lands on top with
      // the server's exact data (the row's version does not move, see MessageStore.confirmEdit).
      if (frame.seq !== null) this.confirmLocally(entry, frame.seq);
      this.deps.outbox.delete(entry.client_id);
    });
    this.deps.notifier.messagesChanged(entry.room_id);
    this.settle(entry.client_id);
    return true;
  }

  /** True when the error answered one of ours (a send by clientId, anything else by ref). */
  onError(frame: ServerFrameOf<'error'>): boolean {
    const key = frame.clientId ?? frame.ref;
    const entry = key ? this.deps.outbox.get(key) : undefined;
    if (!entry) return false;
    if (TRANSIENT_CODES.has(frame.code)) {
      if (frame.code === 'MUTED') this.deps.mutes?.refused(entry.room_id, frame.message);
      this.deps.outbox.recordAttempt(entry.client_id, frame.message);
      this.deps.notifier.messagesChanged(entry.room_id);
      this.settle(entry.client_id, this.retryDelay(entry.attempts + 1, frame.message, entry.room_id));
      return true;
    }
    if (entry.kind === 'send') {
      this.deps.outbox.markFailed(entry.client_id, frame.message);
    } else {
      // An edit, deletion, reaction or read the server refused: the overlay lifts and the
      // message shows as the server has it.
      this.deps.log.warn('the server refused a queued change', { kind: entry.kind, code: frame.code });
      this.deps.outbox.delete(entry.client_id);
    }
    this.deps.notifier.messagesChanged(entry.room_id);
    this.settle(entry.client_id);
    return true;
  }

  /**
   * A rule held a send for review (the `moderation` notice 'held' answers it instead of an ack):
   * it stays on this device, shown as held, and is never resent. True when it was ours.
   */
  onHeld(clientId: string, reason: string | null): boolean {
    const entry = this.deps.outbox.get(clientId);
    if (!entry || !this.deps.outbox.markHeld(clientId, reason)) return false;
    this.deps.notifier.messagesChanged(entry.room_id);
    this.settle(clientId);
    return true;
  }

  /** A moderator rejected a held send: it fails with the reason and is not retried. */
  onRejected(clientId: string, reason: string | null): boolean {
    const entry = this.deps.outbox.get(clientId);
    if (!entry || entry.kind !== 'send') return false;
    this.deps.outbox.markFailed(clientId, reason ? `Rejected by a moderator: ${reason}` : 'Rejected by a moderator.');
    this.deps.notifier.messagesChanged(entry.room_id);
    this.settle(clientId);
    return true;
  }

  private pump(): void {
    while (this.online && !this.inFlight && !this.retryTimer) {
      const entry = this.deps.outbox.nextPending();
      if (!entry) return;
      const frame = toFrame(entry);
      if (typeof frame === 'string') {
        // Never send what the server would refuse without saying which entry it was.
        this.deps.outbox.markFailed(entry.client_id, frame);
        if (entry.kind !== 'send') this.deps.outbox.delete(entry.client_id);
        this.deps.notifier.messagesChanged(entry.room_id);
        continue;
      }
      if (!this.deps.send(frame)) return;
      const timer = setTimeout(() => {
        if (this.inFlight?.entry.client_id !== entry.client_id) return;
        this.inFlight = null;
        this.deps.outbox.recordAttempt(entry.client_id, 'The server did not answer in time.');
        this.pump();
      }, ANSWER_TIMEOUT_MS);
      this.inFlight = { entry, timer };
    }
  }

  /** The entry got its answer: the next one may go (after `delayMs` when the server said wait). */
  private settle(clientId: string, delayMs?: number): void {
    if (this.inFlight?.entry.client_id !== clientId) return;
    clearTimeout(this.inFlight.timer);
    this.inFlight = null;
    if (delayMs !== undefined) {
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        this.pump();
      }, delayMs);
      return;
    }
    this.pump();
  }

  private retryDelay(attempts: number, message: string, roomId: string): number {
    // A timeout's end is known (notice or refusal): knocking before it only earns more refusals.
    // Otherwise the server says how long in words ("try again in 3 s"): honour it when present.
    const mutedUntil = this.deps.mutes?.mutedUntil(roomId) ?? null;
    const seconds = /(\d+)\s*s\b/.exec(message);
    const hint =
      mutedUntil !== null && mutedUntil > Date.now()
        ? mutedUntil - Date.now()
        : seconds
          ? Number(seconds[1]) * 1000
          : null;
    if (this.deps.retryDelayMs) return this.deps.retryDelayMs(attempts, hint);
    return hint ?? Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** Math.min(attempts, 10));
  }

  private confirmLocally(entry: OutboxEntry, seq: number): void {
    const { messages } = this.deps;
    const now = new Date().toISOString();
    switch (entry.kind) {
      case 'edit': {
        const payload = entry.payload as OutboxPayloads['edit'];
        const current = messages.get(payload.messageId);
        const mentions = current ? (JSON.parse(current.mentions) as string[]) : [];
        messages.confirmEdit(payload.messageId, payload.body, mentions, now, seq);
        return;
      }
      case 'delete':
        messages.confirmDelete((entry.payload as OutboxPayloads['delete']).messageId, now, seq);
        return;
      case 'react': {
        const payload = entry.payload as OutboxPayloads['react'];
        messages.confirmReaction(payload.messageId, payload.emoji, this.deps.me.id, payload.op, seq);
        return;
      }
      default:
        return;
    }
  }
}

/** The frame an entry becomes, or why it cannot be sent. */
function toFrame(entry: OutboxEntry): ClientFrame | string {
  const ref = entry.client_id;
  switch (entry.kind) {
    case 'send': {
      const p = entry.payload as OutboxPayloads['send'];
      const problem = bodyProblem(p.body);
      if (problem) return problem;
      return {
        type: 'send',
        roomId: p.roomId,
        clientId: p.clientId,
        body: p.body,
        ...(p.replyTo ? { replyTo: p.replyTo } : {}),
      };
    }
    case 'edit': {
      const p = entry.payload as OutboxPayloads['edit'];
      return bodyProblem(p.body) ?? { type: 'edit', messageId: p.messageId, body: p.body, ref };
    }
    case 'delete':
      return { type: 'delete', messageId: (entry.payload as OutboxPayloads['delete']).messageId, ref };
    case 'react': {
      const p = entry.payload as OutboxPayloads['react'];
      return { type: 'react', messageId: p.messageId, emoji: p.emoji, op: p.op, ref };
    }
    case 'read': {
      const p = entry.payload as OutboxPayloads['read'];
      return { type: 'read', roomId: p.roomId, seq: p.seq, ref };
    }
  }
}

/** The server's rule for message bodies, checked here so a refusal can never go unmatched. */
export function bodyProblem(body: string): string | null {
  if (body.length > MESSAGE_MAX_LENGTH) return `A message can have at most ${MESSAGE_MAX_LENGTH} characters.`;
  if (!nonBlank.test(body)) return 'A message cannot be empty or contain invisible control characters.';
  return null;
}
