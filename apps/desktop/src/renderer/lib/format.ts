/** Formatting and grouping helpers shared by the views. Pure (no DOM); dates use the runtime's locale and zone. */

/** m:ss (or h:mm:ss past an hour) from seconds; "0:00" for anything not a finite, positive number. */
export function formatClock(totalSeconds: number): string {
  if (!Number.isFinite(totalSeconds) || totalSeconds <= 0) return '0:00';
  const s = Math.floor(totalSeconds);
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const seconds = String(s % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

export function formatDurationMs(ms: number): string {
  return formatClock(ms / 1000);
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];
/** 1,536 → "1.5 KB" (powers of 1024, one decimal under 10). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes <= 0) return '0 B';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 10 ? 0 : 1;
  return `${value.toFixed(digits)} ${UNITS[unit]}`;
}

export const GIB = 1024 ** 3;

/** hh:mm:ss in 24-hour form, for "retrying at …". */
export function formatTimeOfDay(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

export function formatMessageTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

/** Local calendar day key (yyyy-mm-dd) of a timestamp. */
export function dayKey(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return 'unknown';
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** "Today", "Yesterday" or a long date, for day separators. */
export function formatDayLabel(iso: string, now: Date = new Date()): string {
  const key = dayKey(iso);
  if (key === dayKey(now.toISOString())) return 'Today';
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  if (key === dayKey(yesterday.toISOString())) return 'Yesterday';
  const d = new Date(iso);
  return d.toLocaleDateString(undefined, {
    weekday: 'long',
    month: 'long',
    day: 'numeric',
    ...(d.getFullYear() !== now.getFullYear() ? { year: 'numeric' } : {}),
  });
}

/** Consecutive messages by the same author within this window are grouped under one header. */
export const GROUP_WINDOW_MS = 5 * 60 * 1000;

export interface GroupableMessage {
  clientId: string;
  authorId: string;
  createdAt: string;
  deletedAt: string | null;
  replyTo: unknown;
}

export type TimelineRow<M> =
  | { kind: 'day'; key: string; label: string; iso: string }
  | { kind: 'message'; key: string; message: M; showHeader: boolean };

/**
 * Turns messages (oldest → newest) into the rows the list renders: a day separator before the
 * first message of each local day, and a header (author, time) only where a new group starts.
 */
export function buildTimeline<M extends GroupableMessage>(
  messages: readonly M[],
  now: Date = new Date(),
): TimelineRow<M>[] {
  const rows: TimelineRow<M>[] = [];
  let lastDay = '';
  let prev: M | null = null;
  for (const message of messages) {
    const day = dayKey(message.createdAt);
    if (day !== lastDay) {
      rows.push({
        kind: 'day',
        key: `day:${day}`,
        label: formatDayLabel(message.createdAt, now),
        iso: message.createdAt,
      });
      lastDay = day;
      prev = null;
    }
    const showHeader =
      prev === null ||
      prev.authorId !== message.authorId ||
      message.replyTo !== null ||
      prev.deletedAt !== null ||
      Date.parse(message.createdAt) - Date.parse(prev.createdAt) > GROUP_WINDOW_MS;
    rows.push({ kind: 'message', key: message.clientId, message, showHeader });
    prev = message;
  }
  return rows;
}

/** Initials for an avatar: first letter of the name, upper-cased. */
export function initial(name: string): string {
  return (name.trim()[0] ?? '?').toUpperCase();
}

/** A stable hue (0–359) for a user name, for avatar colours. */
export function nameHue(name: string): number {
  let hash = 0;
  for (let i = 0; i < name.length; i++) hash = (hash * 31 + name.charCodeAt(i)) >>> 0;
  return hash % 360;
}
