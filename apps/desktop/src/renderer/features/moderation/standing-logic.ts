/** Reading my standing (bans, timeouts) for the UI: what applies where, and until when. */
import type { Restriction, Standing } from '../../../common/contract.js';

export const SERVER_SCOPE = 'server';

function live(r: Restriction, now: number): boolean {
  return r.until === null || Date.parse(r.until) > now;
}

/** A server ban in force, if any. */
export function serverBan(standing: Standing, now: number): Restriction | null {
  return standing.restrictions.find((r) => r.scope === SERVER_SCOPE && r.kind === 'ban' && live(r, now)) ?? null;
}

export function roomBan(standing: Standing, roomId: string, now: number): Restriction | null {
  return standing.restrictions.find((r) => r.scope === roomId && r.kind === 'room_ban' && live(r, now)) ?? null;
}

/** The timeout that keeps me from sending in `roomId` the longest (server-wide or the room's). */
export function muteIn(standing: Standing, roomId: string, now: number): Restriction | null {
  let found: Restriction | null = null;
  for (const r of standing.restrictions) {
    if (r.kind !== 'timeout' || (r.scope !== SERVER_SCOPE && r.scope !== roomId) || !live(r, now)) continue;
    if (!found || r.until === null || (found.until !== null && Date.parse(r.until) > Date.parse(found.until)))
      found = r;
  }
  return found;
}

/** "until 14:05", "until 9 Dec, 14:05" (another day), or "until lifted". */
export function untilText(until: string | null, now: Date = new Date()): string {
  if (until === null) return 'until a moderator lifts it';
  const end = new Date(until);
  const time = end.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  if (end.toDateString() === now.toDateString()) return `until ${time}`;
  const day = end.toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: 'numeric' });
  return `until ${day}, ${time}`;
}

/** Why the composer of `roomId` is off, or null when I may send. */
export function composerBlock(standing: Standing, roomId: string, now: number): string | null {
  const ban = roomBan(standing, roomId, now);
  if (ban) {
    return `You are banned from this room ${untilText(ban.until)}.${ban.reason ? ` Reason: ${ban.reason}` : ''}`;
  }
  const mute = muteIn(standing, roomId, now);
  if (mute) {
    return `Muted ${untilText(mute.until)}.${mute.reason ? ` Reason: ${mute.reason}` : ''}`;
  }
  return null;
}

/** The next moment the standing changes by itself (a timeout or ban ends), for a re-render. */
export function nextExpiry(standing: Standing, now: number): number | null {
  let next: number | null = null;
  for (const r of standing.restrictions) {
    if (r.until === null) continue;
    const at = Date.parse(r.until);
    if (at > now && (next === null || at < next)) next = at;
  }
  return next;
}
