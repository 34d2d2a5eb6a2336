/**
 * Keyboard triage of the reports queue, as pure functions: which key means what, which commands a
 * report allows, where the selection goes, and the action body each command sends. The queue's
 * container only wires these to the store and the dialogs.
 */
import type { ModerationActionBody, PendingModerationAction, Report } from '../../../common/contract.js';

export type TriageCommand = 'next' | 'previous' | 'approve' | 'delete' | 'timeout' | 'ban' | 'dismiss' | 'help';
/** Commands that act on the selected report (the others move or explain). */
export type TriageAction = Extract<TriageCommand, 'approve' | 'delete' | 'timeout' | 'ban' | 'dismiss'>;

/** The shortcuts as the help dialog and the buttons' hints show them, in that order. */
export const TRIAGE_SHORTCUTS: readonly { keys: readonly string[]; command: TriageCommand; label: string }[] = [
  { keys: ['j', '↓'], command: 'next', label: 'Next report' },
  { keys: ['k', '↑'], command: 'previous', label: 'Previous report' },
  { keys: ['a'], command: 'approve', label: 'Approve the held message' },
  { keys: ['d'], command: 'delete', label: 'Delete the message' },
  { keys: ['t'], command: 'timeout', label: 'Time the author out…' },
  { keys: ['b'], command: 'ban', label: 'Ban the author…' },
  { keys: ['x'], command: 'dismiss', label: 'Dismiss the report' },
  { keys: ['?'], command: 'help', label: 'Show these shortcuts' },
];

const KEYS: Record<string, TriageCommand> = {
  j: 'next',
  ArrowDown: 'next',
  k: 'previous',
  ArrowUp: 'previous',
  a: 'approve',
  d: 'delete',
  t: 'timeout',
  b: 'ban',
  x: 'dismiss',
  '?': 'help',
};

/** The command of a key press, or null. Modifiers other than Shift (for `?`) mean "not ours". */
export function commandForKey(
  key: string,
  modifiers: { ctrl: boolean; meta: boolean; alt: boolean },
): TriageCommand | null {
  if (modifiers.ctrl || modifiers.meta || modifiers.alt) return null;
  return KEYS[key] ?? KEYS[key.toLowerCase()] ?? null;
}

/** The user a report is about: the message's author, the reported user, the track's owner. */
export function subjectOf(report: Report): { id: string; username: string } {
  switch (report.target.type) {
    case 'message':
      return report.target.author;
    case 'user':
      return report.target.user;
    case 'track':
      return report.target.owner;
  }
}

/** What can be done to a report; only open reports are acted on. */
export function allowedActions(report: Report): ReadonlySet<TriageAction> {
  const allowed = new Set<TriageAction>();
  if (report.state !== 'open') return allowed;
  allowed.add('dismiss');
  allowed.add('timeout');
  allowed.add('ban');
  if (report.target.type === 'message') {
    if (report.target.visibility === 'held') allowed.add('approve');
    if (report.target.visibility !== 'deleted') allowed.add('delete');
  }
  return allowed;
}

/** The id `delta` steps from `selectedId` in `ids`, clamped at both ends; the first when nothing is selected. */
export function moveSelection(ids: readonly string[], selectedId: string | null, delta: 1 | -1): string | null {
  if (ids.length === 0) return null;
  const at = selectedId === null ? -1 : ids.indexOf(selectedId);
  if (at === -1) return ids[0] ?? null;
  return ids[Math.min(ids.length - 1, Math.max(0, at + delta))] ?? null;
}

/**
 * Where the selection goes once `settledId` leaves the queue: the report after it, else the one
 * before it (triage goes on down the list without a key press).
 */
export function selectionAfterRemoval(ids: readonly string[], settledId: string): string | null {
  const at = ids.indexOf(settledId);
  if (at === -1) return ids[0] ?? null;
  return ids[at + 1] ?? ids[at - 1] ?? null;
}

export interface TimeoutChoice {
  durationSeconds: number;
  reason: string;
}
export interface BanChoice {
  /** Undefined: until lifted. */
  durationSeconds?: number;
  reason: string;
  hideMessages: boolean;
}

/** The body POST /moderation/actions gets for a command on a report. */
export function actionBody(command: 'approve' | 'delete' | 'dismiss', report: Report): ModerationActionBody | null;
export function actionBody(command: 'timeout', report: Report, choice: TimeoutChoice): ModerationActionBody;
export function actionBody(command: 'ban', report: Report, choice: BanChoice): ModerationActionBody;
export function actionBody(
  command: TriageAction,
  report: Report,
  choice?: TimeoutChoice | BanChoice,
): ModerationActionBody | null {
  const reportId = report.id;
  switch (command) {
    case 'dismiss':
      return { action: 'dismiss', reportId };
    case 'approve':
    case 'delete':
      if (report.target.type !== 'message') return null;
      return { action: command, messageId: report.target.message.id, reportId };
    case 'timeout': {
      const { durationSeconds, reason } = choice as TimeoutChoice;
      return { action: 'timeout', userId: subjectOf(report).id, durationSeconds, reason, reportId };
    }
    case 'ban': {
      const { durationSeconds, reason, hideMessages } = choice as BanChoice;
      return {
        action: 'ban',
        userId: subjectOf(report).id,
        reason,
        reportId,
        ...(durationSeconds === undefined ? {} : { durationSeconds }),
        ...(hideMessages ? { hideMessages } : {}),
      };
    }
  }
}

/** The offline action waiting for a report, if any (the queue shows it as pending or failed). */
export function pendingFor(
  reportId: string,
  pending: readonly PendingModerationAction[],
): PendingModerationAction | null {
  return pending.find((p) => 'reportId' in p.body && p.body.reportId === reportId) ?? null;
}

/** How each action reads while it runs, and once done (the progress and the toast). */
export const ACTION_WORDS: Record<TriageAction, { doing: string; done: string }> = {
  approve: { doing: 'Approving…', done: 'Message approved' },
  delete: { doing: 'Deleting…', done: 'Message deleted' },
  timeout: { doing: 'Timing out…', done: 'User timed out' },
  ban: { doing: 'Banning…', done: 'User banned' },
  dismiss: { doing: 'Dismissing…', done: 'Report dismissed' },
};

/** The timeout durations offered (the server allows 1 minute to 28 days). */
export const TIMEOUT_CHOICES: readonly { label: string; seconds: number }[] = [
  { label: '10 minutes', seconds: 600 },
  { label: '1 hour', seconds: 3600 },
  { label: '1 day', seconds: 86_400 },
  { label: '1 week', seconds: 604_800 },
  { label: '28 days', seconds: 2_419_200 },
];
