import { describe, expect, it } from 'vitest';
import type { Standing } from '../../../common/contract.js';
import { composerBlock, muteIn, nextExpiry, serverBan, untilText } from './standing-logic.js';

const now = Date.parse('2026-12-07T12:00:00Z');
const later = (ms: number) => new Date(now + ms).toISOString();
const room = 'room-1';

describe('standing', () => {
  it('a room ban or a timeout turns the composer off with the reason and end', () => {
    const standing: Standing = {
      restrictions: [{ scope: 'server', kind: 'timeout', reason: 'Flooding', until: later(600_000) }],
    };
    expect(composerBlock(standing, room, now)).toMatch(/^Muted until .+\. Reason: Flooding$/);
    expect(composerBlock({ restrictions: [] }, room, now)).toBeNull();
    const banned: Standing = { restrictions: [{ scope: room, kind: 'room_ban', reason: null, until: null }] };
    expect(composerBlock(banned, room, now)).toBe('You are banned from this room until a moderator lifts it.');
    expect(composerBlock(banned, 'room-2', now)).toBeNull();
  });

  it('expired restrictions no longer count; the longest timeout wins', () => {
    const standing: Standing = {
      restrictions: [
        { scope: 'server', kind: 'ban', reason: 'x', until: later(-1) },
        { scope: room, kind: 'timeout', reason: 'short', until: later(60_000) },
        { scope: 'server', kind: 'timeout', reason: 'long', until: later(120_000) },
      ],
    };
    expect(serverBan(standing, now)).toBeNull();
    expect(muteIn(standing, room, now)?.reason).toBe('long');
    expect(nextExpiry(standing, now)).toBe(now + 60_000);
  });

  it('names the end as a time today, a date otherwise, or "until lifted"', () => {
    const today = new Date(now);
    expect(untilText(null)).toBe('until a moderator lifts it');
    expect(untilText(later(3_600_000), today)).toMatch(/^until \d{1,2}:\d{2}/);
    expect(untilText(later(5 * 86_400_000), today)).toMatch(/^until .*2026, \d{1,2}:\d{2}/);
  });
});
